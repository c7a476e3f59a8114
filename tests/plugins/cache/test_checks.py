"""The cache plugin's checks: ids, levels, texts, and which run at boot."""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask

from flaskkit import ConfigurationError
from flaskkit import create_app
from flaskkit.checks import ERROR
from flaskkit.checks import WARNING
from flaskkit.plugins.cache import cache_page
from tests.conftest import settings


def boot(tmp_path: t.Any, caches_setting: dict[str, t.Any] | None = None, **values: t.Any) -> Flask:
    if caches_setting is not None:
        values["CACHES"] = caches_setting
    return create_app(
        settings(PLUGINS=["cache"], **values), import_name="checked", instance_path=str(tmp_path / "inst")
    )


def cache_messages(app: Flask, **options: t.Any) -> list[t.Any]:
    report = app.extensions["flaskkit"].run_checks(app, **options)
    return [m for m in report.messages if m.id and m.id.startswith("cache.")]


def test_a_default_app_has_no_findings(tmp_path):
    app = boot(tmp_path)
    assert cache_messages(app, include_deploy=True) == []


def test_flask_cachings_cache_type_is_flagged(tmp_path):
    app = boot(tmp_path, CACHE_TYPE="RedisCache")
    [message] = cache_messages(app)
    assert (message.id, message.level, message.obj) == ("cache.W001", WARNING, "CACHE_TYPE")
    assert message.msg == "CACHE_TYPE is Flask-Caching's setting; the cache plugin does not read it."


def test_the_dummy_backend_is_flagged_for_deployment(tmp_path):
    app = boot(tmp_path, {"default": {"BACKEND": "locmem"}, "off": {"BACKEND": "dummy"}})
    assert cache_messages(app) == []
    [message] = cache_messages(app, include_deploy=True)
    assert (message.id, message.level) == ("cache.W002", WARNING)
    assert message.msg == "The cache 'off' uses the dummy backend: nothing is cached."


def test_a_redis_cache_without_key_prefix_is_flagged_for_deployment(tmp_path, redis_url):
    app = boot(
        tmp_path,
        {"default": {"BACKEND": "redis", "LOCATION": redis_url}, "named": {"BACKEND": "redis", "KEY_PREFIX": "x"}},
        REDIS_URL=redis_url,
    )
    [message] = cache_messages(app, include_deploy=True, include_database=False)
    assert (message.id, message.level) == ("cache.W003", WARNING)
    assert message.msg.startswith("The Redis cache 'default' has no KEY_PREFIX; flaskkit derived 'checked-")
    assert message.hint == "Set CACHES['default']['KEY_PREFIX'] to a name of your site, the same on every server."


def test_a_file_location_that_is_a_file_stops_the_boot(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    with pytest.raises(ConfigurationError) as info:
        boot(tmp_path, {"default": {"BACKEND": "file", "LOCATION": str(blocker)}})
    [message] = info.value.messages
    assert (message.id, message.level) == ("cache.E001", ERROR)
    assert (
        message.msg
        == f"The file cache 'default' stores its files in {str(blocker)!r}, which exists and is not a folder."
    )
    with pytest.raises(ConfigurationError) as info:
        boot(tmp_path, {"default": {"BACKEND": "file", "LOCATION": str(blocker / "sub" / "dir")}})
    [message] = info.value.messages
    assert message.msg.endswith(f"which does not exist and cannot be created in {str(blocker)!r}.")


def test_a_view_caching_into_an_unknown_alias_is_an_error(tmp_path):
    app = boot(tmp_path)

    @app.get("/")
    @cache_page(60, cache="pages")
    def home() -> str:
        return "home"

    [message] = cache_messages(app)
    assert (message.id, message.level, message.obj) == ("cache.E002", ERROR, "home")
    assert message.msg == "The view 'home' uses cache_page(cache='pages'), but CACHES has no such alias."
    assert message.hint == "Add CACHES['pages'], or use one of 'default'."


def test_an_unreachable_redis_is_reported_by_kit_check_but_not_at_boot(tmp_path):
    app = boot(tmp_path, {"default": {"BACKEND": "redis", "LOCATION": "redis://:secret@127.0.0.1:1/0"}})
    assert cache_messages(app, include_database=False) == []
    [message] = cache_messages(app)
    assert (message.id, message.level) == ("cache.E003", ERROR)
    assert message.msg.startswith(
        "The Redis cache 'default' cannot be reached at redis://:***@127.0.0.1:1/0: ConnectionError:"
    )
    assert "secret" not in message.msg
    result = app.test_cli_runner().invoke(args=["kit", "check"])
    assert result.exit_code == 1
    assert "cache.E003" in result.output


def test_a_reachable_redis_passes(tmp_path, redis_url):
    app = boot(tmp_path, {"default": {"BACKEND": "redis", "LOCATION": redis_url, "KEY_PREFIX": "x"}})
    assert cache_messages(app, include_deploy=True) == []
