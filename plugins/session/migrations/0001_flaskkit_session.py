"""The flaskkit_session table of the session plugin's db engine.

Revision ID: flaskkit_session_0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "flaskkit_session_0001"
down_revision = None
branch_labels = ("session",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flaskkit_session",
        sa.Column("session_key", sa.String(length=40), nullable=False),
        sa.Column("session_data", sa.Text(), nullable=False),
        sa.Column("expire_date", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("session_key", name=op.f("pk_flaskkit_session")),
    )
    op.create_index(op.f("ix_flaskkit_session_expire_date"), "flaskkit_session", ["expire_date"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_flaskkit_session_expire_date"), table_name="flaskkit_session")
    op.drop_table("flaskkit_session")
