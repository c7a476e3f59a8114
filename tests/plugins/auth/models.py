"""The models of the auth tests (class names unique to this package: one model registry per process)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from flaskkit.plugins.orm import IdMixin
from flaskkit.plugins.orm import Model


class AuthTestPost(IdMixin, Model):
    """The "blog" app's post: its permissions are named as Django's blog.Post's would be."""

    __tablename__ = "auth_test_post"

    class Meta:
        app_label = "blog"
        default_permissions = ()
        permissions = [
            ("add_post", "Can add post"),
            ("change_post", "Can change post"),
            ("delete_post", "Can delete post"),
            ("view_post", "Can view post"),
            ("publish_post", "Can publish post"),
        ]

    title: Mapped[str] = mapped_column(sa.String(200))


class AuthTestBlogComment(IdMixin, Model):
    """A model with Django's four default permissions (``blog.add_authtestblogcomment``...)."""

    __tablename__ = "auth_test_comment"

    class Meta:
        app_label = "blog"

    text: Mapped[str] = mapped_column(sa.String(200))


TABLES = [AuthTestPost.__table__, AuthTestBlogComment.__table__]
