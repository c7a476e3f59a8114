"""Permissions and groups: has_perm, superusers, sync-perms, the decorators and ``perms`` in templates."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template_string

from flaskkit.plugins.auth import AnonymousUser
from flaskkit.plugins.auth import Group
from flaskkit.plugins.auth import Permission
from flaskkit.plugins.auth import User
from flaskkit.plugins.auth.permissions import app_label
from flaskkit.plugins.auth.permissions import expected_permissions
from flaskkit.plugins.auth.permissions import verbose_name
from flaskkit.plugins.orm import db

from .conftest import create_user
from .conftest import log_in
from .models import AuthTestBlogComment
from .models import AuthTestPost


def sync(app):
    result = app.test_cli_runner().invoke(args=["auth", "sync-perms"])
    assert result.exit_code == 0, result.output
    return result.output


def grant(app, username, *perms, group=None):
    """Give ``perms`` to the user, or to ``group`` (created) with the user in it."""
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        found = []
        for perm in perms:
            label, codename = perm.split(".")
            found.append(
                db.session.scalar(
                    sa.select(Permission).where(Permission.app_label == label, Permission.codename == codename)
                )
            )
        if group is None:
            user.user_permissions.extend(found)
        else:
            holder = db.session.scalar(sa.select(Group).where(Group.name == group)) or Group(name=group)
            holder.permissions.extend(found)
            user.groups.append(holder)
        db.session.commit()


def user(app, username):
    return db.session.scalar(sa.select(User).where(User.username == username))


def test_sync_perms_creates_djangos_default_permissions_and_meta_permissions(site):
    output = sync(site)
    assert output.startswith("Created ")
    with site.app_context():
        rows = {
            (p.app_label, p.codename): p.name
            for p in db.session.scalars(sa.select(Permission).where(Permission.app_label.in_(["auth", "blog"])))
        }
    assert rows[("auth", "add_user")] == "Can add user"
    assert rows[("auth", "view_group")] == "Can view group"
    assert rows[("auth", "change_permission")] == "Can change permission"
    assert rows[("blog", "publish_post")] == "Can publish post"
    assert rows[("blog", "delete_authtestblogcomment")] == "Can delete auth test blog comment"
    assert ("blog", "add_authtestpost") not in rows  # default_permissions = ()
    assert sync(site) == "No permission was missing.\n"


def test_sync_perms_verbose_lists_what_it_created(site):
    output = sync_verbose = site.test_cli_runner().invoke(args=["auth", "sync-perms", "-v"]).output
    assert "  blog.publish_post  (Can publish post)\n" in output
    assert sync_verbose.endswith("permissions.\n")


def test_app_label_and_verbose_name_rules():
    assert app_label(AuthTestPost) == "blog"
    assert app_label(User) == "auth"
    assert verbose_name(AuthTestBlogComment) == "auth test blog comment"
    specs = {spec.perm for spec in expected_permissions(User)}
    assert {"auth.add_user", "auth.change_group", "blog.change_post", "blog.view_authtestblogcomment"} <= specs


def test_has_perm_combines_user_and_group_permissions(site):
    sync(site)
    create_user(site, "bob")
    grant(site, "ada", "blog.publish_post")
    grant(site, "ada", "blog.change_post", "blog.view_post", group="editors")
    with site.app_context():
        ada = user(site, "ada")
        assert ada.get_user_permissions() == {"blog.publish_post"}
        assert ada.get_group_permissions() == {"blog.change_post", "blog.view_post"}
        assert ada.get_all_permissions() == {"blog.publish_post", "blog.change_post", "blog.view_post"}
        assert ada.has_perm("blog.change_post") is True
        assert ada.has_perms(["blog.change_post", "blog.publish_post"]) is True
        assert ada.has_perms(["blog.change_post", "blog.delete_post"]) is False
        assert ada.has_module_perms("blog") is True
        assert ada.has_module_perms("auth") is False
        bob = user(site, "bob")
        assert bob.has_perm("blog.change_post") is False
        assert bob.get_all_permissions() == set()


def test_superusers_have_every_permission_and_inactive_users_none(site):
    sync(site)
    create_user(site, "root", is_superuser=True, is_staff=True)
    grant(site, "ada", "blog.change_post")
    with site.app_context():
        root = user(site, "root")
        assert root.has_perm("blog.change_post") is True
        assert root.has_perm("anything.at_all") is True
        assert "auth.add_user" in root.get_all_permissions()
        ada = user(site, "ada")
        ada.is_active = False
        assert ada.has_perm("blog.change_post") is False
        assert ada.get_all_permissions() == set()
        anonymous = AnonymousUser()
        assert anonymous.has_perm("blog.change_post") is False
        assert anonymous.get_all_permissions() == set()
        assert anonymous.is_authenticated is False


def test_permission_required_decorator(site):
    sync(site)
    client = site.test_client()
    # Anonymous: the login page, with next.
    assert client.get("/posts/edit").headers["Location"] == "/accounts/login/?next=/posts/edit"
    log_in(client)
    # raise_exception=True: a logged-in user without the permission gets 403.
    assert client.get("/posts/edit").status_code == 403
    # Without raise_exception (Django): the login page, to log in as someone who has it.
    assert client.get("/posts/publish").headers["Location"] == "/accounts/login/?next=/posts/publish"
    grant(site, "ada", "blog.change_post", "blog.publish_post", group="editors")
    assert client.get("/posts/edit").get_data(as_text=True) == "editing"
    assert client.get("/posts/publish").get_data(as_text=True) == "publishing"


def test_perms_and_current_user_in_templates(site):
    sync(site)
    grant(site, "ada", "blog.change_post")
    template = (
        "{{ current_user.is_authenticated }}|{{ perms.blog.change_post }}|{{ perms.blog.delete_post }}|"
        "{{ 'blog.change_post' in perms }}|{% if perms.blog %}True{% else %}False{% endif %}|"
        "{% if perms.auth %}True{% else %}False{% endif %}|{{ 'blog' in perms }}"
    )

    @site.get("/tpl")
    def tpl():
        return render_template_string(template)

    client = site.test_client()
    assert client.get("/tpl").get_data(as_text=True) == "False|False|False|False|False|False|False"
    log_in(client)
    assert client.get("/tpl").get_data(as_text=True) == "True|True|False|True|True|False|True"


def test_the_permission_check_reports_missing_permissions(site):
    result = site.test_cli_runner().invoke(args=["kit", "check", "--tag", "database"])
    assert "auth.W003" in result.output
    assert "Create them with: flask auth sync-perms (after flask db upgrade)." in result.output
    sync(site)
    result = site.test_cli_runner().invoke(args=["kit", "check", "--tag", "database"])
    assert "auth.W003" not in result.output


def test_groups_and_permissions_are_deleted_with_their_links(site):
    sync(site)
    grant(site, "ada", "blog.change_post", group="editors")
    with site.app_context():
        db.session.delete(db.session.scalar(sa.select(Group).where(Group.name == "editors")))
        db.session.commit()
        assert user(site, "ada").groups == []
        db.session.delete(user(site, "ada"))
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User.__table__)) == 0
