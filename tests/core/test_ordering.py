"""Boot order: requires first, then the order of PLUGINS."""

from __future__ import annotations

import pytest

from flaskkit import ConfigurationError
from flaskkit import Plugin
from flaskkit import create_app
from tests.conftest import settings


def make(name: str, *requires: str) -> type[Plugin]:
    return type(f"P_{name}", (Plugin,), {"name": name, "requires": requires})


def order(*plugins: type[Plugin]) -> list[str]:
    return list(create_app(settings(PLUGINS=list(plugins))).extensions["flaskkit"].plugins)


def test_requirements_come_first():
    assert order(make("auth", "orm", "session"), make("session"), make("orm")) == ["session", "orm", "auth"]


def test_plugins_order_breaks_ties():
    assert order(make("c"), make("a"), make("b")) == ["c", "a", "b"]
    # "x" only needs "a"; it comes as early as that allows, before "b" which is listed after it.
    assert order(make("x", "a"), make("b"), make("a")) == ["a", "x", "b"]


def test_diamond():
    assert order(make("top", "left", "right"), make("right", "base"), make("left", "base"), make("base")) == [
        "base",
        "right",
        "left",
        "top",
    ]


def test_missing_requirement_says_add_it_to_plugins():
    with pytest.raises(ConfigurationError) as info:
        order(make("auth", "orm"))
    assert str(info.value) == "Plugin 'auth' requires 'orm', which is not in PLUGINS: add 'orm' to PLUGINS."
    assert (info.value.setting, info.value.plugin) == ("PLUGINS", "auth")


def test_every_missing_requirement_is_listed():
    with pytest.raises(ConfigurationError) as info:
        order(make("auth", "orm", "session"), make("admin", "orm"))
    assert str(info.value).splitlines() == [
        "Plugin 'auth' requires 'orm', which is not in PLUGINS: add 'orm' to PLUGINS.",
        "Plugin 'auth' requires 'session', which is not in PLUGINS: add 'session' to PLUGINS.",
        "Plugin 'admin' requires 'orm', which is not in PLUGINS: add 'orm' to PLUGINS.",
    ]


def test_missing_requirement_with_a_close_name_listed():
    with pytest.raises(ConfigurationError, match=r"add 'session' to PLUGINS\. Did you mean 'sessions'"):
        order(make("auth", "session"), make("sessions"))


def test_two_plugin_cycle_is_printed():
    with pytest.raises(ConfigurationError) as info:
        order(make("a", "b"), make("b", "a"))
    assert "The plugins' requirements form a cycle: a -> b -> a." in str(info.value)


def test_longer_cycle_reads_in_requires_direction():
    with pytest.raises(ConfigurationError) as info:
        order(make("a", "b"), make("b", "c"), make("c", "a"))
    assert "cycle: a -> b -> c -> a." in str(info.value)


def test_self_requirement_is_a_cycle():
    with pytest.raises(ConfigurationError, match=r"cycle: a -> a\."):
        order(make("a", "a"))


def test_requires_must_be_a_sequence_of_names():
    with pytest.raises(ConfigurationError, match=r"declares requires = 'orm'; it must be a list of plugin names"):
        order(type("Bad", (Plugin,), {"name": "bad", "requires": "orm"}))


def test_after_orders_only_when_the_other_plugin_is_listed():
    session = make("session")
    session.after = ("cache",)
    assert order(session, make("cache")) == ["cache", "session"]
    assert order(session) == ["session"]  # not listed: no error, unlike requires


def test_after_takes_part_in_cycles():
    first = make("first")
    first.after = ("second",)
    with pytest.raises(ConfigurationError, match=r"cycle: first -> second -> first\."):
        order(first, make("second", "first"))
