"""A plugin that owns a table, as a third-party one would: it ships one Alembic
revision (branch label ``sample``) and keeps its table on a MetaData of its own."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from flaskkit import Plugin

metadata = sa.MetaData()

#: The plugin's table, created by migrations/0001_sample_note.py.
sample_note = sa.Table(
    "sample_note",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("text", sa.String(200), nullable=False),
)


class SamplePlugin(Plugin):
    name = "sample"
    requires = ("orm",)
    migrations = str(Path(__file__).with_name("migrations"))
    metadata = metadata
