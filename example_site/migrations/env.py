"""Alembic environment of a flaskkit app: see README in this folder."""

from flaskkit.plugins.orm.migrations import run_env

run_env()
