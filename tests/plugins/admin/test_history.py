"""History: Django's LogEntry for every addition, change and deletion made in the admin, the object's
History page and the index's "Recent actions"; the writes go through the ORM, so the model signals fire."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from flaskkit.plugins.admin import ADDITION
from flaskkit.plugins.admin import CHANGE
from flaskkit.plugins.admin import DELETION
from flaskkit.plugins.admin import LogEntry
from flaskkit.plugins.orm import db
from flaskkit.plugins.signals import connect
from flaskkit.plugins.signals import disconnect
from flaskkit.plugins.signals import post_save
from flaskkit.plugins.signals import pre_save

from .catalog.models import Product
from .catalog.models import Review
from .conftest import create_user
from .conftest import log_in
from .conftest import post
from .conftest import submit
from .conftest import text


def entries(app):
    with app.app_context():
        rows = db.session.scalars(sa.select(LogEntry).order_by(LogEntry.id))
        return [
            (e.action_flag, e.app_label, e.model_name, e.object_id, e.object_repr, e.get_change_message()) for e in rows
        ]


@pytest.fixture
def saved():
    events: list[tuple[str, str, bool, frozenset[str] | None]] = []

    def before(sender, instance, created, update_fields, **kwargs):
        events.append(("pre_save", str(instance), created, update_fields))

    def after(sender, instance, created, update_fields, **kwargs):
        events.append(("post_save", str(instance), created, update_fields))

    connect(pre_save, before, sender=Product, weak=False)
    connect(post_save, after, sender=Product, weak=False)
    yield events
    disconnect(pre_save, before, sender=Product)
    disconnect(post_save, after, sender=Product)


def test_add_change_and_delete_are_logged_and_send_the_model_signals(site, admin_client, saved):
    response = submit(admin_client, "/admin/catalog/product/add/", {"name": "Lamp", "price": "30", "stock": "1"})
    assert response.status_code == 302, text(response)
    assert ("pre_save", "Lamp", True, None) in saved and ("post_save", "Lamp", True, None) in saved
    saved.clear()
    response = submit(
        admin_client,
        "/admin/catalog/product/1/change/",
        {"name": "Desk lamp", "stock": "2", "reviews-0-author": "Zoe", "reviews-0-rating": "4"},
    )
    assert response.status_code == 302, text(response)
    assert ("post_save", "Desk lamp", False, frozenset({"name", "stock"})) in saved
    assert post(admin_client, "/admin/catalog/product/1/delete/", {"post": "yes"}).status_code == 302
    assert entries(site) == [
        (ADDITION, "catalog", "product", "1", "Lamp", "Added."),
        (CHANGE, "catalog", "product", "1", "Desk lamp", "Changed Name and Stock. Added review “Zoe (4)”."),
        (DELETION, "catalog", "product", "1", "Desk lamp", ""),
    ]


def test_a_save_without_changes_logs_no_fields(site, admin_client):
    submit(admin_client, "/admin/catalog/product/add/", {"name": "Lamp", "price": "30", "stock": "1"})
    submit(admin_client, "/admin/catalog/product/1/change/")
    assert entries(site)[-1][-1] == "No fields changed."


def test_the_history_page_and_the_recent_actions(site, admin_client):
    create_user(site, "other", is_staff=True, is_superuser=True)
    submit(admin_client, "/admin/catalog/product/add/", {"name": "Lamp", "price": "30", "stock": "1"})
    submit(admin_client, "/admin/catalog/product/1/change/", {"price": "35"})
    submit(admin_client, "/admin/catalog/category/add/", {"name": "Lights"})
    history = text(admin_client.get("/admin/catalog/product/1/history/"))
    assert "Change history: Lamp" in history
    assert history.index("Added.") < history.index("Changed Price.")
    assert history.count("<td>root") == 2
    index = text(admin_client.get("/admin/"))
    recent = index[index.index("Recent actions") :]
    assert recent.index("Lights") < recent.index("Lamp")  # newest first
    assert 'href="/admin/catalog/product/1/change/">Lamp</a>' in recent
    other = site.test_client()
    log_in(other, "other")
    assert "None available" in text(other.get("/admin/"))  # "My actions": only one's own


def test_a_deleted_objects_entry_has_no_link_and_history_survives_the_user(site, admin_client):
    from flaskkit.plugins.auth import User

    create_user(site, "temp", is_staff=True, is_superuser=True)
    client = site.test_client()
    log_in(client, "temp")
    submit(client, "/admin/catalog/product/add/", {"name": "Lamp", "price": "30", "stock": "1"})
    with site.app_context():
        db.session.delete(db.session.scalar(sa.select(User).where(User.username == "temp")))
        db.session.commit()
    history = text(admin_client.get("/admin/catalog/product/1/history/"))
    assert "deleted user #" in history
    post(admin_client, "/admin/catalog/product/1/delete/", {"post": "yes"})
    index = text(admin_client.get("/admin/"))
    assert '<li class="deletelink">' in index and "Lamp</a>" not in index


def test_log_entries_are_written_in_the_same_transaction_as_the_change(make, monkeypatch):
    app = make(ATOMIC_REQUESTS=True)
    create_user(app, "root", is_staff=True, is_superuser=True)
    client = app.test_client()
    log_in(client, "root")
    response = submit(client, "/admin/catalog/product/add/", {"name": "Lamp", "price": "30", "stock": "1"})
    assert response.status_code == 302
    assert [e[4] for e in entries(app)] == ["Lamp"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)) == 0
