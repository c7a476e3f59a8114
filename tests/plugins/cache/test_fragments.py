"""The ``{% cache %}`` tag and ``make_template_fragment_key``, on locmem, file and the real Redis."""

from __future__ import annotations

import hashlib

import pytest
from flask import Flask
from flask import render_template
from flask import render_template_string
from jinja2 import DictLoader
from jinja2.exceptions import TemplateRuntimeError

from flaskkit import Kit
from flaskkit.plugins.cache import cache
from flaskkit.plugins.cache import caches
from flaskkit.plugins.cache import make_template_fragment_key
from tests.conftest import settings
from tests.plugins.cache.conftest import AppFactory
from tests.plugins.cache.conftest import remaining_seconds

SIDEBAR = "{% cache 60, 'side', user %}{{ n }}{% endcache %}"


@pytest.fixture
def ctx(app: Flask):
    with app.test_request_context():
        yield


@pytest.mark.usefixtures("ctx")
def test_a_fragment_is_reused_per_vary_value():
    assert render_template_string(SIDEBAR, n=1, user="alice") == "1"
    assert render_template_string(SIDEBAR, n=2, user="alice") == "1"
    assert render_template_string(SIDEBAR, n=3, user="bob") == "3"


@pytest.mark.usefixtures("ctx")
def test_a_fragment_is_invalidated_by_its_key():
    render_template_string(SIDEBAR, n=1, user="alice")
    render_template_string(SIDEBAR, n=1, user="bob")
    assert cache.delete(make_template_fragment_key("side", ["alice"])) is True
    assert render_template_string(SIDEBAR, n=2, user="alice") == "2"
    assert render_template_string(SIDEBAR, n=2, user="bob") == "1"


@pytest.mark.usefixtures("ctx")
def test_vary_values_need_not_be_strings():
    template = "{% cache 60, 'user', user_id, 2.5 %}{{ n }}{% endcache %}"
    assert render_template_string(template, n=1, user_id=7) == "1"
    assert render_template_string(template, n=2, user_id=7) == "1"
    assert cache.has_key(make_template_fragment_key("user", [7, 2.5]))


@pytest.mark.usefixtures("ctx")
def test_the_fragment_is_stored_with_the_timeout():
    render_template_string("{% cache 45, 'timed' %}x{% endcache %}")
    assert 35 < remaining_seconds(cache, make_template_fragment_key("timed")) <= 45
    render_template_string("{% cache None, 'forever' %}x{% endcache %}")
    assert remaining_seconds(cache, make_template_fragment_key("forever")) is None
    render_template_string("{% cache '30', 'text' %}x{% endcache %}")
    assert 20 < remaining_seconds(cache, make_template_fragment_key("text")) <= 30


@pytest.mark.usefixtures("ctx")
def test_timeout_zero_does_not_cache():
    template = "{% cache 0, 'never' %}{{ n }}{% endcache %}"
    assert render_template_string(template, n=1) == "1"
    assert render_template_string(template, n=2) == "2"
    assert not cache.has_key(make_template_fragment_key("never"))


@pytest.mark.usefixtures("ctx")
def test_del_deletes_the_fragment_and_renders_it():
    render_template_string("{% cache 60, 'side' %}{{ n }}{% endcache %}", n=1)
    assert render_template_string("{% cache 'del', 'side' %}{{ n }}{% endcache %}", n=2) == "2"
    assert not cache.has_key(make_template_fragment_key("side"))


@pytest.mark.usefixtures("ctx")
def test_a_bad_timeout_is_a_template_error():
    with pytest.raises(TemplateRuntimeError, match=r"takes a timeout in seconds \(or None, or 'del'\) first"):
        render_template_string("{% cache 'soon', 'x' %}x{% endcache %}")


@pytest.mark.usefixtures("ctx")
def test_cached_markup_is_not_escaped_twice():
    template = "{% cache 60, 'html' %}<p>{{ text }}</p>{% endcache %}"
    assert render_template_string(template, text="<b>") == "<p>&lt;b&gt;</p>"
    assert render_template_string(template, text="other") == "<p>&lt;b&gt;</p>"


@pytest.mark.usefixtures("ctx")
def test_fragments_without_a_name_are_keyed_by_template_and_line(app: Flask):
    app.jinja_env.loader = DictLoader(
        {"page.html": "{% cache 60 %}{{ a }}{% endcache %}\n{% cache 60 %}{{ b }}{% endcache %}"}
    )
    assert render_template("page.html", a=1, b=2) == "1\n2"
    assert render_template("page.html", a=3, b=4) == "1\n2"


@pytest.mark.usefixtures("ctx")
def test_the_template_fragments_alias_is_used_when_there_is_one(make_app: AppFactory):
    app = make_app({"default": make_app.entry(), "template_fragments": make_app.entry(KEY_PREFIX="frag")})
    with app.test_request_context():
        render_template_string(SIDEBAR, n=1, user="alice")
        key = make_template_fragment_key("side", ["alice"])
        assert caches["template_fragments"].has_key(key)
        assert not cache.has_key(key)


# -- independent of the backend ---------------------------------------------------------------------


def test_the_key_is_djangos():
    assert make_template_fragment_key("a") == "template.cache.a.d41d8cd98f00b204e9800998ecf8427e"
    digest = hashlib.md5(b"alice:7:").hexdigest()
    assert make_template_fragment_key("side", ["alice", 7]) == f"template.cache.side.{digest}"
    assert make_template_fragment_key("x", ["a_b", "c"]) != make_template_fragment_key("x", ["a", "b_c"])


def test_the_tag_works_when_the_jinja_environment_existed_before_the_plugin(tmp_path):
    app = Flask("early", instance_path=str(tmp_path / "early"))
    app.config.update(settings(PLUGINS=["cache"]))
    assert app.jinja_env is not None  # created before the kit boots
    Kit(app)
    with app.test_request_context():
        assert render_template_string(SIDEBAR, n=1, user="a") == "1"
        assert render_template_string(SIDEBAR, n=2, user="a") == "1"
