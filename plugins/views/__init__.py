"""The `views` plugin (being built)."""
