"""The plugin: settings, required plugins, the shipped templates and their base, two apps in one process."""

from __future__ import annotations

import pytest

from flaskkit import ConfigurationError
from flaskkit import create_app
from flaskkit.plugins.orm import db
from flaskkit.plugins.views import DetailView
from flaskkit.plugins.views import ListView
from flaskkit.plugins.views import ViewsPlugin
from tests.conftest import settings

from .models import ViewsTestNote

LAYOUT = (
    "<html><title>{% block title %}{% endblock %}</title>"
    "<body>{{ marker }}{% block content %}{% endblock %}</body></html>"
)


def add_note(app, text: str = "a note") -> None:
    with app.app_context():
        db.session.add(ViewsTestNote(text=text))
        db.session.commit()


def test_the_plugin_needs_orm_and_forms():
    with pytest.raises(ConfigurationError) as error:
        create_app(settings(PLUGINS=["views"]))
    assert str(error.value) == (
        "Plugin 'views' requires 'orm', which is not in PLUGINS: add 'orm' to PLUGINS.\n"
        "Plugin 'views' requires 'forms', which is not in PLUGINS: add 'forms' to PLUGINS."
    )


@pytest.mark.parametrize("value", ["", "  ", None, 3])
def test_views_base_template_must_be_a_template_name(make, value):
    with pytest.raises(ConfigurationError) as error:
        make(VIEWS_BASE_TEMPLATE=value, tables=False)
    assert error.value.setting == "VIEWS_BASE_TEMPLATE"
    assert str(error.value).startswith(f"VIEWS_BASE_TEMPLATE must be the name of a template, not {value!r}.")


def test_the_plugin_boots_after_cache_and_is_registered(make):
    app = make(PLUGINS=["views", "cache", "forms", "orm"])
    plugins = list(app.extensions["flaskkit"].state(app).plugins)
    assert plugins.index("cache") < plugins.index("views")
    assert isinstance(app.extensions["flaskkit.views"], ViewsPlugin)
    assert app.config["VIEWS_BASE_TEMPLATE"] == "views/base.html"


def test_the_shipped_templates_extend_views_base_template(make):
    make.template("layout.html", LAYOUT.replace("{{ marker }}", "MY LAYOUT"))
    app = make(VIEWS_BASE_TEMPLATE="layout.html")
    add_note(app)
    app.add_url_rule("/notes/<int:pk>/", view_func=DetailView.as_view(model=ViewsTestNote))
    response = app.test_client().get("/notes/1/")
    assert response.status_code == 200
    assert response.text.startswith("<html><title>a note</title><body>MY LAYOUT")


def test_the_apps_own_views_templates_win_over_the_shipped_ones(make):
    make.template("views/base.html", LAYOUT.replace("{{ marker }}", "APP BASE"))
    make.template("views/object_list.html", "APP LIST {{ object_list | length }}")
    app = make()
    add_note(app)
    app.add_url_rule("/notes/", view_func=ListView.as_view(model=ViewsTestNote))
    app.add_url_rule("/notes/<int:pk>/", view_func=DetailView.as_view(model=ViewsTestNote))
    client = app.test_client()
    assert client.get("/notes/").text == "APP LIST 1"
    assert "APP BASE" in client.get("/notes/1/").text


def test_two_apps_with_different_settings_share_the_view_classes(make):
    make.template("a.html", LAYOUT.replace("{{ marker }}", "LAYOUT A"))
    make.template("b.html", LAYOUT.replace("{{ marker }}", "LAYOUT B"))
    first = make(VIEWS_BASE_TEMPLATE="a.html")
    second = make(VIEWS_BASE_TEMPLATE="b.html", PLUGINS=["orm", "forms", "cache", "views"])
    add_note(first, "first app")
    add_note(second, "second app")
    for app in (first, second):
        app.add_url_rule("/notes/", view_func=ListView.as_view(model=ViewsTestNote, paginate_by=5, cache_timeout=None))
    # the cache check is per app: only the second has the cache plugin
    second.add_url_rule("/cached/", view_func=ListView.as_view("cached", model=ViewsTestNote, cache_timeout=5))
    one = first.test_client().get("/notes/").text
    two = second.test_client().get("/notes/").text
    assert "LAYOUT A" in one and "first app" in one and "second app" not in one
    assert "LAYOUT B" in two and "second app" in two and "first app" not in two
    assert second.test_client().get("/cached/").headers["Cache-Control"] == "max-age=5"
    third = make(VIEWS_BASE_TEMPLATE="a.html")
    third.add_url_rule("/cached/", view_func=ListView.as_view("cached", model=ViewsTestNote, cache_timeout=5))
    with pytest.raises(ConfigurationError, match=r"cache plugin is not enabled"):
        third.test_client().get("/cached/")
