"""Templates compiled once per test run: the shared bytecode cache the pytest plugin gives each app."""

from __future__ import annotations

import typing as t

import pytest
from flask import render_template

from flaskkit import create_app
from flaskkit.test.jinja import SharedBytecodeCache
from flaskkit.test.jinja import shared_bytecode
from tests.conftest import settings


@pytest.fixture
def make(tmp_path) -> t.Callable[..., t.Any]:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text("Hello {{ name|upper }}")
    made: list[t.Any] = []

    def factory() -> t.Any:
        app = create_app(
            settings(PLUGINS=[]),
            import_name=f"jinja_test_{len(made)}",
            template_folder=str(templates),
            instance_path=str(tmp_path / f"instance{len(made)}"),
        )
        compiled: list[str] = []
        original = app.jinja_env.compile

        def counting(source: str, name: str | None = None, *args: t.Any, **kwargs: t.Any) -> t.Any:
            compiled.append(name or "?")
            return original(source, name, *args, **kwargs)

        app.jinja_env.compile = counting  # type: ignore[method-assign]
        app.extensions["compiled"] = compiled
        made.append(app)
        return app

    factory.templates = templates  # type: ignore[attr-defined]
    return factory


def render(app: t.Any) -> str:
    with app.test_request_context():
        return render_template("page.html", name="ada")


def test_every_app_of_the_run_shares_the_compiled_templates(make):
    first, second = make(), make()
    assert first.jinja_env.bytecode_cache is shared_bytecode
    assert render(first) == render(second) == "Hello ADA"
    assert first.extensions["compiled"] == ["page.html"]
    assert second.extensions["compiled"] == []  # loaded from the first app's compiled code


def test_a_changed_template_is_compiled_again(make):
    first = make()
    render(first)
    (make.templates / "page.html").write_text("Bye {{ name }}")
    second = make()
    assert render(second) == "Bye ada"
    assert second.extensions["compiled"] == ["page.html"]


def test_an_environment_with_other_filters_compiles_its_own(make):
    first = make()
    render(first)
    second = make()
    second.add_template_filter(lambda value: value, "extra")
    assert render(second) == "Hello ADA"
    assert second.extensions["compiled"] == ["page.html"]


def test_an_app_with_its_own_cache_keeps_it(tmp_path):
    own = SharedBytecodeCache()
    app = create_app(settings(PLUGINS=[]), import_name="jinja_own", instance_path=str(tmp_path / "i"))
    assert app.jinja_env.bytecode_cache is shared_bytecode
    from flaskkit.test.jinja import share_compiled_templates

    app.jinja_env.bytecode_cache = own
    share_compiled_templates(app)
    assert app.jinja_env.bytecode_cache is own
