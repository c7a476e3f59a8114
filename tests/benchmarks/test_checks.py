"""The benchmark's behaviour checks tell a correct board from a broken one, and name the check.

A small board in plain Flask stands in for a stack: as written it passes every check;
each variant breaks one behaviour that the side-by-side timings rely on.
"""

from __future__ import annotations

import itertools
import pathlib
import sys

import pytest
from flask import Flask
from flask import redirect
from flask import request
from flask import session

BENCHMARKS = pathlib.Path(__file__).resolve().parents[2] / "benchmarks"
TOKEN = "a-token"


@pytest.fixture(scope="module")
def stack_sites():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import stack_sites
        import stack_sites.checks

        yield stack_sites
    finally:
        sys.path.remove(str(BENCHMARKS))
        for name in [name for name in sys.modules if name == "stack_sites" or name.startswith("stack_sites.")]:
            del sys.modules[name]


def board(stack_sites, *, cache_key=lambda user: user, csrf=True):
    """A board with the benchmark's URLs; ``cache_key`` keys the per-user page's cache (``None``: no cache)."""
    app = Flask(__name__)
    app.secret_key = "test"
    notes: list[str] = []
    cached: dict[object, str] = {}
    renders = itertools.count(1)
    form = f'<form method="post"><input type="hidden" name="csrf_token" value="{TOKEN}"></form>'

    def refused():
        return csrf and request.form.get("csrf_token") != TOKEN

    @app.route("/accounts/login/", methods=["GET", "POST"])
    def login():
        if request.method == "GET":
            return form
        if refused() or request.form["password"] != stack_sites.PASSWORD:
            return "refused", 403
        session["user"] = request.form["username"]
        return redirect("/notes/")

    @app.get("/notes/")
    def notes_list():
        if "user" not in session:
            return redirect("/accounts/login/?next=/notes/")
        return '<li class="note">x</li>' * stack_sites.LIST_ROWS + form

    @app.post("/notes/new/")
    def create():
        if refused():
            return "refused", 403
        notes.append(request.form["title"])
        return redirect("/notes/")

    @app.get("/dashboard/")
    def dashboard():
        user = session["user"]
        key = None if cache_key is None else cache_key(user)
        if key is None or key not in cached:
            page = f"Dashboard of {user}, render #{next(renders)}"
            if key is None:
                return page
            cached[key] = page
        return cached[key]

    @app.get("/hello/")
    def hello():
        return "Hello, World!"

    @app.after_request
    def headers(response):
        response.headers.update({"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"})
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    return stack_sites.Stack(
        name="test board",
        app=app,
        session_cookie="session",
        csrf_cookie=None,
        csrf_field="csrf_token",
        login_url="/accounts/login/",
        count_notes=lambda: len(notes),
        reset_notes=notes.clear,
        gunicorn_app="",
        folder=pathlib.Path(),
    )


def test_a_board_that_behaves_passes(stack_sites):
    logged_in = stack_sites.checks.check_stack(board(stack_sites))
    assert logged_in.token == TOKEN
    assert logged_in.cookie.startswith("session=")


@pytest.mark.parametrize(
    ("variant", "check"),
    [
        ({"cache_key": None}, "per-user cached page, second hit"),
        ({"cache_key": lambda user: "one page for all"}, "per-user cached page, another user"),
        ({"csrf": False}, "POST without a CSRF token is refused"),
    ],
)
def test_a_broken_board_fails_the_check_it_breaks(stack_sites, variant, check):
    with pytest.raises(stack_sites.checks.CheckFailed) as failure:
        stack_sites.checks.check_stack(board(stack_sites, **variant))
    assert failure.value.stack == "test board"
    assert failure.value.check == check
    assert str(failure.value).startswith(f"test board: check {check!r} failed: ")
