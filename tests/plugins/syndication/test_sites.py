"""Where absolute URLs come from: SITE_URL, or the validated request host; never a Host nobody checked."""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask

from flaskkit import ConfigurationError
from flaskkit import create_app
from flaskkit.plugins.syndication import Feed
from flaskkit.plugins.syndication.sites import parse_site_url
from tests.conftest import settings

from .feeds import ENTRIES


class Latest(Feed):
    title = "Latest"
    link = "/"
    description = "The latest entries."

    def items(self) -> list[t.Any]:
        return ENTRIES


def boot(**values: t.Any) -> Flask:
    values.setdefault("TESTING", True)
    app = create_app(settings(**values))
    app.add_url_rule("/feed/", view_func=Latest.as_view("feed"))
    return app


def check_ids(error: ConfigurationError) -> list[str]:
    return [message.id for message in error.messages]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://example.com", ("https", "example.com")),
        ("https://example.com/", ("https", "example.com")),
        ("http://Example.COM:8080", ("http", "example.com:8080")),
        ("https://bücher.example", ("https", "xn--bcher-kva.example")),
        ("http://[::1]:8000", ("http", "[::1]:8000")),
        (None, None),
        ("", None),
    ],
)
def test_site_url_accepts_an_origin(value, expected):
    assert parse_site_url(value) == expected


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("example.com", "it needs the scheme http:// or https://"),
        ("ftp://example.com", "it needs the scheme http:// or https://"),
        ("https://", "it has no host"),
        ("https://example.com/blog", "it must not have a path, query or fragment"),
        ("https://example.com/?a=1", "it must not have a path, query or fragment"),
        ("https://user:secret@example.com", "it must not hold a user name or password"),
        ("https://exa_mple.com", "its host is not a valid host name"),
        ("https://example.com:99999", "which is not a URL"),
        (42, "SITE_URL must be a string"),
    ],
)
def test_a_wrong_site_url_fails_at_boot(value, problem):
    with pytest.raises(ConfigurationError) as info:
        boot(PLUGINS=["syndication"], SITE_URL=value)
    assert problem in str(info.value)
    assert info.value.setting == "SITE_URL"
    assert "SITE_URL = 'https://example.com'" in str(info.value)


def test_no_site_url_and_no_host_validation_stops_the_boot():
    with pytest.raises(ConfigurationError) as info:
        boot(PLUGINS=["syndication"])
    assert check_ids(info.value) == ["syndication.E001"]
    message = info.value.messages[0]
    assert "SITE_URL is not set and nothing checks the request's Host header" in message.msg
    assert "Set SITE_URL = 'https://example.com'" in (message.hint or "")


def test_allowed_hosts_star_is_not_a_validation():
    with pytest.raises(ConfigurationError) as info:
        boot(PLUGINS=["middleware", "syndication"], ALLOWED_HOSTS=["*"])
    assert check_ids(info.value) == ["syndication.E001"]
    assert "ALLOWED_HOSTS contains '*'" in info.value.messages[0].msg


@pytest.mark.parametrize(
    "values",
    [
        {"PLUGINS": ["syndication"], "SITE_URL": "https://example.com"},
        {"PLUGINS": ["syndication"], "TRUSTED_HOSTS": ["example.com"]},
        {"PLUGINS": ["middleware", "syndication"], "ALLOWED_HOSTS": ["example.com"]},
        {"PLUGINS": ["middleware", "syndication"]},  # empty: DEBUG allows localhost, else nothing
        {"PLUGINS": ["middleware", "syndication"], "ALLOWED_HOSTS": ["*"], "SITE_URL": "https://example.com"},
    ],
)
def test_a_safe_source_boots(values):
    boot(**values)


def test_sitemaps_reports_it_too_but_not_twice():
    with pytest.raises(ConfigurationError) as info:
        boot(PLUGINS=["sitemaps"])
    assert check_ids(info.value) == ["sitemaps.E001"]
    with pytest.raises(ConfigurationError) as info:
        boot(PLUGINS=["syndication", "sitemaps"])
    assert check_ids(info.value) == ["syndication.E001"]


def test_silencing_the_check_still_never_uses_an_unchecked_host():
    app = boot(PLUGINS=["syndication"], SILENCED_CHECKS=["syndication.E001"])
    with pytest.raises(ConfigurationError, match="SITE_URL is not set and nothing checks the request's Host"):
        app.test_client().get("/feed/", headers={"Host": "evil.example"})


def test_a_feed_without_the_plugin_refuses_an_unchecked_host():
    # Django's Feed needs no app; neither does this one, but it still never trusts an unchecked Host.
    app = boot(PLUGINS=[])
    with pytest.raises(ConfigurationError, match="Cannot build the absolute URLs"):
        app.test_client().get("/feed/")
    checked = boot(PLUGINS=["middleware"], ALLOWED_HOSTS=["example.org"])
    response = checked.test_client().get("/feed/", base_url="https://example.org")
    assert b"<link>https://example.org/</link>" in response.data


def test_a_host_outside_allowed_hosts_gets_400_and_no_feed():
    app = boot(PLUGINS=["middleware", "syndication"], ALLOWED_HOSTS=["example.org"])
    client = app.test_client()
    response = client.get("/feed/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert b"evil.example/" not in response.data
    good = client.get("/feed/", headers={"Host": "example.org"})
    assert good.status_code == 200
    assert b"http://example.org/blog/1/" in good.data


def test_site_url_ignores_the_host_header():
    app = boot(PLUGINS=["middleware", "syndication"], ALLOWED_HOSTS=["*"], SITE_URL="https://notes.example")
    response = app.test_client().get("/feed/", headers={"Host": "evil.example"})
    assert response.status_code == 200
    assert b"evil.example" not in response.data
    assert b"<link>https://notes.example/</link>" in response.data


def test_the_site_name_is_site_name():
    from flask import render_template_string

    from flaskkit.plugins.syndication import get_current_site

    app = boot(PLUGINS=["syndication"], SITE_URL="https://notes.example", SITE_NAME="Notes")
    with app.test_request_context("/"):
        site = get_current_site()
        assert (site.domain, site.name, site.scheme) == ("notes.example", "Notes", "https")
        assert site.url == "https://notes.example"
        assert render_template_string("{{ site.absolute_url('/a b/') }}", site=site) == "https://notes.example/a%20b/"
