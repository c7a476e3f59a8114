"""Pages cached per user behind the access checks: answered before the session is read and the user
loaded (the cache plugin's ``cache.pages`` layer), as Django's cache middleware answers with its lazy
``request.user``; and still behind any check that may read more than the user."""

from __future__ import annotations

import itertools
import typing as t

import pytest
import sqlalchemy as sa
from flask import request

from flaskkit.plugins.auth import LoginRequiredMixin
from flaskkit.plugins.auth import PermissionRequiredMixin
from flaskkit.plugins.auth import current_user
from flaskkit.plugins.auth import login_required
from flaskkit.plugins.auth import permission_required
from flaskkit.plugins.cache import cache_page
from flaskkit.plugins.orm import db
from flaskkit.plugins.views import View

from .conftest import create_user
from .conftest import log_in

if t.TYPE_CHECKING:
    from flask import Flask

    from .conftest import SiteFactory

PLUGINS = ["orm", "session", "cache", "forms", "middleware", "auth", "views"]
counter = itertools.count(1)


def header_check(view: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
    """A check that reads a request header: a page behind it must not be served before it runs."""
    import functools

    @functools.wraps(view)
    def wrapped(*args: t.Any, **kwargs: t.Any) -> t.Any:
        if request.headers.get("X-Deny"):
            return "denied", 403
        return view(*args, **kwargs)

    return wrapped


class MinePage(LoginRequiredMixin, View):
    cache_timeout = 60

    def get(self) -> str:
        return f"{current_user.username} #{next(counter)}"


class CustomPermission(PermissionRequiredMixin, View):
    cache_timeout = 60
    permission_required = "blog.view_post"

    def has_permission(self) -> bool:  # reads more than the user
        return request.headers.get("X-Deny") is None

    def get(self) -> str:
        return f"custom #{next(counter)}"


@pytest.fixture
def site(make: SiteFactory) -> Flask:
    app = make(PLUGINS=PLUGINS, ALLOWED_HOSTS=["localhost"])

    @app.get("/mine/")
    @login_required
    @cache_page(60)
    def mine() -> str:
        return f"{current_user.username} #{next(counter)}"

    @app.get("/guarded/")
    @header_check
    @login_required
    @cache_page(60)
    def guarded() -> str:
        return f"guarded #{next(counter)}"

    @app.get("/editors/")
    @permission_required("blog.change_post")
    @cache_page(60)
    def editors() -> str:
        return f"editors #{next(counter)}"

    app.add_url_rule("/mine-cbv/", view_func=MinePage.as_view("mine_cbv"))
    app.add_url_rule("/custom/", view_func=CustomPermission.as_view("custom"))
    create_user(app, "ada")
    create_user(app, "bob")
    return app


class Spy:
    """Counts the SQL statements and the session loads of the requests made in its block."""

    def __init__(self, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
        self.statements: list[str] = []
        self.loads = 0
        interface = type(app.session_interface)
        load_data = interface.load_data

        def counting_load(this: t.Any, app: Flask, key: str) -> t.Any:
            self.loads += 1
            return load_data(this, app, key)

        monkeypatch.setattr(interface, "load_data", counting_load)
        with app.app_context():
            self.engine = db.engine
        sa.event.listen(self.engine, "before_cursor_execute", self._record)

    def _record(self, conn: t.Any, cursor: t.Any, statement: str, *args: t.Any) -> None:
        self.statements.append(statement)

    def reset(self) -> None:
        self.statements.clear()
        self.loads = 0

    def close(self) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._record)


@pytest.fixture
def spy(site: Flask, monkeypatch: pytest.MonkeyPatch) -> t.Iterator[Spy]:
    watcher = Spy(site, monkeypatch)
    yield watcher
    watcher.close()


@pytest.mark.parametrize("path", ["/mine/", "/mine-cbv/"])
def test_a_hit_reads_no_session_and_loads_no_user(site, spy, path):
    ada = site.test_client()
    log_in(ada, "ada")
    first = ada.get(path)
    assert first.status_code == 200 and first.text.startswith("ada #")
    assert "Cookie" in first.headers["Vary"]
    spy.reset()
    hit = ada.get(path)
    assert (hit.status_code, hit.text) == (200, first.text)
    assert "Age" in hit.headers
    assert (spy.loads, spy.statements) == (0, [])
    # the response layers still ran: the security headers of MIDDLEWARE are on the stored page's answer
    assert hit.headers["X-Content-Type-Options"] == "nosniff" and hit.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/mine/", "/mine-cbv/"])
def test_each_user_and_anonymous_visitors_never_get_anothers_page(site, path):
    ada, bob, anonymous = site.test_client(), site.test_client(), site.test_client()
    log_in(ada, "ada")
    log_in(bob, "bob")
    ada_page = ada.get(path).text
    assert ada.get(path).text == ada_page
    bob_page = bob.get(path).text
    assert bob_page.startswith("bob #") and bob.get(path).text == bob_page
    refused = anonymous.get(path)
    assert refused.status_code == 302 and "/accounts/login/" in refused.headers["Location"]
    ada.logout()  # the session is flushed: ada's browser now sends another cookie, the stored page is out of reach
    assert ada.get(path).status_code == 302


def test_a_miss_is_looked_up_once(site, monkeypatch):
    from flaskkit.plugins.cache import page

    lookups = []
    fetch_page = page.fetch_page

    def counting(*args: t.Any) -> t.Any:
        lookups.append(args[-1].path)
        return fetch_page(*args)

    monkeypatch.setattr(page, "fetch_page", counting)
    ada = site.test_client()
    log_in(ada, "ada")
    lookups.clear()
    ada.get("/mine/")
    assert lookups == ["/mine/"]


def test_a_check_that_reads_more_than_the_user_runs_before_the_cache(site, spy):
    ada = site.test_client()
    log_in(ada, "ada")
    page = ada.get("/guarded/").text
    assert ada.get("/guarded/").text == page  # cached, behind the check
    denied = ada.get("/guarded/", headers={"X-Deny": "1"})
    assert (denied.status_code, denied.text) == (403, "denied")
    spy.reset()
    ada.get("/guarded/")
    assert spy.loads == 1  # looked up where cache_page stands: after login_required read the session


def test_before_request_functions_run_before_a_stored_page_answers(site):
    """As middleware before Django's FetchFromCacheMiddleware: the app's and the blueprints'
    before_request functions still refuse a request whose page is stored."""
    ada = site.test_client()
    log_in(ada, "ada")
    page = ada.get("/mine/").text
    assert ada.get("/mine/").text == page
    site.before_request_funcs.setdefault(None, []).append(
        lambda: ("down for maintenance", 503) if request.headers.get("X-Maintenance") else None
    )
    refused = ada.get("/mine/", headers={"X-Maintenance": "1"})
    assert (refused.status_code, refused.text) == (503, "down for maintenance")
    assert ada.get("/mine/").text == page


def test_an_overridden_permission_check_runs_before_the_cache(site):
    ada = site.test_client()
    log_in(ada, "ada")
    assert ada.get("/custom/").status_code == 200
    assert ada.get("/custom/").status_code == 200
    assert ada.get("/custom/", headers={"X-Deny": "1"}).status_code == 403


def test_a_permission_page_is_only_answered_for_the_session_it_was_stored_for(site, spy):
    from .test_permissions import grant
    from .test_permissions import sync

    sync(site)
    grant(site, "ada", "blog.change_post")
    ada, bob = site.test_client(), site.test_client()
    log_in(ada, "ada")
    log_in(bob, "bob")
    page = ada.get("/editors/")
    assert page.status_code == 200
    spy.reset()
    assert ada.get("/editors/").text == page.text and spy.loads == 0
    assert bob.get("/editors/").status_code == 302  # bob has no permission: never ada's page


def test_the_layer_is_listed_innermost(site):
    result = site.test_cli_runner().invoke(args=["kit", "middleware"])
    assert result.exit_code == 0, result.output
    table = result.output.partition("WSGI layers")[0]  # the layers inside Flask's request handling
    names = [line.split()[1] for line in table.splitlines() if line.strip()[:1].isdigit()]
    assert names[-1] == "cache.pages", result.output
    assert names.index("cache.pages") > names.index("flaskkit.plugins.middleware:SecurityMiddleware")
