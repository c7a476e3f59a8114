"""Every page of the site answers with the right status, for an anonymous visitor and for a user."""

from __future__ import annotations

import pytest

from .helpers import create_note
from .helpers import create_user
from .helpers import csrf_tokens
from .helpers import form_count
from .helpers import login


@pytest.fixture
def notes(app):
    """ada's note and bob's note (ids)."""
    ada = create_user(app, "ada")
    bob = create_user(app, "bob")
    return {
        "ada": create_note(app, ada, "Ada's note", "Analytical engines."),
        "bob": create_note(app, bob, "Bob's note", "Builders build."),
    }


ANONYMOUS = [
    ("/", 200),
    ("/?page=1", 200),
    ("/?page=last", 200),
    ("/?page=2", 404),
    ("/?page=abc", 404),
    ("/notes/{ada}/", 200),
    ("/notes/999999/", 404),
    ("/accounts/login/", 200),
    ("/accounts/register/", 200),
    ("/static/site.css", 200),
    ("/no/such/page/", 404),
]


@pytest.mark.parametrize(("path", "status"), ANONYMOUS)
def test_public_pages(client, notes, path, status):
    response = client.get(path.format(**notes))
    response.close()  # the stylesheet is a file
    assert response.status_code == status


@pytest.mark.parametrize(
    "path",
    ["/notes/new/", "/notes/mine/", "/notes/{ada}/edit/", "/notes/{ada}/delete/", "/accounts/password_change/"],
)
def test_protected_pages_send_anonymous_visitors_to_the_login_page(client, notes, path):
    path = path.format(**notes)
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/accounts/login/?next={path}"


USER_PAGES = [
    ("/", 200),
    ("/notes/mine/", 200),
    ("/notes/new/", 200),
    ("/notes/{ada}/", 200),
    ("/notes/{ada}/edit/", 200),
    ("/notes/{ada}/delete/", 200),
    ("/notes/{bob}/", 200),
    ("/notes/{bob}/edit/", 403),
    ("/notes/{bob}/delete/", 403),
    ("/notes/999999/edit/", 404),
    ("/notes/999999/delete/", 404),
    ("/accounts/password_change/", 200),
    ("/accounts/password_change/done/", 200),
    ("/accounts/login/", 200),
]


@pytest.mark.parametrize(("path", "status"), USER_PAGES)
def test_pages_of_a_logged_in_user(client, notes, path, status):
    assert login(client, "ada").status_code == 302
    assert client.get(path.format(**notes)).status_code == status


def test_logout_is_post_only(client, notes):
    response = client.get("/accounts/logout/")
    assert response.status_code == 405
    assert sorted(response.headers["Allow"].split(", ")) == ["OPTIONS", "POST"]
    assert "<h1>405 Method Not Allowed</h1>" in response.text


def test_error_pages_have_the_site_layout(client, notes):
    login(client, "ada")
    forbidden = client.get(f"/notes/{notes['bob']}/edit/")
    assert forbidden.status_code == 403
    assert "<h1>403 Forbidden</h1>" in forbidden.text
    assert "only a note&#39;s author may change or delete it" in forbidden.text
    assert 'href="/static/site.css"' in forbidden.text
    missing = client.get("/notes/999999/")
    assert missing.status_code == 404
    assert "<h1>404 Not Found</h1>" in missing.text


def test_the_csrf_failure_page_has_the_site_layout(client):
    response = client.post("/accounts/login/", data={"username": "ada", "password": "x"})  # no cookie, no token
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "flaskkit notes" in page and "← Back to the notes" in page  # the site's layout
    assert "<strong>Reason:</strong> CSRF cookie not set." in page
    assert "Your browser did not send that cookie back." in page  # the forms plugin's explanation


def test_the_auth_pages_have_the_site_layout(client, notes):
    page = client.get("/accounts/login/").text
    assert '<body class="account-page">' in page
    assert 'href="/static/site.css"' in page
    assert '<a class="brand" href="/">' in page


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/notes/mine/",
        "/notes/new/",
        "/notes/{ada}/",
        "/notes/{ada}/edit/",
        "/notes/{ada}/delete/",
        "/accounts/password_change/",
    ],
)
def test_every_form_of_a_page_carries_a_csrf_token(client, notes, path):
    login(client, "ada")
    html = client.get(path.format(**notes)).text
    tokens = csrf_tokens(html)
    assert form_count(html) >= 1  # the "Log out" button at least
    assert len(tokens) == form_count(html)
    assert all(tokens)


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/register/"])
def test_the_anonymous_forms_carry_a_csrf_token(client, path):
    html = client.get(path).text
    assert form_count(html) == 1
    assert len(csrf_tokens(html)) == 1


def test_the_stylesheet_is_local(client):
    page = client.get("/").text
    assert "http://" not in page.replace('xmlns="http://', "")
    assert "https://" not in page
    css = client.get("/static/site.css")
    body = css.get_data()
    css.close()
    assert css.headers["Content-Type"].startswith("text/css")
    assert b"@import" not in body and b"url(" not in body
