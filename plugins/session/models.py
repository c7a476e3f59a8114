"""The ``flaskkit_session`` table of the ``db`` engine, on a MetaData of its own.

Not on the ORM's ``db.Model`` metadata: Flask-Session's SQLAlchemy backend
defines its table there, which breaks a second app in the same process
("Table 'sessions' is already defined", pallets-eco/flask-session#245), and it
would mix the table into ``db.create_all()`` of the app. The table is created by
the plugin's migration (``flask db upgrade``), as Django's ``django_session`` is.
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = ["TABLE_NAME", "metadata", "session_table"]

TABLE_NAME = "flaskkit_session"

#: The plugin's own metadata (the orm plugin's migrations read it through ``SessionPlugin.metadata``).
metadata = sa.MetaData(naming_convention={"ix": "ix_%(column_0_label)s", "pk": "pk_%(table_name)s"})

#: Django's ``django_session``: the id, the data as JSON text, the expiry (aware, UTC).
session_table = sa.Table(
    TABLE_NAME,
    metadata,
    sa.Column("session_key", sa.String(40), primary_key=True),
    sa.Column("session_data", sa.Text(), nullable=False),
    sa.Column("expire_date", sa.DateTime(timezone=True), nullable=False, index=True),
)
