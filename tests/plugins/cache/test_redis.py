"""What only the real Redis can show: the raw keys, apps sharing a server, atomic counters."""

from __future__ import annotations

import threading
import typing as t

import pytest

from flaskkit import create_app
from flaskkit.plugins.cache import cache
from tests.conftest import settings


def redis_app(tmp_path: t.Any, name: str, **entry: t.Any) -> t.Any:
    return create_app(
        settings(PLUGINS=["cache"], CACHES={"default": {"BACKEND": "redis", **entry}}),
        import_name=name,
        instance_path=str(tmp_path / name),
    )


def test_the_raw_key_read_from_redis(tmp_path, redis_url, redis_prefix, redis_client):
    app = redis_app(tmp_path, "rawkeys", LOCATION=redis_url, KEY_PREFIX=f"{redis_prefix}fk", VERSION=2)
    with app.app_context():
        cache.set("a", 1)
        cache.set("b", {"x": 1}, timeout=None)
    raw = f"{redis_prefix}fk:2:a"
    assert redis_client.get(raw) == b"1"  # ints stay plain, so INCRBY works on them
    assert 290 < redis_client.ttl(raw) <= 300
    assert redis_client.get(f"{redis_prefix}fk:2:b").startswith(b"!")  # cachelib's pickle marker
    assert redis_client.ttl(f"{redis_prefix}fk:2:b") == -1
    assert sorted(redis_client.scan_iter(match=f"{redis_prefix}*")) == [
        f"{redis_prefix}fk:2:a".encode(),
        f"{redis_prefix}fk:2:b".encode(),
    ]
    with app.app_context():
        cache.incr_version("a")
    assert redis_client.get(f"{redis_prefix}fk:3:a") == b"1"
    assert redis_client.exists(raw) == 0


def test_redis_url_is_the_default_location(tmp_path, redis_url, redis_prefix, redis_client):
    app = create_app(
        settings(
            PLUGINS=["cache"], REDIS_URL=redis_url, CACHES={"default": {"BACKEND": "redis", "KEY_PREFIX": redis_prefix}}
        ),
        import_name="fromurl",
        instance_path=str(tmp_path / "fromurl"),
    )
    with app.app_context():
        cache.set("k", "v")
    assert redis_client.exists(f"{redis_prefix}:1:k") == 1


def test_two_apps_on_one_redis_never_see_each_others_keys(tmp_path, redis_url, redis_client):
    # No KEY_PREFIX: each app gets one derived from its name and instance folder.
    shop = redis_app(tmp_path, "shop", LOCATION=redis_url)
    blog = redis_app(tmp_path, "blog", LOCATION=redis_url)
    try:
        with shop.app_context():
            shop_prefix = cache.key_prefix
            cache.set("greeting", "from shop")
            cache.set("counter", 1)
        with blog.app_context():
            blog_prefix = cache.key_prefix
            assert cache.get("greeting") is None
            with pytest.raises(ValueError, match="not found"):
                cache.incr("counter")
            cache.set("greeting", "from blog")
            cache.clear()  # only the blog's keys
        with shop.app_context():
            assert cache.get("greeting") == "from shop"
            assert cache.get("counter") == 1
        assert shop_prefix != blog_prefix
        assert [k.decode() for k in redis_client.scan_iter(match=f"{shop_prefix}:*")] != []
        assert list(redis_client.scan_iter(match=f"{blog_prefix}:*")) == []
    finally:
        for app in (shop, blog):
            with app.app_context():
                cache.clear()
    assert list(redis_client.scan_iter(match=f"{shop_prefix}:*")) == []


def test_clear_leaves_other_keys_of_the_database(tmp_path, redis_url, redis_prefix, redis_client):
    app = redis_app(tmp_path, "clearing", LOCATION=redis_url, KEY_PREFIX=f"{redis_prefix}mine")
    redis_client.set(f"{redis_prefix}other:1:k", b"keep")
    redis_client.set(f"{redis_prefix}mine-not:1:k", b"keep")  # shares the start of the prefix, not the prefix
    with app.app_context():
        for i in range(2500):  # more than one SCAN/DEL batch
            cache.set(f"k{i}", i)
        cache.clear()
    assert list(redis_client.scan_iter(match=f"{redis_prefix}mine:*")) == []
    assert redis_client.get(f"{redis_prefix}other:1:k") == b"keep"
    assert redis_client.get(f"{redis_prefix}mine-not:1:k") == b"keep"


def test_a_prefix_with_glob_characters_clears_only_its_own_keys(tmp_path, redis_url, redis_prefix, redis_client):
    app = redis_app(tmp_path, "globbing", LOCATION=redis_url, KEY_PREFIX=f"{redis_prefix}[ab]*")
    redis_client.set(f"{redis_prefix}a:1:k", b"keep")
    with app.app_context():
        cache.set("k", 1)
        cache.clear()
        assert cache.get("k") is None
    assert redis_client.get(f"{redis_prefix}a:1:k") == b"keep"


def test_incr_is_atomic(tmp_path, redis_url, redis_prefix):
    app = redis_app(tmp_path, "counting", LOCATION=redis_url, KEY_PREFIX=redis_prefix)
    with app.app_context():
        cache.set("hits", 0)

    def hit() -> None:
        with app.app_context():
            for _ in range(200):
                cache.incr("hits")

    threads = [threading.Thread(target=hit) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        assert cache.get("hits") == 1000


def test_incr_never_creates_a_key(tmp_path, redis_url, redis_prefix, redis_client):
    app = redis_app(tmp_path, "nocreate", LOCATION=redis_url, KEY_PREFIX=redis_prefix)
    with app.app_context(), pytest.raises(ValueError, match="not found"):
        cache.incr("ghost")
    assert redis_client.exists(f"{redis_prefix}:1:ghost") == 0


def test_add_sets_value_and_expiry_in_one_command(tmp_path, redis_url, redis_prefix, redis_client):
    app = redis_app(tmp_path, "adding", LOCATION=redis_url, KEY_PREFIX=redis_prefix)
    with app.app_context():
        assert cache.add("k", "v", timeout=40)
    assert 30 < redis_client.ttl(f"{redis_prefix}:1:k") <= 40
