"""Apps that serve the test feeds (feeds.py) at Django's test URLs."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
from flask import Flask

from flaskkit import create_app
from tests.conftest import settings

from .feeds import TEMPLATES
from .feeds import URLS


@pytest.fixture
def make(tmp_path: Path) -> t.Callable[..., Flask]:
    """``make(**settings)``: an app with the middleware and syndication plugins and every test feed.

    ``SITE_URL`` is ``http://example.com`` unless given (Django's tests use the site ``example.com``).
    """
    templates = tmp_path / "templates"
    for name, text in TEMPLATES.items():
        (templates / name).parent.mkdir(parents=True, exist_ok=True)
        (templates / name).write_text(text)
    count = iter(range(100))

    def make_app(**values: t.Any) -> Flask:
        values.setdefault("PLUGINS", ["middleware", "syndication"])
        values.setdefault("TESTING", True)
        values.setdefault("SITE_URL", "http://example.com")
        number = next(count)
        app = create_app(
            settings(**values),
            import_name=f"syndication_app_{number}",
            instance_path=str(tmp_path / f"instance{number}"),
            template_folder=str(templates),
        )
        for index, (rule, feed) in enumerate(URLS.items()):
            app.add_url_rule(rule, view_func=feed.as_view(f"feed{index}"))
        return app

    return make_app


@pytest.fixture
def client(make: t.Callable[..., Flask]) -> t.Any:
    return make().test_client()
