"""``url_has_allowed_host_and_scheme``: Django's test vectors (tests/utils_tests/test_http.py), ported."""

from __future__ import annotations

import pytest

from flaskkit.plugins.auth import url_has_allowed_host_and_scheme
from flaskkit.plugins.auth.urls import MAX_URL_LENGTH

BAD_URLS = [
    "http://example.com",
    "http:///example.com",
    "https://example.com",
    "ftp://example.com",
    r"\\example.com",
    r"\\\example.com",
    r"/\\/example.com",
    r"\\//example.com",
    r"/\/example.com",
    r"\/example.com",
    r"/\example.com",
    r"http:/\//example.com",
    r"http:\/example.com",
    r"http:/\example.com",
    'javascript:alert("XSS")',
    "\njavascript:alert(x)",
    "java\nscript:alert(x)",
    "\x08//example.com",
    r"http://otherserver\@example.com",
    r"http:\\testserver\@example.com",
    r"http://testserver\me:pass@example.com",
    r"http://testserver\@example.com",
    r"http:\\testserver\confirm\me@example.com",
    "http:999999999",
    "ftp:9999999999",
    "\n",
    "http://[2001:cdba:0000:0000:0000:0000:3257:9652/",
    "http://2001:cdba:0000:0000:0000:0000:3257:9652]/",
]

GOOD_URLS = [
    "/view/?param=http://example.com",
    "/view/?param=https://example.com",
    "/view?param=ftp://example.com",
    "view/?param=//example.com",
    "https://testserver/",
    "HTTPS://testserver/",
    "//testserver/",
    "http://testserver/confirm?email=me@example.com",
    "/url%20with%20spaces/",
    "path/http:2222222222",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_bad_urls(url):
    assert url_has_allowed_host_and_scheme(url, allowed_hosts={"testserver", "testserver2"}) is False


@pytest.mark.parametrize("url", GOOD_URLS)
def test_good_urls(url):
    assert url_has_allowed_host_and_scheme(url, allowed_hosts={"otherserver", "testserver"}) is True


def test_basic_auth():
    assert url_has_allowed_host_and_scheme(r"http://user:pass@testserver/", allowed_hosts={"user:pass@testserver"})


def test_no_allowed_hosts():
    assert url_has_allowed_host_and_scheme("/confirm/me@example.com", allowed_hosts=None) is True
    assert url_has_allowed_host_and_scheme(r"http://testserver\@example.com", allowed_hosts=None) is False


def test_allowed_hosts_str():
    assert url_has_allowed_host_and_scheme("http://good.com/good", allowed_hosts="good.com") is True
    assert url_has_allowed_host_and_scheme("http://good.co/evil", allowed_hosts="good.com") is False


@pytest.mark.parametrize("url", ["https://example.com/p", "HTTPS://example.com/p", "/view/?param=http://example.com"])
def test_secure_param_https_urls(url):
    assert url_has_allowed_host_and_scheme(url, allowed_hosts={"example.com"}, require_https=True) is True


@pytest.mark.parametrize("url", ["http://example.com/p", "ftp://example.com/p", "//example.com/p"])
def test_secure_param_non_https_urls(url):
    assert url_has_allowed_host_and_scheme(url, allowed_hosts={"example.com"}, require_https=True) is False


@pytest.mark.parametrize("url", ["", "   ", None])
def test_empty_urls(url):
    assert url_has_allowed_host_and_scheme(url, allowed_hosts={"testserver"}) is False


def test_very_long_urls_are_refused():
    assert url_has_allowed_host_and_scheme("/" + "a" * MAX_URL_LENGTH, allowed_hosts={"testserver"}) is False
    assert url_has_allowed_host_and_scheme("/" + "a" * (MAX_URL_LENGTH - 1), allowed_hosts={"testserver"}) is True
