"""The `session` plugin (being built)."""
