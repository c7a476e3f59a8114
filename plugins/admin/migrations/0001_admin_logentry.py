"""The admin plugin's table: admin_logentry (Django's django_admin_log).

Revision ID: flaskkit_admin_0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "flaskkit_admin_0001"
down_revision = None
branch_labels = ("admin",)
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "admin_logentry",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("action_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("app_label", sa.String(length=100), nullable=False),
        sa.Column("model_name", sa.String(length=100), nullable=False),
        sa.Column("object_id", sa.Text(), nullable=True),
        sa.Column("object_repr", sa.String(length=200), nullable=False),
        sa.Column("action_flag", sa.SmallInteger(), nullable=False),
        sa.Column("change_message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_logentry")),
    )
    op.create_index(op.f("ix_admin_logentry_action_time"), "admin_logentry", ["action_time"], unique=False)
    op.create_index(op.f("ix_admin_logentry_user_id"), "admin_logentry", ["user_id"], unique=False)
    op.create_index(
        "ix_admin_logentry_object", "admin_logentry", ["app_label", "model_name", "object_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_admin_logentry_object", table_name="admin_logentry")
    op.drop_index(op.f("ix_admin_logentry_user_id"), table_name="admin_logentry")
    op.drop_index(op.f("ix_admin_logentry_action_time"), table_name="admin_logentry")
    op.drop_table("admin_logentry")
