"""CACHES: defaults, backends, LOCATION rules and the errors at boot."""

from __future__ import annotations

import os
import typing as t

import pytest
from cachelib import FileSystemCache
from cachelib import NullCache
from cachelib import RedisCache
from cachelib import SimpleCache
from flask import Flask

from flaskkit import ConfigurationError
from flaskkit import create_app
from flaskkit.plugins.cache import CachePlugin
from flaskkit.plugins.cache import cache
from flaskkit.plugins.cache import caches
from tests.conftest import settings


def boot(tmp_path: t.Any, caches_setting: object = None, **values: t.Any) -> Flask:
    if caches_setting is not None:
        values["CACHES"] = caches_setting
    return create_app(
        settings(PLUGINS=["cache"], **values), import_name="cache_settings_app", instance_path=str(tmp_path / "inst")
    )


def boot_error(tmp_path: t.Any, caches_setting: object = None, **values: t.Any) -> ConfigurationError:
    with pytest.raises(ConfigurationError) as info:
        boot(tmp_path, caches_setting, **values)
    assert info.value.plugin == "cache"
    return info.value


# -- defaults ---------------------------------------------------------------------------------------


def test_without_caches_there_is_one_locmem_default(tmp_path):
    app = boot(tmp_path)
    assert app.config["CACHES"] == {"default": {"BACKEND": "locmem"}}
    with app.app_context():
        assert list(caches) == ["default"]
        assert isinstance(cache.backend, SimpleCache)
        assert cache.default_timeout == 300
        assert cache.version == 1
        cache.set("k", 1)
        assert cache.get("k") == 1


def test_friendly_names_give_cachelib_backends_without_import_errors(tmp_path, redis_url):
    app = boot(
        tmp_path,
        {
            "default": {"BACKEND": "locmem"},
            "files": {"BACKEND": "file"},
            "redis": {"BACKEND": "redis", "LOCATION": redis_url},
            "off": {"BACKEND": "dummy"},
        },
    )
    with app.app_context():
        assert isinstance(caches["default"].backend, SimpleCache)
        assert isinstance(caches["files"].backend, FileSystemCache)
        assert isinstance(caches["redis"].backend, RedisCache)
        assert isinstance(caches["off"].backend, NullCache)


def test_the_plugin_is_in_app_extensions(tmp_path):
    app = boot(tmp_path)
    plugin = app.extensions["flaskkit.cache"]
    assert isinstance(plugin, CachePlugin)
    assert app.extensions["flaskkit"].plugins["cache"] is plugin
    assert plugin.get_cache() is plugin.get_cache("default")


def test_caches_can_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_CACHES", '{"default": {"BACKEND": "dummy"}}')
    app = boot(tmp_path)
    with app.app_context():
        assert isinstance(cache.backend, NullCache)


def test_the_default_prefix_is_unique_per_app_and_alias(tmp_path):
    one = create_app(
        settings(PLUGINS=["cache"], CACHES={"default": {"BACKEND": "locmem"}, "other": {"BACKEND": "locmem"}}),
        import_name="shop",
        instance_path=str(tmp_path / "one"),
    )
    same_name = create_app(settings(PLUGINS=["cache"]), import_name="shop", instance_path=str(tmp_path / "two"))
    blog = create_app(settings(PLUGINS=["cache"]), import_name="blog", instance_path=str(tmp_path / "one"))
    with one.app_context():
        first, other = cache.key_prefix, caches["other"].key_prefix
    with same_name.app_context():
        second = cache.key_prefix
    with blog.app_context():
        third = cache.key_prefix
    assert len({first, other, second, third}) == 4
    assert first.startswith("shop-") and first.endswith("-default")
    assert other.startswith("shop-") and other.endswith("-other")
    assert third.startswith("blog-")
    again = create_app(settings(PLUGINS=["cache"]), import_name="shop", instance_path=str(tmp_path / "one"))
    with again.app_context():
        assert cache.key_prefix == first  # stable across restarts and processes


def test_an_explicit_key_prefix_is_used_as_is(tmp_path):
    app = boot(tmp_path, {"default": {"BACKEND": "locmem", "KEY_PREFIX": "mysite", "VERSION": 4}})
    with app.app_context():
        assert cache.make_key("k") == "mysite:4:k"
        assert cache.make_key("k", version=7) == "mysite:7:k"


def test_locmem_aliases_naming_the_same_location_share_a_store(tmp_path):
    app = boot(
        tmp_path,
        {
            "default": {"BACKEND": "locmem", "LOCATION": "shared", "KEY_PREFIX": "p"},
            "again": {"BACKEND": "locmem", "LOCATION": "shared", "KEY_PREFIX": "p"},
            "alone": {"BACKEND": "locmem", "KEY_PREFIX": "p"},
        },
    )
    with app.app_context():
        cache.set("k", 1)
        assert caches["again"].get("k") == 1
        assert caches["alone"].get("k") is None


def test_max_entries_bounds_a_locmem_cache(tmp_path):
    app = boot(tmp_path, {"default": {"BACKEND": "locmem", "OPTIONS": {"MAX_ENTRIES": 5}}})
    with app.app_context():
        for i in range(20):
            cache.set(f"k{i}", i)
        assert len(t.cast(t.Any, cache.backend)._cache) <= 6
        assert cache.get("k19") == 19


def test_the_shell_gets_cache_and_caches(tmp_path):
    app = boot(tmp_path)
    with app.app_context():
        context = app.make_shell_context()
    assert context["cache"] is cache
    assert context["caches"] is caches


# -- file LOCATION ----------------------------------------------------------------------------------


def test_a_file_cache_lives_in_the_instance_folder_by_default(tmp_path):
    app = boot(tmp_path, {"default": {"BACKEND": "file"}, "pages": {"BACKEND": "file", "LOCATION": "pages-cache"}})
    instance = str(tmp_path / "inst")
    assert not os.path.exists(os.path.join(instance, "cache"))  # nothing is created at boot
    with app.app_context():
        assert cache.settings.location == os.path.join(instance, "cache", "default")
        assert caches["pages"].settings.location == os.path.join(instance, "pages-cache")
        cache.set("k", 1)
        assert os.path.isdir(os.path.join(instance, "cache", "default"))
        assert len(os.listdir(os.path.join(instance, "cache", "default"))) == 2  # the value and cachelib's count


def test_a_file_cache_takes_an_absolute_location(tmp_path):
    app = boot(tmp_path, {"default": {"BACKEND": "file", "LOCATION": str(tmp_path / "elsewhere")}})
    with app.app_context():
        cache.set("k", 1)
    assert os.path.isdir(tmp_path / "elsewhere")


# -- redis LOCATION ---------------------------------------------------------------------------------


def test_redis_location_defaults_to_the_redis_url_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://from-env:6379/3")
    app = boot(tmp_path, {"default": {"BACKEND": "redis"}}, REDIS_URL="redis://from-setting:6379/1")
    with app.app_context():
        assert cache.settings.location == "redis://from-setting:6379/1"
        kwargs = t.cast(t.Any, cache.backend).client.connection_pool.connection_kwargs
        assert (kwargs["host"], kwargs["db"]) == ("from-setting", 1)


def test_redis_location_falls_back_to_the_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://from-env:6379/3")
    app = boot(tmp_path, {"default": {"BACKEND": "redis"}})
    with app.app_context():
        assert cache.settings.location == "redis://from-env:6379/3"


def test_an_explicit_redis_location_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://from-env:6379/3")
    app = boot(tmp_path, {"default": {"BACKEND": "redis", "LOCATION": "rediss://mine:6380/2"}}, REDIS_URL="redis://x")
    with app.app_context():
        assert cache.settings.location == "rediss://mine:6380/2"


def test_redis_options_go_to_the_client(tmp_path):
    app = boot(tmp_path, {"default": {"BACKEND": "redis", "LOCATION": "redis://h/0", "OPTIONS": {"socket_timeout": 2}}})
    with app.app_context():
        assert t.cast(t.Any, cache.backend).client.connection_pool.connection_kwargs["socket_timeout"] == 2


def test_an_unreachable_redis_does_not_stop_the_boot(tmp_path):
    # Nothing connects at boot: the app starts; the first use is a miss (a strict cache raises a 503).
    app = boot(tmp_path, {"default": {"BACKEND": "redis", "LOCATION": "redis://127.0.0.1:1/0"}})
    from flaskkit.services import ServiceUnavailable

    with app.app_context():
        assert cache.get("k", "missing") == "missing"
        with pytest.raises(ServiceUnavailable):
            cache.strict.get("k")


def test_redis_without_location_or_redis_url_fails(tmp_path, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    error = boot_error(tmp_path, {"default": {"BACKEND": "redis"}})
    assert error.setting == "REDIS_URL"
    assert str(error) == (
        "CACHES['default'] uses the redis backend but has no LOCATION, and REDIS_URL is not set "
        "(neither as a setting nor as an environment variable).\n"
        "  Hint: Set REDIS_URL = 'redis://localhost:6379/0', or give CACHES['default']['LOCATION']."
    )


def test_a_redis_url_with_another_scheme_fails(tmp_path):
    error = boot_error(tmp_path, {"default": {"BACKEND": "redis"}}, REDIS_URL="http://cache:6379/0")
    assert error.setting == "REDIS_URL"
    assert error.message == (
        "REDIS_URL is 'http://cache:6379/0', which is not a Redis URL (it must start with redis://, rediss:// "
        "or unix://)."
    )
    assert error.hint == "Did you mean 'redis://cache:6379/0'?"
    error = boot_error(tmp_path, {"default": {"BACKEND": "redis", "LOCATION": "cache:6379"}})
    assert error.setting == "CACHES"
    assert error.message.startswith("CACHES['default']['LOCATION'] is 'cache:6379', which is not a Redis URL")


# -- errors -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("backend", "suggestion"),
    [
        ("locmen", "'locmem'"),
        ("Redis", "'redis'"),
        ("simple", "'locmem'"),
        ("SimpleCache", "'locmem'"),
        ("filesystem", "'file'"),
        ("FileSystemCache", "'file'"),
        ("null", "'dummy'"),
        ("NullCache", "'dummy'"),
        ("RedisCache", "'redis'"),
    ],
)
def test_an_unknown_backend_says_what_was_meant(tmp_path, backend, suggestion):
    error = boot_error(tmp_path, {"default": {"BACKEND": backend}})
    assert error.setting == "CACHES"
    assert error.message == (
        f"CACHES['default']['BACKEND'] is {backend!r}, which is not a cache backend. Did you mean {suggestion}?"
    )
    assert error.hint == (
        "Use 'locmem', 'file', 'redis', 'dummy', or the dotted path of a cachelib BaseCache subclass."
    )


def test_a_django_backend_path_says_what_to_use(tmp_path):
    error = boot_error(tmp_path, {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
    assert error.message == (
        "CACHES['default']['BACKEND'] is 'django.core.cache.backends.locmem.LocMemCache', Django's backend, "
        "which flaskkit cannot use. Did you mean 'locmem'?"
    )


def test_memcached_says_there_is_no_builtin_backend(tmp_path):
    error = boot_error(tmp_path, {"default": {"BACKEND": "memcached"}})
    assert error.message == "CACHES['default']['BACKEND'] is 'memcached', which is not a cache backend."
    assert error.hint is not None and error.hint.startswith("flaskkit has no built-in memcached backend")


def test_a_missing_default_alias_fails(tmp_path):
    error = boot_error(tmp_path, {"defualt": {"BACKEND": "locmem"}})
    assert error.setting == "CACHES"
    assert str(error) == (
        "CACHES has no 'default' alias (it has 'defualt'); `cache`, cache_page and the {% cache %} tag use it. "
        "Did you mean 'defualt'?\n"
        "  Hint: Add CACHES['default'] = {'BACKEND': 'locmem'} (or 'file', 'redis', 'dummy')."
    )


def test_empty_caches_fail_rather_than_caching_nothing(tmp_path):
    error = boot_error(tmp_path, {})
    assert error.message.startswith("CACHES has no 'default' alias (it has (none))")


@pytest.mark.parametrize(
    ("caches_setting", "message"),
    [
        (
            ["locmem"],
            "CACHES must be a dict of alias -> cache settings, not list ['locmem'].",
        ),
        (
            {"default": "locmem"},
            "CACHES['default'] must be a dict of settings, not str 'locmem'.",
        ),
        (
            {"default": {"BACKEND": "locmem", "TIMOUT": 5}},
            "CACHES['default'] has the unknown key 'TIMOUT'. Did you mean 'TIMEOUT'?",
        ),
        (
            {"default": {"BACKEND": "locmem", "KEY_FUNCTION": "x.y"}},
            "CACHES['default'] sets KEY_FUNCTION, which flaskkit does not support: every backend uses the key "
            "f'{KEY_PREFIX}:{VERSION}:{key}'.",
        ),
        (
            {"default": {"TIMEOUT": 5}},
            "CACHES['default'] has no BACKEND.",
        ),
        (
            {"default": {"BACKEND": 3}},
            "CACHES['default']['BACKEND'] must be a string, not int 3.",
        ),
        (
            {"default": {"BACKEND": "locmem", "TIMEOUT": "300"}},
            "CACHES['default']['TIMEOUT'] must be a number of seconds >= 0 or None (keep forever), not str '300'.",
        ),
        (
            {"default": {"BACKEND": "locmem", "TIMEOUT": -1}},
            "CACHES['default']['TIMEOUT'] must be a number of seconds >= 0 or None (keep forever), not int -1.",
        ),
        (
            {"default": {"BACKEND": "locmem", "TIMEOUT": True}},
            "CACHES['default']['TIMEOUT'] must be a number of seconds >= 0 or None (keep forever), not bool True.",
        ),
        (
            {"default": {"BACKEND": "locmem", "VERSION": "2"}},
            "CACHES['default']['VERSION'] must be an int, not str '2'.",
        ),
        (
            {"default": {"BACKEND": "locmem", "KEY_PREFIX": 5}},
            "CACHES['default']['KEY_PREFIX'] must be a string, not int 5.",
        ),
        (
            {"default": {"BACKEND": "locmem", "OPTIONS": ["x"]}},
            "CACHES['default']['OPTIONS'] must be a dict with string keys, not list ['x'].",
        ),
        (
            {"default": {"BACKEND": "locmem", "OPTIONS": {"MAX_ENTRYS": 5}}},
            "CACHES['default']['OPTIONS'] has the unknown option 'MAX_ENTRYS'. Did you mean 'MAX_ENTRIES'?",
        ),
        (
            {"default": {"BACKEND": "file", "OPTIONS": {"MAX_ENTRIES": 0}}},
            "CACHES['default']['OPTIONS']['MAX_ENTRIES'] must be a positive int, not 0.",
        ),
        (
            {"default": {"BACKEND": "file", "LOCATION": 5}},
            "CACHES['default']['LOCATION'] must be a string, not int 5.",
        ),
        (
            {"default": {"BACKEND": "locmem"}, "other": {"BACKEND": "dumy"}},
            "CACHES['other']['BACKEND'] is 'dumy', which is not a cache backend. Did you mean 'dummy'?",
        ),
    ],
)
def test_a_wrong_setting_fails_at_boot_naming_it(tmp_path, caches_setting, message):
    error = boot_error(tmp_path, caches_setting)
    assert error.setting == "CACHES"
    assert error.message == message


def test_a_dotted_backend_path_is_any_cachelib_cache(tmp_path):
    app = boot(tmp_path, {"default": {"BACKEND": "cachelib.SimpleCache", "OPTIONS": {"threshold": 50}}})
    with app.app_context():
        assert type(cache.backend) is SimpleCache
        cache.set("n", 1, timeout=None)
        assert cache.incr("n") == 2
        assert cache.touch("n", 60) is True
        assert cache.touch("missing", 60) is False
        with pytest.raises(ValueError, match="not found"):
            cache.incr("missing")
        assert cache.get("n") == 2


def test_flask_cachings_backend_classes_work_by_path(tmp_path):
    app = boot(tmp_path, {"default": {"BACKEND": "flask_caching.backends.SimpleCache", "KEY_PREFIX": "p"}})
    with app.app_context():
        cache.set("k", 1)
        assert cache.get("k") == 1
        assert "p:1:k" in t.cast(t.Any, cache.backend)._cache


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"BACKEND": "cachelib.SimpleCache", "LOCATION": "x"},
            "CACHES['default']['LOCATION'] is only read by the built-in backends; cachelib.SimpleCache takes its "
            "own arguments.",
        ),
        (
            {"BACKEND": "collections.OrderedDict"},
            "CACHES['default']['BACKEND'] is 'collections.OrderedDict', which is not a cachelib BaseCache subclass.",
        ),
        (
            {"BACKEND": "myproject.caches.Nope"},
            "CACHES['default']['BACKEND'] is 'myproject.caches.Nope', which cannot be imported: "
            "No module named 'myproject'",
        ),
    ],
)
def test_a_bad_dotted_backend_fails_at_boot(tmp_path, entry, message):
    error = boot_error(tmp_path, {"default": entry})
    assert error.message == message


# -- outside an app ---------------------------------------------------------------------------------


def test_cache_outside_an_app_context_says_so():
    with pytest.raises(RuntimeError, match=r"^The cache is per app: use it inside a request or an app context"):
        cache.get("k")


def test_an_app_without_the_plugin_is_told_to_add_it(tmp_path):
    app = create_app(settings(PLUGINS=[]), import_name="bare", instance_path=str(tmp_path / "bare"))
    with app.app_context(), pytest.raises(RuntimeError) as info:
        caches["default"]
    assert str(info.value) == "The cache plugin is not enabled on the app 'bare': add 'cache' to PLUGINS."
