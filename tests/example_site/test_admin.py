"""The example site's admin: the notes (example_site/admin.py) and the accounts, for the seeded staff account."""

from __future__ import annotations

import re

import sqlalchemy as sa

from example_site.models import Note
from example_site.seed import STAFF_USERNAME
from example_site.seed import seed_demo_content
from flaskkit.plugins.admin import LogEntry
from flaskkit.plugins.orm import db

from .helpers import PASSWORD
from .helpers import create_user
from .helpers import login
from .helpers import page_token


def staff_client(app):
    with app.app_context():
        seed_demo_content(PASSWORD)
    client = app.test_client()
    assert login(client, STAFF_USERNAME).status_code == 302
    return client


def test_the_staff_account_of_the_demo_sees_the_notes_and_the_accounts(app):
    client = staff_client(app)
    index = client.get("/admin/").text
    assert "flaskkit notes administration" in index
    for name in ("Notes", "Users", "Groups", "Permissions"):
        assert f">{name}</a>" in index
    notes = client.get("/admin/example_site/note/").text
    assert "12 notes" in notes and "Welcome to the notes board" in notes
    assert "By author" in notes and "By created at" in notes
    assert client.get("/admin/example_site/note/?q=ada").text.count('class="field-title"') == 3  # author__username
    assert ">2026<" in notes or re.search(r'\?created_at__year=\d{4}">\d{4}</a>', notes)  # the date hierarchy


def test_the_staff_account_edits_a_note_with_the_author_autocomplete(app):
    client = staff_client(app)
    answer = client.get("/admin/auth/user/autocomplete/?term=ad").get_json()
    assert {row["text"] for row in answer["results"]} == {"ada", "admin"}
    with app.app_context():
        note = db.session.scalar(sa.select(Note).where(Note.title == "Generic views"))
        note_id, ada = note.id, db.session.scalar(sa.text("SELECT id FROM auth_user WHERE username = 'ada'"))
    page = client.get(f"/admin/example_site/note/{note_id}/change/").text
    assert 'class="admin-autocomplete"' in page and 'data-autocomplete-url="/admin/auth/user/autocomplete/"' in page
    response = client.post(
        f"/admin/example_site/note/{note_id}/change/",
        data={
            "csrf_token": page_token(client, f"/admin/example_site/note/{note_id}/change/"),
            "title": "Generic views, by ada",
            "body": "Moved to ada.",
            "author": str(ada),
            "_save": "",
        },
    )
    assert response.status_code == 302, response.text
    with app.app_context():
        note = db.session.get(Note, note_id)
        assert (note.title, note.author.username) == ("Generic views, by ada", "ada")
        entry = db.session.scalar(sa.select(LogEntry))
        assert entry.get_change_message() == "Changed Title, Note and Author."


def test_a_visitor_and_a_member_cannot_enter_the_admin(app, client):
    assert client.get("/admin/").headers["Location"] == "/accounts/login/?next=/admin/"
    create_user(app, "grace")
    login(client, "grace")
    assert client.get("/admin/example_site/note/").status_code == 403
