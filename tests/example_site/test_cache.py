"""The public pages are cached for anonymous visitors, and a committed change to a note clears them."""

from __future__ import annotations

import sqlalchemy as sa

from example_site import create_app
from example_site.caching import PAGES_CACHE
from example_site.caching import RECEIVERS_UID
from example_site.models import Note
from flaskkit.plugins.cache import caches
from flaskkit.plugins.orm import db
from flaskkit.plugins.signals import registry

from .helpers import create_note
from .helpers import create_user
from .helpers import login
from .helpers import page_token


def insert_without_signals(app, author_id: int, title: str) -> None:
    """An ORM INSERT statement: it writes the row but sends no model signal (so nothing clears the cache)."""
    with app.app_context():
        db.session.execute(sa.insert(Note).values(title=title, body="...", author_id=author_id))
        db.session.commit()


def test_the_board_is_served_from_the_cache_to_anonymous_visitors(app, client):
    ada = create_user(app, "ada")
    create_note(app, ada, "First")
    first = client.get("/")
    assert first.status_code == 200
    assert "Age" not in first.headers
    assert first.headers["Cache-Control"] == "max-age=60"
    insert_without_signals(app, ada, "Written behind the cache's back")
    second = client.get("/")
    assert "Age" in second.headers  # from the cache...
    assert "Written behind the cache&#39;s back" not in second.text  # ...so the new row is not there yet
    assert second.text == first.text


def test_saving_a_note_clears_the_cached_pages(app, client):
    ada = create_user(app, "ada")
    note_id = create_note(app, ada, "Before")
    assert "Before" in client.get("/").text
    assert "Before" in client.get(f"/notes/{note_id}/").text
    assert "Age" in client.get(f"/notes/{note_id}/").headers
    # The author changes the note through the site.
    author = app.test_client()
    login(author, "ada")
    token = page_token(author, f"/notes/{note_id}/edit/")
    saved = author.post(f"/notes/{note_id}/edit/", data={"title": "After", "body": "b", "csrf_token": token})
    assert saved.status_code == 302
    board = client.get("/")
    assert "Age" not in board.headers
    assert "After" in board.text and "Before" not in board.text
    assert "After" in client.get(f"/notes/{note_id}/").text


def test_a_new_note_clears_the_cached_pages(app, client):
    ada = create_user(app, "ada")
    client.get("/")
    create_note(app, ada, "Fresh from the oven")
    assert "Fresh from the oven" in client.get("/").text


def test_deleting_a_note_clears_the_cached_pages(app, client):
    ada = create_user(app, "ada")
    note_id = create_note(app, ada, "Short-lived")
    assert client.get(f"/notes/{note_id}/").status_code == 200
    assert "Short-lived" in client.get("/").text
    with app.app_context():
        db.session.delete(db.session.get(Note, note_id))
        db.session.commit()
    assert client.get(f"/notes/{note_id}/").status_code == 404  # not the cached page
    assert "Short-lived" not in client.get("/").text


def test_a_change_that_is_rolled_back_keeps_the_cache(app, client):
    ada = create_user(app, "ada")
    note_id = create_note(app, ada, "Kept")
    client.get("/")
    with app.app_context():
        note = db.session.get(Note, note_id)
        note.title = "Never committed"
        db.session.flush()  # post_save is sent here; post_commit_save only after a commit
        db.session.rollback()
    assert "Age" in client.get("/").headers


def test_clearing_the_pages_keeps_the_rest_of_the_cache(app, client):
    """The login throttle's counts live in the default cache: a new note must not reset them."""
    ada = create_user(app, "ada")
    with app.app_context():
        caches["default"].set("unrelated", 1)
        caches[PAGES_CACHE].set("a-page", 1)
    create_note(app, ada, "Clears the pages only")
    with app.app_context():
        assert caches[PAGES_CACHE].get("a-page") is None
        assert caches["default"].get("unrelated") == 1


def test_logged_in_users_are_never_served_a_cached_page(app, client):
    ada = create_user(app, "ada")
    create_note(app, ada, "Mine")
    client.get("/")  # an anonymous visit fills the cache
    login(client, "ada")
    for _ in range(2):
        page = client.get("/")
        assert "Age" not in page.headers
        assert "Cache-Control" not in page.headers
        assert "Signed in as <strong>ada</strong>" in page.text


def test_the_receivers_are_connected_once_by_the_sites_plugin(app, instance_path):
    create_app({"TESTING": True}, instance_path=instance_path)  # a second app of the site in this process
    for name in ("post_commit_save", "post_commit_delete"):
        mine = [info for info in registry.receivers(name) if info.dispatch_uid == RECEIVERS_UID]
        assert [(info.receiver, info.senders) for info in mine] == [
            ("example_site.caching.clear_cached_pages", ("example_site.models.Note",))
        ]
