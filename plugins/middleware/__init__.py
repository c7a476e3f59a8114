"""The `middleware` plugin (being built)."""
