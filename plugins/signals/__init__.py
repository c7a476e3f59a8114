"""The `signals` plugin (being built)."""
