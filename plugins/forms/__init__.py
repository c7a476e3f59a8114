"""The `forms` plugin (being built)."""
