"""The `cache` plugin (being built)."""
