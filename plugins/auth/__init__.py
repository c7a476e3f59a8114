"""The `auth` plugin (being built)."""
