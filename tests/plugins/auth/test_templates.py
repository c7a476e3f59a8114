"""The auth pages in the app's own layout, and the login flow under ATOMIC_REQUESTS."""

from __future__ import annotations

import sqlalchemy as sa

from flaskkit.plugins.auth import User
from flaskkit.plugins.orm import db

from .conftest import create_user
from .conftest import log_in
from .conftest import page_token
from .conftest import whoami

LAYOUT = """<html><title>{% block title %}{% endblock %} | My site</title>
<body><nav>MY-SITE-NAV</nav>{% block content %}{% endblock %}</body></html>"""


def test_the_pages_extend_auth_base_template(make, tmp_path):
    templates = tmp_path / "templates"
    (templates / "auth").mkdir(parents=True)
    (templates / "layout.html").write_text(LAYOUT)
    (templates / "auth" / "logged_out.html").write_text("<p>See you soon</p>")  # the app overrides one page
    app = make(AUTH_BASE_TEMPLATE="layout.html", template_folder=str(templates))
    create_user(app, "ada")
    client = app.test_client()
    page = client.get("/accounts/login/").get_data(as_text=True)
    assert "<title>Log in | My site</title>" in page
    assert "MY-SITE-NAV" in page
    assert '<form method="post" action="" id="login-form" class="kit-form ">' in page
    assert "MY-SITE-NAV" in client.get("/accounts/register/").get_data(as_text=True)
    log_in(client)
    assert "MY-SITE-NAV" in client.get("/accounts/password_change/").get_data(as_text=True)
    token = page_token(client, "/accounts/password_change/")
    response = client.post("/accounts/logout/", data={"csrf_token": token})
    assert response.get_data(as_text=True) == "<p>See you soon</p>"


def test_login_register_and_password_change_under_atomic_requests(make):
    app = make(ATOMIC_REQUESTS=True)
    create_user(app, "ada")
    client = app.test_client()
    assert log_in(client).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(User.last_login).where(User.username == "ada")) is not None
    newcomer = app.test_client()
    token = page_token(newcomer, "/accounts/register/")
    data = {"csrf_token": token, "username": "grace", "password1": "Cobol-1959-rocks", "password2": "Cobol-1959-rocks"}
    assert newcomer.post("/accounts/register/", data=data).status_code == 302
    assert whoami(newcomer)["username"] == "grace"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2
