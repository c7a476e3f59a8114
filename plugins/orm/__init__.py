"""The `orm` plugin (being built)."""
