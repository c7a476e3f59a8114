"""A test app with every column type the kit ships, and an admin.py that uses most ModelAdmin options."""

from __future__ import annotations

from flaskkit import Plugin


class CatalogPlugin(Plugin):
    name = "catalog"
    requires = ("orm",)
