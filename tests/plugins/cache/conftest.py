"""Fixtures of the cache plugin's tests: apps on each real backend (locmem, file, Redis)."""

from __future__ import annotations

import struct
import time
import typing as t

import pytest
from flask import Flask

from flaskkit import create_app
from flaskkit.plugins.cache import Cache
from tests.conftest import settings

BACKENDS = ["locmem", "file", "redis"]


class AppFactory:
    """Builds apps with the cache plugin on one backend; on Redis every key lives under the test's prefix."""

    def __init__(self, backend: str, request: pytest.FixtureRequest, tmp_path: t.Any) -> None:
        self.backend = backend
        self.request = request
        self.tmp_path = tmp_path
        self.count = 0
        self.redis_url: str | None = None
        self.redis_prefix: str | None = None
        if backend == "redis":
            self.redis_url = request.getfixturevalue("redis_url")
            self.redis_prefix = request.getfixturevalue("redis_prefix")

    def entry(self, **values: t.Any) -> dict[str, t.Any]:
        """One alias of CACHES on this backend (Redis: the test server, KEY_PREFIX under the test's prefix)."""
        entry: dict[str, t.Any] = {"BACKEND": self.backend}
        if self.backend == "redis":
            entry["LOCATION"] = self.redis_url
            entry["KEY_PREFIX"] = f"{self.redis_prefix}{values.pop('KEY_PREFIX', '')}"
        entry.update(values)
        return entry

    def __call__(self, caches: dict[str, t.Any] | None = None, **values: t.Any) -> Flask:
        self.count += 1
        values.setdefault("PLUGINS", ["cache"])
        config = settings(CACHES=caches or {"default": self.entry()}, TESTING=True, **values)
        return create_app(
            config,
            import_name=f"cache_test_app_{self.count}",
            instance_path=str(self.tmp_path / f"instance{self.count}"),
        )


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return t.cast(str, request.param)


@pytest.fixture
def make_app(backend: str, request: pytest.FixtureRequest, tmp_path: t.Any) -> AppFactory:
    return AppFactory(backend, request, tmp_path)


@pytest.fixture
def app(make_app: AppFactory) -> Flask:
    return make_app()


@pytest.fixture
def ctx(app: Flask) -> t.Iterator[None]:
    with app.app_context():
        yield


@pytest.fixture
def redis_client(redis_url: str) -> t.Iterator[t.Any]:
    import redis

    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


def raw_exists(store: Cache, made_key: str) -> bool:
    """Whether the backend holds ``made_key``, looked up underneath cachelib (not through the facade)."""
    backend = t.cast(t.Any, store.backend)
    if store.settings.backend == "redis":
        return bool(backend.client.exists(made_key))
    if store.settings.backend == "file":
        import os

        return os.path.exists(backend._get_filename(made_key))
    return made_key in backend._cache


def remaining_seconds(store: Cache, key: str) -> float | None:
    """Seconds until ``key`` expires as the backend stores it; None: never; raises KeyError when missing."""
    made = store.make_key(key)
    backend = t.cast(t.Any, store.backend)
    if store.settings.backend == "redis":
        ttl = backend.client.ttl(made)
        if ttl == -2:
            raise KeyError(key)
        return None if ttl == -1 else float(ttl)
    if store.settings.backend == "file":
        try:
            with open(backend._get_filename(made), "rb") as f:
                expires = struct.unpack("I", f.read(4))[0]
        except FileNotFoundError:
            raise KeyError(key) from None
    else:
        expires = backend._cache[made][0]
    return None if expires == 0 else expires - time.time()
