"""Names of new projects and apps: Django's validate_name, and the names flaskkit already uses."""

from __future__ import annotations

import pytest

from flaskkit.scaffold import ScaffoldError
from flaskkit.scaffold import validate_name
from flaskkit.scaffold.names import camel_case
from flaskkit.scaffold.names import plugin_names
from flaskkit.scaffold.names import suggest_name


@pytest.mark.parametrize("name", ["mysite", "my_site", "site2", "Blog"])
def test_valid_names(name):
    validate_name(name, "project")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Give the project's name."),
        (
            "my-site",
            "'my-site' is not a valid project name: it becomes a Python package, so use letters, digits and "
            "underscores only, starting with a letter, such as 'my_site'.",
        ),
        ("2site", "such as 'site_2site'"),
        ("my site", "such as 'my_site'"),
        ("café", "'café' is not a valid project name"),
        ("_private", "starting with a letter, such as 'private'"),
        ("class", "'class' is a Python keyword and cannot be a project name. Please try another name."),
        ("tests", "'tests' cannot be a project name: a project already has a folder of that name"),
        ("migrations", "'migrations' cannot be a project name"),
        (
            "json",
            "'json' conflicts with the name of a module of Python's standard library and cannot be used as a "
            "project name. Please try another name.",
        ),
        ("flask", "'flask' conflicts with the name of an existing Python module ("),
        ("sqlalchemy", "'sqlalchemy' conflicts with the name of an existing Python module"),
    ],
)
def test_refused_names(name, message):
    with pytest.raises(ScaffoldError) as caught:
        validate_name(name, "project")
    assert message in str(caught.value)


def test_a_name_that_is_taken():
    with pytest.raises(ScaffoldError, match="'blog' cannot be an app name: it is the project's own name"):
        validate_name("blog", "app", taken={"blog": "it is the project's own name"})


def test_the_plugins_names_are_taken():
    names = plugin_names()
    assert names["orm"] == "it is the name of the plugin 'orm' of flaskkit"
    assert {"orm", "auth", "views", "session", "cache"} <= set(names)


def test_suggestions_and_class_names():
    assert suggest_name("My-Site!") == "My_Site"
    assert suggest_name("---") == ""
    assert camel_case("my_site") == "MySite"
    assert camel_case("blog") == "Blog"
