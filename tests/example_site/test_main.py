"""``python -m example_site`` as a user runs it: a real process, a real port, a temporary instance folder."""

from __future__ import annotations

import hashlib
import http.cookiejar
import os
import re
import sqlite3
import stat
import urllib.parse
import urllib.request
from pathlib import Path

from example_site import create_app
from example_site.seed import DEFAULT_DEMO_PASSWORD
from example_site.seed import DEMO_NOTES
from example_site.seed import migrate
from example_site.seed import seed_demo_content

from .helpers import csrf_tokens
from .server import run_site
from .server import run_to_exit

PASSWORD = "a-demo-password-for-tests"


class Browser:
    """A plain HTTP client with cookies (urllib), following redirects."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[str, str]:
        """``(final URL, body)``."""
        with self.opener.open(self.base_url + path.lstrip("/"), timeout=10) as response:
            return response.url, response.read().decode()

    def post(self, path: str, data: dict[str, str]) -> tuple[str, str]:
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base_url + path.lstrip("/"), data=body, method="POST")
        request.add_header("Origin", self.base_url.rstrip("/"))
        with self.opener.open(request, timeout=10) as response:
            return response.url, response.read().decode()

    def log_in(self, username: str, password: str) -> tuple[str, str]:
        _, page = self.get("/accounts/login/")
        token = csrf_tokens(page)[0]
        return self.post("/accounts/login/", {"username": username, "password": password, "csrf_token": token})


def rows(database: Path, query: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(database)
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


def test_the_first_run_seeds_and_the_second_does_not(tmp_path):
    instance = tmp_path / "instance"
    env = {"EXAMPLE_SITE_DEMO_PASSWORD": PASSWORD}
    with run_site(instance, env=env) as site:
        browser = Browser(site.url)
        _, board = browser.get("/")
        assert "Welcome to the notes board" in board
        url, page = browser.log_in("demo", PASSWORD)
        assert url == site.url
        assert "Signed in as <strong>demo</strong>" in page
    output = site.output()
    assert f"Open {site.url} (Ctrl+C to stop)" in output
    assert f"demo account  username 'demo', password '{PASSWORD}'" in output
    assert f"demo content  created: {len(DEMO_NOTES)} notes and the demo account 'demo'" in output
    assert f"staff account username 'admin', same password: the admin at {site.url}admin/" in output
    assert "Running upgrade  -> flaskkit_auth_0001" in output
    database = instance / "example-site.db"
    assert rows(database, "SELECT count(*) FROM note") == [(len(DEMO_NOTES),)]
    [(demo_hash,)] = rows(database, "SELECT password FROM auth_user WHERE username = 'demo'")
    assert str(demo_hash).startswith("pbkdf2_sha256$1000000$")  # Django's hasher, Django's iterations
    permissions = rows(database, "SELECT codename FROM auth_permission WHERE app_label = 'example_site'")
    assert sorted(p for (p,) in permissions) == ["add_note", "change_note", "delete_note", "view_note"]

    with run_site(instance, env=env) as site:
        _, board = Browser(site.url).get("/")
        assert "Welcome to the notes board" in board
    output = site.output()
    assert "demo content  already there (seeded on the first run; not added again)" in output
    assert "Running upgrade" not in output
    assert rows(database, "SELECT count(*) FROM note") == [(len(DEMO_NOTES),)]
    assert rows(database, "SELECT count(*) FROM auth_user") == [(3,)]  # demo, ada, and the staff account
    assert rows(database, "SELECT is_staff, is_superuser FROM auth_user WHERE username = 'admin'") == [(1, 1)]


def test_the_instance_folder_holds_the_database_sessions_and_secret_key(tmp_path):
    instance = tmp_path / "instance"
    with run_site(instance) as site:
        Browser(site.url).log_in("demo", DEFAULT_DEMO_PASSWORD)
    assert f"password '{DEFAULT_DEMO_PASSWORD}'" in site.output()
    assert (instance / "example-site.db").is_file()
    assert any((instance / "sessions").iterdir())
    key = instance / "secret_key"
    assert len(key.read_text().strip()) >= 50
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_a_password_the_validators_refuse_stops_it(tmp_path):
    output = run_to_exit(tmp_path / "instance", "--port", "1", env={"EXAMPLE_SITE_DEMO_PASSWORD": "12345678"})
    assert output.startswith("exit status 2\n")
    assert "The demo account's password (EXAMPLE_SITE_DEMO_PASSWORD) is refused:" in output
    assert "This password is entirely numeric." in output
    assert "Serving Flask app" not in output


def test_help(tmp_path):
    output = run_to_exit(tmp_path / "instance", "--help")
    assert output.startswith("exit status 0\n")
    for option in ("--host HOST", "--port PORT", "--instance-path INSTANCE_PATH"):
        assert option in output


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_plain_boot_writes_nothing_to_the_database(site_environment, tmp_path):
    instance = tmp_path / "instance"
    create_app(instance_path=instance)
    assert not (instance / "example-site.db").exists()  # not even created

    app = create_app(instance_path=instance)
    with app.app_context():
        migrate()
        assert seed_demo_content(PASSWORD).created
    database = instance / "example-site.db"
    before = digest(database)
    served = create_app(instance_path=instance)
    client = served.test_client()
    for path in ("/", "/notes/1/", "/?page=2", "/accounts/login/", "/accounts/register/"):
        assert client.get(path).status_code == 200
    assert digest(database) == before


def test_seeding_is_idempotent(app):
    with app.app_context():
        first = seed_demo_content(PASSWORD)
        second = seed_demo_content(PASSWORD)
    assert first.created and first.notes == len(DEMO_NOTES)
    assert not second.created


def test_the_secret_key_is_made_once(site_environment, tmp_path):
    first = create_app(instance_path=tmp_path / "instance").config["SECRET_KEY"]
    second = create_app(instance_path=tmp_path / "instance").config["SECRET_KEY"]
    assert first == second
    other = create_app(instance_path=tmp_path / "other").config["SECRET_KEY"]
    assert other != first
    site_environment.setenv("SECRET_KEY", "from-the-environment-" + "x" * 40)
    assert create_app(instance_path=tmp_path / "instance").config["SECRET_KEY"].startswith("from-the-environment-")


def test_the_instance_folder_from_the_environment(site_environment, tmp_path):
    site_environment.setenv("EXAMPLE_SITE_INSTANCE_PATH", os.fspath(tmp_path / "elsewhere"))
    app = create_app()
    assert app.instance_path == os.fspath(tmp_path / "elsewhere")
    assert re.search(r"/elsewhere/example-site\.db$", app.config["SQLALCHEMY_DATABASE_URI"])


def test_allowed_hosts_from_the_environment(site_environment, tmp_path):
    site_environment.setenv("ALLOWED_HOSTS", "notes.example, www.notes.example,")
    app = create_app(instance_path=tmp_path / "instance")
    assert app.config["ALLOWED_HOSTS"] == ["notes.example", "www.notes.example"]
    client = app.test_client()
    assert client.get("/accounts/login/", headers={"Host": "notes.example"}).status_code == 200
    assert client.get("/accounts/login/", headers={"Host": "localhost"}).status_code == 400
