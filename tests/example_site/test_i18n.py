"""The site in German and Simplified Chinese: by Accept-Language, by the cookie set_language sets, by URL prefix;
form errors and messages in the visitor's language; the cached public pages never in the wrong one."""

from __future__ import annotations

import re

import pytest

from .helpers import PASSWORD
from .helpers import create_note
from .helpers import create_user
from .helpers import csrf_tokens

#: What the login page says, per language: its title, its labels, its button.
LOGIN_PAGE = {
    "en": ['<html lang="en">', "<h1>Log in</h1>", ">Username</label>", ">Password</label>", ">Log in</button>"],
    "de": ['<html lang="de">', "<h1>Anmelden</h1>", ">Benutzername</label>", ">Passwort</label>", ">Anmelden</button>"],
    "zh-hans": ['<html lang="zh-hans">', "<h1>登录</h1>", ">用户名</label>", ">密码</label>", ">登录</button>"],
}
FAILED_LOGIN = {
    "de": "Bitte einen gültigen Benutzername und ein Passwort eingeben. Beide Felder berücksichtigen die "
    "Groß-/Kleinschreibung.",
    "zh-hans": "请输入正确的用户名和密码。注意两个字段都可能区分大小写。",
}
REQUIRED = {"de": "Dieses Feld ist zwingend erforderlich.", "zh-hans": "这个字段是必填项。"}
LOGGED_IN = {"de": "Sie sind als ada angemeldet.", "zh-hans": "您已以 ada 的身份登录。"}


def assert_login_page(html: str, language: str) -> None:
    for piece in LOGIN_PAGE[language]:
        assert piece in html, (language, piece)


@pytest.mark.parametrize(("header", "language"), [("de-DE,de;q=0.9,en;q=0.5", "de"), ("zh-CN,zh;q=0.9", "zh-hans"),
                                                   ("fr-FR, en;q=0.3", "en")])  # fmt: skip
def test_the_login_page_by_accept_language(client, header, language):
    response = client.get("/accounts/login/", headers={"Accept-Language": header})
    assert response.status_code == 200
    assert_login_page(response.text, language)
    assert response.headers["Content-Language"] == language
    assert {"Accept-Language", "Cookie"} <= set(response.vary)


@pytest.mark.parametrize("language", ["de", "zh-hans"])
def test_the_login_page_by_url_prefix(client, language):
    response = client.get(f"/{language}/accounts/login/", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert_login_page(response.text, language)
    # The links of the page keep the language.
    assert f'action="/{language}/i18n/setlang/"' in response.text
    assert f'href="/{language}/accounts/register/' in response.text


def test_the_login_page_by_cookie_after_set_language(client):
    page = client.get("/accounts/login/").text
    assert '<form class="language-switcher" action="/i18n/setlang/" method="post">' in page
    response = client.post(
        "/i18n/setlang/",
        data={"language": "zh-hans", "next": "/accounts/login/"},
        headers={"Origin": "http://localhost"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/accounts/login/"
    assert client.get_cookie("language").value == "zh-hans"
    assert_login_page(client.get("/accounts/login/", headers={"Accept-Language": "de"}).text, "zh-hans")
    # Switching from a prefixed page goes to the same page under the new prefix.
    response = client.post(
        "/de/i18n/setlang/",
        data={"language": "de", "next": "/zh-hans/accounts/login/?next=/notes/mine/"},
        headers={"Origin": "http://localhost"},
    )
    assert response.headers["Location"] == "/de/accounts/login/?next=/notes/mine/"


@pytest.mark.parametrize("language", ["de", "zh-hans"])
def test_form_errors_in_the_language(app, client, language):
    create_user(app, "ada")
    headers = {"Accept-Language": language}
    token = csrf_tokens(client.get("/accounts/login/", headers=headers).text)[0]
    page = client.post(
        "/accounts/login/", data={"username": "ada", "password": "wrong", "csrf_token": token}, headers=headers
    ).text
    assert FAILED_LOGIN[language] in page
    page = client.post(
        f"/{language}/accounts/login/", data={"username": "ada", "password": "", "csrf_token": token}
    ).text
    assert f"<li>{REQUIRED[language]}</li>" in page


@pytest.mark.parametrize("language", ["de", "zh-hans"])
def test_messages_in_the_language(app, client, language):
    create_user(app, "ada")
    token = csrf_tokens(client.get(f"/{language}/accounts/login/").text)[0]
    response = client.post(
        f"/{language}/accounts/login/", data={"username": "ada", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    page = client.get(f"/{language}/").text
    assert LOGGED_IN[language] in page


def test_the_note_form_in_german(app, client):
    create_user(app, "ada")
    token = csrf_tokens(client.get("/de/accounts/login/").text)[0]
    client.post("/de/accounts/login/", data={"username": "ada", "password": PASSWORD, "csrf_token": token})
    page = client.get("/de/notes/new/").text
    assert "<h1>Neue Notiz</h1>" in page and ">Titel</label>" in page and "Notiz veröffentlichen" in page
    token = csrf_tokens(page)[0]
    response = client.post("/de/notes/new/", data={"title": "Hallo", "body": "Text", "csrf_token": token})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "Ihre Notiz hängt jetzt an der Pinnwand." in page


def test_the_cached_board_is_never_served_in_the_wrong_language(app, client):
    author = create_user(app, "ada")
    create_note(app, author, "Cached note")
    expected = {"de": "<h1>Alle Notizen</h1>", "zh-hans": "<h1>全部笔记</h1>", "en": "<h1>All notes</h1>"}
    for _ in range(2):  # the second round comes from the cache
        for header, language in (("de", "de"), ("zh-CN", "zh-hans"), ("en-GB", "en")):
            response = client.get("/", headers={"Accept-Language": header})
            assert expected[language] in response.text, (header, _)
            assert f'<html lang="{language}">' in response.text
        for language in ("de", "zh-hans"):
            assert expected[language] in client.get(f"/{language}/", headers={"Accept-Language": "en"}).text
    assert client.get("/", headers={"Accept-Language": "de"}).headers.get("Age") is not None  # it was cached


def test_dates_in_the_language(app, client):
    author = create_user(app, "ada")
    note = create_note(app, author, "Dated")
    page = client.get(f"/de/notes/{note}/").text
    assert re.search(r"von ada · \d{1,2}\. \w+\.? \d{4}, \d{2}:\d{2} UTC", page), page
    page = client.get(f"/zh-hans/notes/{note}/").text
    assert re.search(r"作者：ada · \d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2} UTC", page)  # noqa: RUF001


def test_error_pages_in_the_language(client):
    page = client.get("/de/notes/999999/").text
    assert "<h1>404 Nicht gefunden</h1>" in page
    assert "Diese Seite gibt es nicht." in page


def test_the_admin_in_german_and_chinese(app):
    from example_site.seed import STAFF_USERNAME
    from example_site.seed import seed_demo_content

    from .helpers import login

    with app.app_context():
        seed_demo_content(PASSWORD)
    client = app.test_client()
    assert login(client, STAFF_USERNAME).status_code == 302
    notes = client.get("/de/admin/example_site/note/").text
    assert '<html lang="de">' in notes
    # The admin's words are German; the model's names are the site's own (not marked for translation).
    assert "<h1>note zur Änderung auswählen</h1>" in notes
    assert ">Start</a>" in notes and ">Abmelden</button>" in notes and "<h3>Nach author</h3>" in notes
    assert '<option value="delete_selected">Ausgewählte notes löschen</option>' in notes
    assert 'data-i18n-search="Tippen zum Suchen …"' in notes  # the script's words
    index = client.get("/zh-hans/admin/").text
    assert "最近的操作" in index and "退出登录" in index
