"""Writing notes: create, change and delete one's own; another user's cannot be changed or deleted."""

from __future__ import annotations

import re

import pytest

from .helpers import count_notes
from .helpers import create_note
from .helpers import create_user
from .helpers import get_note
from .helpers import login
from .helpers import page_token


@pytest.fixture
def users(app):
    return {"ada": create_user(app, "ada"), "bob": create_user(app, "bob")}


@pytest.fixture
def bobs_note(app, users):
    return create_note(app, users["bob"], "Bob's note", "Only Bob may change this.")


def test_create_a_note(app, client, users):
    login(client, "ada")
    token = page_token(client, "/notes/new/")
    response = client.post("/notes/new/", data={"title": "Shopping", "body": "Milk\nBread", "csrf_token": token})
    assert response.status_code == 302
    note_id = int(re.fullmatch(r"/notes/(\d+)/", response.headers["Location"]).group(1))
    assert get_note(app, note_id) == ("Shopping", "Milk\nBread")
    page = client.get(response.headers["Location"]).text
    assert "Your note is on the board." in page
    assert '<div class="note-body">Milk\nBread</div>' in page
    assert "by ada" in page
    assert f'href="/notes/{note_id}/edit/"' in page  # the author sees the buttons


def test_an_invalid_note_is_shown_again_with_its_errors_and_not_saved(app, client, users):
    login(client, "ada")
    token = page_token(client, "/notes/new/")
    response = client.post("/notes/new/", data={"title": "x" * 121, "body": "", "csrf_token": token})
    assert response.status_code == 200
    assert "Ensure this value has at most 120 characters (it has 121)." in response.text
    assert "This field is required." in response.text
    assert count_notes(app) == 0


def test_a_post_without_the_csrf_token_is_refused(app, client, users):
    login(client, "ada")
    response = client.post("/notes/new/", data={"title": "Sneaky", "body": "From another site."})
    assert response.status_code == 403
    assert "<strong>Reason:</strong> CSRF token missing." in response.text
    assert count_notes(app) == 0


def test_an_anonymous_post_writes_nothing(app, client, users, bobs_note):
    token = page_token(client, "/accounts/login/")
    response = client.post("/notes/new/", data={"title": "Anonymous", "body": "?", "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/?next=")
    response = client.post(f"/notes/{bobs_note}/edit/", data={"title": "Defaced", "body": "!", "csrf_token": token})
    assert response.status_code == 302
    assert count_notes(app) == 1
    assert get_note(app, bobs_note) == ("Bob's note", "Only Bob may change this.")


def test_change_ones_own_note(app, client, users):
    note_id = create_note(app, users["ada"], "Draft", "First words.")
    login(client, "ada")
    page = client.get(f"/notes/{note_id}/edit/").text
    assert 'value="Draft"' in page
    token = page_token(client, f"/notes/{note_id}/edit/")
    response = client.post(
        f"/notes/{note_id}/edit/", data={"title": "Final", "body": "Last words.", "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/notes/{note_id}/"
    assert get_note(app, note_id) == ("Final", "Last words.")
    assert "Your changes are saved." in client.get(f"/notes/{note_id}/").text


def test_delete_ones_own_note_after_confirming(app, client, users):
    note_id = create_note(app, users["ada"], "Old news")
    login(client, "ada")
    confirm = client.get(f"/notes/{note_id}/delete/")
    assert confirm.status_code == 200
    assert "Delete this note?" in confirm.text
    assert get_note(app, note_id) is not None  # a GET deletes nothing
    token = page_token(client, f"/notes/{note_id}/delete/")
    response = client.post(f"/notes/{note_id}/delete/", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/notes/mine/"
    assert get_note(app, note_id) is None
    assert "“Old news” is deleted." in client.get("/notes/mine/").text
    assert client.get(f"/notes/{note_id}/").status_code == 404


def test_another_users_note_cannot_be_changed(app, client, users, bobs_note):
    login(client, "ada")
    assert client.get(f"/notes/{bobs_note}/edit/").status_code == 403
    token = page_token(client, "/notes/new/")
    response = client.post(f"/notes/{bobs_note}/edit/", data={"title": "Defaced", "body": "!", "csrf_token": token})
    assert response.status_code == 403
    assert get_note(app, bobs_note) == ("Bob's note", "Only Bob may change this.")


def test_another_users_note_cannot_be_deleted(app, client, users, bobs_note):
    login(client, "ada")
    assert client.get(f"/notes/{bobs_note}/delete/").status_code == 403
    token = page_token(client, "/notes/new/")
    assert client.post(f"/notes/{bobs_note}/delete/", data={"csrf_token": token}).status_code == 403
    assert client.delete(f"/notes/{bobs_note}/delete/", headers={"X-CSRFToken": token}).status_code == 403
    assert get_note(app, bobs_note) is not None


def test_another_users_note_shows_no_edit_buttons(client, users, bobs_note):
    login(client, "ada")
    page = client.get(f"/notes/{bobs_note}/").text
    assert "Bob&#39;s note" in page
    assert "/edit/" not in page
    assert "/delete/" not in page


def test_my_notes_lists_only_mine(app, client, users, bobs_note):
    create_note(app, users["ada"], "Ada's first")
    login(client, "ada")
    page = client.get("/notes/mine/").text
    assert "Ada&#39;s first" in page
    assert "Bob&#39;s note" not in page
    everyone = client.get("/").text
    assert "Ada&#39;s first" in everyone and "Bob&#39;s note" in everyone


def test_the_board_is_paginated_newest_first(app, client, users):
    for number in range(1, 11):
        create_note(app, users["ada"], f"Note number {number}")
    first = client.get("/").text
    titles = re.findall(r"Note number (\d+)</a>", first)
    assert titles == [str(n) for n in range(10, 1, -1)]  # nine a page (NOTES_PER_PAGE), newest first
    assert "Page 1 of 2" in first
    second = client.get("/?page=2").text
    assert re.findall(r"Note number (\d+)</a>", second) == ["1"]
    # The same page (but for the language switcher's "next", which is each page's own URL).
    assert client.get("/?page=last").text.replace("?page=last", "?page=2") == second
    assert client.get("/?page=3").status_code == 404
    assert len(re.findall(r"Note number (\d+)</a>", client.get("/?per_page=100").text)) == 9
    assert len(re.findall(r"Note number (\d+)</a>", client.get("/?per_page=2").text)) == 2
