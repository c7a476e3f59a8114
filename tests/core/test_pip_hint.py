"""Install hints name where flaskkit came from (PEP 610's direct_url.json), never the unrelated PyPI project."""

from __future__ import annotations

import json
import typing as t

import pytest

from flaskkit import _pip
from flaskkit._pip import pip_install


class FakeDistribution:
    def __init__(self, direct_url: dict[str, t.Any] | None) -> None:
        self.direct_url = direct_url

    def read_text(self, name: str) -> str | None:
        assert name == "direct_url.json"
        return json.dumps(self.direct_url) if self.direct_url is not None else None


@pytest.fixture
def installed(monkeypatch):
    def install(*direct_urls: dict[str, t.Any] | None) -> None:
        dists = [FakeDistribution(url) for url in direct_urls]
        monkeypatch.setattr(_pip, "_installed", lambda name: dists if name == "flaskkit" else [])

    return install


@pytest.mark.parametrize(
    ("direct_url", "expected"),
    [
        (None, 'pip install "flaskkit[cache]"'),
        (
            {"url": "file:///home/me/flaskkit/dist/flaskkit-0.1.0-py3-none-any.whl", "archive_info": {}},
            'pip install "/home/me/flaskkit/dist/flaskkit-0.1.0-py3-none-any.whl[cache]"',
        ),
        ({"url": "file:///home/me/flaskkit", "dir_info": {}}, 'pip install "/home/me/flaskkit[cache]"'),
        (
            {"url": "file:///home/me/my%20code/flaskkit", "dir_info": {"editable": True}},
            'pip install -e "/home/me/my code/flaskkit[cache]"',
        ),
        (
            {"url": "https://example.com/flaskkit.git", "vcs_info": {"vcs": "git", "commit_id": "abc123"}},
            'pip install "flaskkit[cache] @ git+https://example.com/flaskkit.git@abc123"',
        ),
    ],
    ids=["index", "wheel", "folder", "editable", "vcs"],
)
def test_the_hint_installs_from_where_flaskkit_came_from(installed, direct_url, expected):
    installed(direct_url)
    assert pip_install("flaskkit", ["cache"]) == expected


def test_an_egg_info_without_a_record_is_passed_over(installed):
    installed(None, {"url": "file:///srv/flaskkit", "dir_info": {"editable": True}})
    assert pip_install("flaskkit", ["orm", "postgres"]) == 'pip install -e "/srv/flaskkit[orm,postgres]"'


def test_the_plugins_hints_use_it(installed, monkeypatch):
    import importlib.util

    from flaskkit import ConfigurationError
    from flaskkit.plugins.cache import conf

    installed({"url": "file:///srv/flaskkit", "dir_info": {}})
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "redis" else find_spec(name, *a))
    with pytest.raises(ConfigurationError) as info:
        conf._redis_location(t.cast(t.Any, None), "CACHES['default']", None)
    assert 'Install it with: pip install "/srv/flaskkit[redis]"' in str(info.value)
