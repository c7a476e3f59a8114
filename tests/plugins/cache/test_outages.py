"""A Redis cache going away: reads are misses, writes do nothing, the log says so once; ``strict`` is a 503."""

from __future__ import annotations

import collections
import logging
import typing as t

import pytest

from flaskkit import create_app
from flaskkit.plugins.cache import cache
from flaskkit.plugins.cache import cache_page
from flaskkit.services import ServiceUnavailable
from tests.conftest import settings

if t.TYPE_CHECKING:
    from flask import Flask

    from tests.servers import RedisServer


def make_app(redis_url: str) -> Flask:
    app = create_app(
        settings(PLUGINS=["cache"], CACHES={"default": {"BACKEND": "redis", "LOCATION": redis_url, "KEY_PREFIX": "c"}})
    )
    calls = collections.Counter[str]()

    @app.get("/page")
    @cache_page(60)
    def page() -> str:
        calls["page"] += 1
        return f"page {calls['page']}"

    @app.get("/reads")
    def reads() -> str:
        return f"{cache.get('answer', 'missing')} {cache.get_or_set('computed', lambda: 'fresh')}"

    app.extensions["test.calls"] = calls
    return app


def error_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "flaskkit.services" and r.levelno >= logging.ERROR]


def test_the_cache_api_degrades_to_misses_while_redis_is_down(own_redis: RedisServer, caplog):
    app = make_app(own_redis.url)
    with app.app_context():
        cache.set("answer", 42)
        cache.set("n", 1)
        own_redis.stop()
        with caplog.at_level(logging.WARNING):
            assert cache.get("answer") is None
            assert cache.get("answer", "default") == "default"
            assert cache.get_many(["answer", "n"]) == {}
            assert cache.has_key("answer") is False
            assert "answer" not in cache
            assert cache.set("answer", 43) is None
            assert cache.add("other", 1) is False
            assert cache.get_or_set("computed", lambda: "fresh") == "fresh"
            assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]  # Django's contract: the keys not stored
            assert cache.touch("n") is False
            assert cache.delete("n") is False
            cache.delete_many(["a", "b"])
            cache.clear()
            with pytest.raises(ValueError, match="not found in the cache"):
                cache.incr("n")
            with pytest.raises(ServiceUnavailable) as raised:
                cache.strict.get("answer")
        assert raised.value.code == 503
        assert raised.value.service is not None and raised.value.service.setting == "CACHES['default']['LOCATION']"
        # One line for the whole outage, not one per operation.
        assert error_lines(caplog) == [
            f"Redis at {own_redis.url} (CACHES['default']['LOCATION']) is unreachable: ConnectionError: "
            f"Error 111 connecting to 127.0.0.1:{own_redis.port}. Connection refused."
        ]

        own_redis.start()
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            cache.set("answer", 44)
            assert cache.get("answer") == 44
            assert cache.strict.get("answer") == 44
        assert [r.getMessage().split(" (after")[0] for r in caplog.records] == [
            f"Redis at {own_redis.url} (CACHES['default']['LOCATION']) is reachable again"
        ]


def test_cached_pages_and_cache_reads_in_views_keep_working(own_redis: RedisServer, caplog):
    app = make_app(own_redis.url)
    calls = app.extensions["test.calls"]
    client = app.test_client()
    assert client.get("/page").text == "page 1"
    assert "Age" in client.get("/page").headers  # served from Redis
    own_redis.stop()
    with caplog.at_level(logging.WARNING):
        pages = [client.get("/page") for _ in range(5)]
        views = [client.get("/reads") for _ in range(5)]
    assert [p.status_code for p in pages] == [200] * 5
    assert [p.text for p in pages] == [f"page {n}" for n in range(2, 7)]  # each one rendered: a miss
    assert all("Age" not in p.headers for p in pages)
    assert {(v.status_code, v.text) for v in views} == {(200, "missing fresh")}
    assert len(error_lines(caplog)) == 1
    own_redis.start()
    assert client.get("/page").text == "page 7"
    assert client.get("/page").text == "page 7"  # cached again
    assert calls["page"] == 7


def test_readiness_probe_of_the_cache(own_redis: RedisServer):
    from flaskkit.services import services

    app = make_app(own_redis.url)
    (service,) = list(services(app))
    assert service.name == f"Redis at {own_redis.url} (CACHES['default']['LOCATION'])"
    with app.app_context():
        service.check()
        own_redis.stop()
        with pytest.raises(Exception, match="Connection refused"):
            service.check()
    assert service.down_since is not None
