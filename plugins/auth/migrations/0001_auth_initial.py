"""The auth plugin's tables: auth_permission, auth_group, auth_group_permissions, and, for the
built-in user model, auth_user, auth_user_groups and auth_user_user_permissions.

An app whose AUTH_USER_MODEL is its own model gets no auth_user tables: its
migrations create the model's table and its two association tables.

Revision ID: flaskkit_auth_0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "flaskkit_auth_0001"
down_revision = None
branch_labels = ("auth",)
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _uses_builtin_user() -> bool:
    """Whether the app migrated uses the built-in User (AUTH_USER_MODEL left at its default)."""
    from flask import current_app

    plugin = current_app.extensions.get("flaskkit.auth")
    return plugin is None or plugin.uses_default_user


def _id() -> sa.Column:
    return sa.Column("id", ID, autoincrement=True, nullable=False)


def upgrade() -> None:
    op.create_table(
        "auth_permission",
        _id(),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("app_label", sa.String(length=100), nullable=False),
        sa.Column("codename", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_permission")),
        sa.UniqueConstraint("app_label", "codename", name=op.f("uq_auth_permission_app_label")),
    )
    op.create_table(
        "auth_group",
        _id(),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_group")),
        sa.UniqueConstraint("name", name=op.f("uq_auth_group_name")),
    )
    op.create_table(
        "auth_group_permissions",
        _id(),
        sa.Column("group_id", ID, nullable=False),
        sa.Column("permission_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["auth_group.id"],
            name=op.f("fk_auth_group_permissions_group_id_auth_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["permission_id"],
            ["auth_permission.id"],
            name=op.f("fk_auth_group_permissions_permission_id_auth_permission"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_group_permissions")),
        sa.UniqueConstraint("group_id", "permission_id", name=op.f("uq_auth_group_permissions_group_id")),
    )
    op.create_index(
        op.f("ix_auth_group_permissions_permission_id"), "auth_group_permissions", ["permission_id"], unique=False
    )
    if not _uses_builtin_user():
        return
    op.create_table(
        "auth_user",
        _id(),
        sa.Column("password", sa.String(length=128), nullable=False),
        sa.Column("last_login", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_superuser", sa.Boolean(), nullable=False),
        sa.Column("username", sa.String(length=150), nullable=False),
        sa.Column("first_name", sa.String(length=150), nullable=False),
        sa.Column("last_name", sa.String(length=150), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("is_staff", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("date_joined", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_user")),
        sa.UniqueConstraint("username", name=op.f("uq_auth_user_username")),
    )
    for suffix, column, target in (
        ("groups", "group_id", "auth_group"),
        ("user_permissions", "permission_id", "auth_permission"),
    ):
        table = f"auth_user_{suffix}"
        op.create_table(
            table,
            _id(),
            sa.Column("user_id", ID, nullable=False),
            sa.Column(column, ID, nullable=False),
            sa.ForeignKeyConstraint(
                ["user_id"], ["auth_user.id"], name=op.f(f"fk_{table}_user_id_auth_user"), ondelete="CASCADE"
            ),
            sa.ForeignKeyConstraint(
                [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
            ),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
            sa.UniqueConstraint("user_id", column, name=op.f(f"uq_{table}_user_id")),
        )
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def downgrade() -> None:
    if _uses_builtin_user():
        for suffix, column in (("user_permissions", "permission_id"), ("groups", "group_id")):
            table = f"auth_user_{suffix}"
            op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
            op.drop_table(table)
        op.drop_table("auth_user")
    op.drop_index(op.f("ix_auth_group_permissions_permission_id"), table_name="auth_group_permissions")
    op.drop_table("auth_group_permissions")
    op.drop_table("auth_group")
    op.drop_table("auth_permission")
