"""Django's cache API, the same on locmem, file and the real Redis (each test runs on all three)."""

from __future__ import annotations

import datetime as dt
import pickle
import threading
import time
import typing as t

import pytest
from flask import Flask

from flaskkit.plugins.cache import DEFAULT_TIMEOUT
from flaskkit.plugins.cache import Cache
from flaskkit.plugins.cache import InvalidCacheAliasError
from flaskkit.plugins.cache import cache
from flaskkit.plugins.cache import caches
from tests.plugins.cache.conftest import AppFactory
from tests.plugins.cache.conftest import raw_exists
from tests.plugins.cache.conftest import remaining_seconds

pytestmark = pytest.mark.usefixtures("ctx")


class Point:
    def __init__(self, x: int) -> None:
        self.x = x

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Point) and other.x == self.x

    __hash__ = None  # type: ignore[assignment]


class Unpicklable:
    def __reduce__(self) -> t.NoReturn:
        raise pickle.PicklingError("no pickling")


# -- get / set --------------------------------------------------------------------------------------


def test_set_then_get_keeps_the_types():
    value = {"tuple": (1, 2), "when": dt.datetime(2026, 1, 2, 3, 4, 5), "point": Point(3), "bytes": b"\x00"}
    assert cache.set("k", value) is None
    assert cache.get("k") == value
    assert type(cache.get("k")["tuple"]) is tuple


def test_get_of_a_missing_key_returns_the_default():
    assert cache.get("missing") is None
    assert cache.get("missing", "fallback") == "fallback"


def test_a_stored_none_is_not_a_miss():
    cache.set("nothing", None)
    assert cache.get("nothing", "fallback") is None
    assert cache.has_key("nothing")
    assert cache.get_or_set("nothing", lambda: pytest.fail("must not be called")) is None


def test_ints_round_trip_as_ints():
    cache.set("n", 5)
    cache.set("flag", True)
    assert cache.get("n") == 5 and type(cache.get("n")) is int
    assert cache.get("flag") is True


def test_a_value_that_cannot_be_pickled_raises_and_stores_nothing():
    with pytest.raises(TypeError, match="cannot pickle"):
        cache.set("lock", threading.Lock())
    assert not cache.has_key("lock")
    with pytest.raises(TypeError, match="cannot pickle"):
        cache.set_many({"ok": 1, "lock": threading.Lock()})
    with pytest.raises(TypeError, match="cannot pickle"):
        cache.add("lock", threading.Lock())
    assert not cache.has_key("lock")


def test_a_pickling_error_is_raised_not_logged():
    # cachelib's own serializers log a PicklingError and store a broken entry.
    with pytest.raises(pickle.PicklingError, match=r"^no pickling$"):
        cache.set("value", Unpicklable())
    assert not cache.has_key("value")
    assert cache.get("value", "missing") == "missing"


# -- timeouts ---------------------------------------------------------------------------------------


def test_the_default_timeout_comes_from_the_setting(make_app: AppFactory):
    app = make_app({"default": make_app.entry(TIMEOUT=120)})
    with app.app_context():
        cache.set("k", 1)
        assert 100 < remaining_seconds(cache, "k") <= 120
        assert cache.default_timeout == 120


def test_the_default_timeout_is_300_seconds():
    cache.set("k", 1)
    assert 290 < remaining_seconds(cache, "k") <= 300
    cache.set("explicit", 1, timeout=DEFAULT_TIMEOUT)
    assert 290 < remaining_seconds(cache, "explicit") <= 300


def test_timeout_none_keeps_the_value_forever():
    cache.set("k", 1, timeout=None)
    assert remaining_seconds(cache, "k") is None
    assert cache.get("k") == 1


def test_an_explicit_timeout_is_used():
    cache.set("k", 1, timeout=30)
    assert 20 < remaining_seconds(cache, "k") <= 30


def test_a_float_or_timedelta_timeout_is_rounded_up():
    cache.set("f", 1, timeout=9.2)
    cache.set("d", 1, timeout=dt.timedelta(minutes=1))
    assert 8 < remaining_seconds(cache, "f") <= 10
    assert 50 < remaining_seconds(cache, "d") <= 60


def test_timeout_zero_does_not_cache_and_removes_the_old_value():
    cache.set("k", "old")
    cache.set("k", "new", timeout=0)
    assert cache.get("k") is None
    assert not cache.has_key("k")
    cache.set("neg", 1, timeout=-5)
    assert not cache.has_key("neg")


def test_setting_timeout_zero_caches_nothing(make_app: AppFactory):
    app = make_app({"default": make_app.entry(TIMEOUT=0)})
    with app.app_context():
        cache.set("k", 1)
        assert cache.get("k") is None
        assert cache.get_or_set("k", 2) == 2
        assert not cache.has_key("k")


def test_setting_timeout_none_keeps_values_forever(make_app: AppFactory):
    app = make_app({"default": make_app.entry(TIMEOUT=None)})
    with app.app_context():
        cache.set("k", 1)
        assert remaining_seconds(cache, "k") is None


def test_a_timeout_of_the_wrong_type_is_a_type_error():
    with pytest.raises(TypeError, match=r"A cache timeout is a number of seconds, a timedelta or None"):
        cache.set("k", 1, timeout="60")


def test_values_expire_and_touch_extends_them():
    cache.set("short", 1, timeout=1)
    cache.set("touched", 2, timeout=1)
    assert cache.touch("touched", 100)
    # Both first timeouts are over 1 s after their set on every backend: locmem and file keep the expiry in
    # whole seconds, rounded down; Redis in milliseconds.
    time.sleep(1.1)
    assert cache.get("short", "gone") == "gone"
    assert not cache.has_key("short")
    assert cache.get("touched") == 2
    assert cache.add("short", 3)  # an expired key is free again


# -- add / get_or_set -------------------------------------------------------------------------------


def test_add_does_not_overwrite():
    assert cache.add("k", 1) is True
    assert cache.add("k", 2) is False
    assert cache.get("k") == 1


def test_add_sets_the_timeout():
    assert cache.add("k", 1, timeout=30)
    assert 20 < remaining_seconds(cache, "k") <= 30
    assert cache.add("forever", 1, timeout=None)
    assert remaining_seconds(cache, "forever") is None


def test_add_with_timeout_zero_stores_nothing_and_says_whether_the_key_was_free():
    assert cache.add("free", 1, timeout=0) is True
    assert not cache.has_key("free")
    cache.set("taken", 1)
    assert cache.add("taken", 2, timeout=0) is False
    assert cache.get("taken") == 1


def test_get_or_set_stores_the_default_once():
    calls = []

    def compute() -> int:
        calls.append(1)
        return 42

    assert cache.get_or_set("answer", compute) == 42
    assert cache.get_or_set("answer", compute) == 42
    assert calls == [1]
    assert cache.get("answer") == 42
    assert cache.get_or_set("plain", "value", timeout=30) == "value"
    assert 20 < remaining_seconds(cache, "plain") <= 30


# -- many -------------------------------------------------------------------------------------------


def test_get_many_leaves_out_missing_keys():
    cache.set("a", 1)
    cache.set("b", None)
    assert cache.get_many(["a", "b", "c"]) == {"a": 1, "b": None}
    assert cache.get_many([]) == {}


def test_set_many_returns_the_keys_that_failed():
    assert cache.set_many({"a": 1, "b": (2,)}, timeout=30) == []
    assert cache.get_many(["a", "b"]) == {"a": 1, "b": (2,)}
    assert 20 < remaining_seconds(cache, "b") <= 30
    assert cache.set_many({}) == []


def test_set_many_with_timeout_zero_stores_nothing():
    cache.set("a", 1)
    assert cache.set_many({"a": 2, "b": 3}, timeout=0) == []
    assert cache.get_many(["a", "b"]) == {}


def test_delete_says_whether_the_key_was_there():
    cache.set("k", 1)
    assert cache.delete("k") is True
    assert cache.delete("k") is False
    assert cache.get("k") is None


def test_delete_many():
    cache.set_many({"a": 1, "b": 2, "c": 3})
    assert cache.delete_many(["a", "b", "missing"]) is None
    assert cache.get_many(["a", "b", "c"]) == {"c": 3}
    cache.delete_many([])


def test_clear_empties_the_cache():
    cache.set_many({"a": 1, "b": 2})
    cache.set("v2", 1, version=2)
    assert cache.clear() is None
    assert cache.get_many(["a", "b"]) == {}
    assert not cache.has_key("v2", version=2)


# -- touch ------------------------------------------------------------------------------------------


def test_touch_a_missing_key_is_false():
    assert cache.touch("missing", 30) is False
    assert not cache.has_key("missing")


def test_touch_sets_a_new_timeout():
    cache.set("k", 1, timeout=30)
    assert cache.touch("k", 200) is True
    assert 190 < remaining_seconds(cache, "k") <= 200
    assert cache.touch("k") is True  # the default timeout
    assert 290 < remaining_seconds(cache, "k") <= 300
    assert cache.touch("k", None) is True
    assert remaining_seconds(cache, "k") is None
    assert cache.get("k") == 1


def test_touch_with_timeout_zero_expires_the_key():
    cache.set("k", 1)
    assert cache.touch("k", 0) is True
    assert not cache.has_key("k")
    assert cache.touch("k", 0) is False


# -- incr / decr ------------------------------------------------------------------------------------


def test_incr_and_decr():
    cache.set("n", 10)
    assert cache.incr("n") == 11
    assert cache.incr("n", 5) == 16
    assert cache.decr("n") == 15
    assert cache.decr("n", 10) == 5
    assert cache.get("n") == 5


def test_incr_of_a_missing_key_is_a_value_error():
    with pytest.raises(ValueError, match=r"^Key 'missing' not found in the cache 'default'\.$"):
        cache.incr("missing")
    with pytest.raises(ValueError, match="not found"):
        cache.decr("missing")
    assert not cache.has_key("missing")


def test_incr_keeps_the_expiry():
    cache.set("n", 1, timeout=50)
    cache.incr("n")
    assert 40 < remaining_seconds(cache, "n") <= 50
    cache.set("forever", 1, timeout=None)
    cache.incr("forever")
    assert remaining_seconds(cache, "forever") is None


def test_incr_of_a_value_that_is_not_a_number_is_a_type_error():
    cache.set("s", "text")
    with pytest.raises(TypeError):
        cache.incr("s")
    assert cache.get("s") == "text"


# -- has_key / versions -----------------------------------------------------------------------------


def test_has_key_and_in():
    cache.set("k", 1)
    assert cache.has_key("k")
    assert "k" in cache
    assert not cache.has_key("other")
    assert "other" not in cache


def test_versions_keep_values_apart():
    cache.set("k", "one")
    cache.set("k", "two", version=2)
    assert cache.get("k") == "one"
    assert cache.get("k", version=2) == "two"
    assert not cache.has_key("k", version=3)


def test_incr_version_moves_the_value():
    cache.set("k", "value")
    assert cache.incr_version("k") == 2
    assert cache.get("k") is None
    assert cache.get("k", version=2) == "value"
    assert cache.decr_version("k", version=2) == 1
    assert cache.get("k") == "value"
    assert cache.get("k", version=2) is None
    with pytest.raises(ValueError, match=r"^Key 'missing' not found in the cache 'default'\.$"):
        cache.incr_version("missing")


def test_the_version_setting_is_the_default_version(make_app: AppFactory):
    app = make_app({"default": make_app.entry(VERSION=3)})
    with app.app_context():
        cache.set("k", 1)
        assert cache.get("k", version=3) == 1
        assert cache.get("k", version=1) is None
        assert cache.make_key("k").endswith(":3:k")


# -- keys -------------------------------------------------------------------------------------------


def test_the_raw_key_is_prefix_version_key(make_app: AppFactory):
    app = make_app({"default": make_app.entry(KEY_PREFIX="fk", VERSION=2)})
    with app.app_context():
        cache.set("a", 1)
        prefix = f"{make_app.redis_prefix}fk" if make_app.backend == "redis" else "fk"
        assert cache.make_key("a") == f"{prefix}:2:a"
        assert raw_exists(cache, f"{prefix}:2:a")
        assert cache.incr_version("a") == 3
        assert cache.get("a", version=3) == 1
        assert raw_exists(cache, f"{prefix}:3:a")
        assert not raw_exists(cache, f"{prefix}:2:a")


# -- caches / cache ---------------------------------------------------------------------------------


def test_caches_gives_each_alias(make_app: AppFactory):
    app = make_app({"default": make_app.entry(), "local": {"BACKEND": "locmem"}, "off": {"BACKEND": "dummy"}})
    with app.app_context():
        assert list(caches) == ["default", "local", "off"]
        assert "local" in caches and "nope" not in caches
        assert len(caches) == 3
        assert caches["default"] is caches["default"]
        assert [c.alias for c in caches.all()] == ["default", "local", "off"]
        caches["local"].set("k", "local")
        assert cache.get("k") is None
        assert caches["local"].get("k") == "local"
        assert isinstance(caches["local"], Cache)


def test_an_unknown_alias_says_which_exist(app: Flask):
    with pytest.raises(InvalidCacheAliasError) as info:
        caches["defualt"]
    assert str(info.value) == "CACHES has no alias 'defualt'. Did you mean 'default'? Its aliases are 'default'."
    assert isinstance(info.value, KeyError)


def test_two_apps_in_one_process_have_their_own_caches(make_app: AppFactory):
    # On Redis the two apps are apart by their KEY_PREFIX (test_redis.py checks the derived ones).
    one = make_app({"default": make_app.entry(KEY_PREFIX="one")})
    two = make_app({"default": make_app.entry(KEY_PREFIX="two")})
    with one.app_context():
        cache.set("k", "one")
    with two.app_context():
        assert cache.get("k") is None
        cache.set("k", "two")
    with one.app_context():
        assert cache.get("k") == "one"
