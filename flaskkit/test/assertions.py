"""Django's response and form assertions, as functions: ``assert_contains(response, "text")``...

Names, arguments, defaults and failure messages are Django's (``assertContains``
is :func:`assert_contains`, ``msg_prefix`` included), on Flask's responses.
``assert_redirects`` and ``assert_template_used`` need the responses of
:class:`flaskkit.test.Client` (the ``client`` fixture's), which keep their client
and the templates they rendered.
"""

from __future__ import annotations

import difflib
import json
import typing as t
from urllib.parse import parse_qsl
from urllib.parse import urlencode
from urllib.parse import urljoin
from urllib.parse import urlparse
from urllib.parse import urlsplit
from urllib.parse import urlunparse

from flask import before_render_template
from flask import template_rendered

from .client import _RECORDING
from .client import _RenderRecord
from .html import HTMLParseError
from .html import parse_html

if t.TYPE_CHECKING:
    from werkzeug.test import TestResponse

__all__ = [
    "assert_contains",
    "assert_form_error",
    "assert_html_equal",
    "assert_html_not_equal",
    "assert_json_equal",
    "assert_not_contains",
    "assert_redirects",
    "assert_template_not_used",
    "assert_template_used",
    "assert_url_equal",
]


def _prefix(msg_prefix: str) -> str:
    return f"{msg_prefix}: " if msg_prefix else ""


def _parse(markup: str, what: str, msg: str | None = None) -> t.Any:
    try:
        return parse_html(markup)
    except HTMLParseError as exc:
        raise AssertionError(f"{msg + ': ' if msg else ''}{what} is not valid HTML:\n{exc.args}") from None


# -- contents --------------------------------------------------------------------------------------


def _count(response: TestResponse, text: t.Any, status_code: int, msg_prefix: str, html: bool) -> tuple[str, int]:
    prefix = _prefix(msg_prefix)
    if response.status_code != status_code:
        raise AssertionError(
            f"{prefix}Couldn't retrieve content: Response code was {response.status_code} (expected {status_code})"
        )
    content: t.Any = response.get_data()
    if not isinstance(text, bytes) or html:
        text = str(text)
        content = content.decode(response.charset if hasattr(response, "charset") else "utf-8")
        text_repr = f"'{text}'"
    else:
        text_repr = repr(text)
    if html:
        content = _parse(content, "Response's content")
        text = _parse(text, "Second argument")
    return text_repr, content.count(text)


def assert_contains(
    response: TestResponse,
    text: t.Any,
    count: int | None = None,
    status_code: int = 200,
    msg_prefix: str = "",
    html: bool = False,
) -> None:
    """Assert that the response has ``status_code`` and that ``text`` is in its body (``count`` times,
    if given). With ``html=True``, ``text`` is compared as HTML (see :mod:`flaskkit.test.html`)."""
    text_repr, real_count = _count(response, text, status_code, msg_prefix, html)
    prefix = _prefix(msg_prefix)
    if count is not None:
        if real_count != count:
            raise AssertionError(f"{prefix}Found {real_count} instances of {text_repr} in response (expected {count})")
    elif real_count == 0:
        raise AssertionError(f"{prefix}Couldn't find {text_repr} in response")


def assert_not_contains(
    response: TestResponse, text: t.Any, status_code: int = 200, msg_prefix: str = "", html: bool = False
) -> None:
    """Assert that the response has ``status_code`` and that ``text`` is not in its body."""
    text_repr, real_count = _count(response, text, status_code, msg_prefix, html)
    if real_count != 0:
        raise AssertionError(f"{_prefix(msg_prefix)}Response should not contain {text_repr}")


# -- redirects ------------------------------------------------------------------------------------------


def assert_url_equal(url1: t.Any, url2: t.Any, msg_prefix: str = "") -> None:
    """Assert that two URLs are the same, the order of the query's parameters aside (but for parameters of
    the same name: ``/?a=1&a=2`` is not ``/?a=2&a=1``)."""

    def normalize(url: t.Any) -> str:
        scheme, netloc, path, params, query, fragment = urlparse(str(url))
        return urlunparse((scheme, netloc, path, params, urlencode(sorted(parse_qsl(query))), fragment))

    if normalize(url1) != normalize(url2):
        raise AssertionError(f"{_prefix(msg_prefix)}Expected '{url1}' to equal '{url2}'.")


def assert_redirects(
    response: TestResponse,
    expected_url: str,
    status_code: int = 302,
    target_status_code: int = 200,
    msg_prefix: str = "",
    fetch_redirect_response: bool = True,
) -> None:
    """Assert that the response redirected to ``expected_url`` with ``status_code``, and that the
    target answers ``target_status_code`` (fetched with the same client, unless
    ``fetch_redirect_response=False``, for a URL the app does not serve). A response got with
    ``follow_redirects=True`` is checked against its redirect chain instead."""
    prefix = _prefix(msg_prefix)
    history = getattr(response, "history", ())
    if history:  # followed: Django's redirect_chain
        first = history[0].status_code
        if first != status_code:
            raise AssertionError(
                f"{prefix}Initial response didn't redirect as expected: Response code was {first} "
                f"(expected {status_code})"
            )
        url = t.cast(str, history[-1].location)
        if response.status_code != target_status_code:
            raise AssertionError(
                f"{prefix}Response didn't redirect as expected: Final Response code was {response.status_code} "
                f"(expected {target_status_code})"
            )
    else:
        if response.status_code != status_code:
            raise AssertionError(
                f"{prefix}Response didn't redirect as expected: Response code was {response.status_code} "
                f"(expected {status_code})"
            )
        url = response.location
        scheme, netloc, path, query, _fragment = urlsplit(url)
        if not path.startswith("/"):  # relative to the request's path
            request_path = response.request.path if response.request is not None else "/"
            url = urljoin(request_path, url)
            path = urljoin(request_path, path)
        if fetch_redirect_response:
            _fetch_target(response, url, scheme, netloc, path, query, target_status_code, prefix)
    if _normalized(url) != _normalized(expected_url):
        raise AssertionError(f"{prefix}Response redirected to '{url}', expected '{expected_url}'")


def _normalized(url: t.Any) -> str:
    scheme, netloc, path, params, query, fragment = urlparse(str(url))
    return urlunparse((scheme, netloc, path, params, urlencode(sorted(parse_qsl(query))), fragment))


def _fetch_target(
    response: TestResponse,
    url: str,
    scheme: str,
    netloc: str,
    path: str,
    query: str,
    target_status_code: int,
    prefix: str,
) -> None:
    client = getattr(response, "client", None)
    if client is None:
        raise ValueError(
            "assert_redirects() fetches the target with the client that got the response: use flaskkit's test "
            "client (the client fixture, flaskkit.test.Client), or assert_redirects(..., "
            "fetch_redirect_response=False)."
        )
    host = netloc.partition(":")[0]
    if host and not _served_here(client.application, host, response):
        raise ValueError(
            f"The test client is unable to fetch remote URLs (got {url}). If the host is served by this app, add "
            f"'{host}' to ALLOWED_HOSTS. Otherwise, use assert_redirects(..., fetch_redirect_response=False)."
        )
    base_url = f"{scheme or 'http'}://{netloc or _request_host(response)}"
    target = client.get(path, query_string=query, base_url=base_url)
    if target.status_code != target_status_code:
        raise AssertionError(
            f"{prefix}Couldn't retrieve redirection page '{path}': response code was {target.status_code} "
            f"(expected {target_status_code})"
        )


def _request_host(response: TestResponse) -> str:
    return response.request.host if response.request is not None else "localhost"


def _served_here(app: t.Any, host: str, response: TestResponse) -> bool:
    if host in ("localhost", _request_host(response).partition(":")[0]):
        return True
    server_name = (app.config.get("SERVER_NAME") or "").partition(":")[0]
    allowed = list(app.config.get("ALLOWED_HOSTS") or ())
    for pattern in [server_name, *allowed]:
        if not pattern:
            continue
        if pattern in ("*", host) or (pattern.startswith(".") and (host.endswith(pattern) or host == pattern[1:])):
            return True
    return False


# -- templates ------------------------------------------------------------------------------------------


class _TemplatesUsed:
    """``with assert_template_used("name"):``: the templates rendered in the block, wherever."""

    def __init__(self, template_name: str, msg_prefix: str, count: int | None, *, used: bool) -> None:
        self.template_name, self.msg_prefix, self.count, self.used = template_name, msg_prefix, count, used
        self.record = _RenderRecord()
        self._token: t.Any = None
        self._parent: _RenderRecord | None = None

    def _before(self, sender: t.Any, template: t.Any, context: t.Any, **extra: t.Any) -> None:
        self.record.before_render(sender, template, context)

    def _after(self, sender: t.Any, template: t.Any, context: t.Any, **extra: t.Any) -> None:
        self.record.rendered(sender, template, context)

    def __enter__(self) -> _TemplatesUsed:
        self._parent = _RECORDING.get(None)
        self._token = _RECORDING.set(self.record)
        before_render_template.connect(self._before)
        template_rendered.connect(self._after)
        return self

    def __exit__(self, exc_type: t.Any, exc: t.Any, tb: t.Any) -> None:
        template_rendered.disconnect(self._after)
        before_render_template.disconnect(self._before)
        _RECORDING.reset(self._token)
        if self._parent is not None:  # an enclosing block saw these renders too
            self._parent.templates.extend(self.record.templates)
            self._parent.contexts.extend(self.record.contexts)
        if exc_type is not None:
            return
        names = _names(self.record.templates)
        if self.used:
            _check_used(self.template_name, names, _prefix(self.msg_prefix), self.count)
        else:
            _check_not_used(self.template_name, names, _prefix(self.msg_prefix))


def _names(templates: t.Iterable[t.Any]) -> list[str]:
    return [template.name for template in templates if template.name is not None]


def _templates_of(response: t.Any, template_name: t.Any, method: str) -> tuple[str | None, list[str] | None]:
    if response is None and template_name is None:
        raise TypeError("response and/or template_name argument must be provided")
    if template_name is not None and response is not None and not hasattr(response, "templates"):
        raise ValueError(f"{method}() is only usable on responses fetched using flaskkit's test client.")
    if not hasattr(response, "templates") or (response is None and template_name):
        return (response if response else template_name), None  # the context-manager form
    return None, _names(response.templates)


def _check_used(template_name: str, names: list[str], prefix: str, count: int | None) -> None:
    if not names:
        raise AssertionError(f"{prefix}No templates used to render the response")
    if template_name not in names:
        raise AssertionError(
            f"{prefix}Template '{template_name}' was not a template used to render the response. "
            f"Actual template(s) used: {', '.join(names)}"
        )
    if count is not None and names.count(template_name) != count:
        raise AssertionError(
            f"{prefix}Template '{template_name}' was expected to be rendered {count} time(s) but was actually "
            f"rendered {names.count(template_name)} time(s)."
        )


def _check_not_used(template_name: str, names: list[str], prefix: str) -> None:
    if template_name in names:
        raise AssertionError(f"{prefix}Template '{template_name}' was used unexpectedly in rendering the response")


def assert_template_used(
    response: t.Any = None, template_name: str | None = None, msg_prefix: str = "", count: int | None = None
) -> t.Any:
    """Assert that ``template_name`` was rendered for the response (``count`` times, if given),
    itself or as a template another extended, included or imported::

        assert_template_used(response, "polls/detail.html")
        with assert_template_used("polls/detail.html"):
            client.get("/polls/1/")
    """
    context_name, names = _templates_of(response, template_name, "assert_template_used")
    if context_name is not None:
        return _TemplatesUsed(context_name, msg_prefix, count, used=True)
    _check_used(t.cast(str, template_name), t.cast("list[str]", names), _prefix(msg_prefix), count)
    return None


def assert_template_not_used(response: t.Any = None, template_name: str | None = None, msg_prefix: str = "") -> t.Any:
    """Assert that ``template_name`` was not rendered for the response (also a context manager)."""
    context_name, names = _templates_of(response, template_name, "assert_template_not_used")
    if context_name is not None:
        return _TemplatesUsed(context_name, msg_prefix, None, used=False)
    _check_not_used(t.cast(str, template_name), t.cast("list[str]", names), _prefix(msg_prefix))
    return None


# -- forms -------------------------------------------------------------------------------------------


def _form_repr(form: t.Any) -> str:
    bound = getattr(form, "is_bound", True)
    valid = getattr(form, "_valid", None) if bound else None
    shown = "Unknown" if valid is None else str(valid)
    fields = ";".join(name for name in form._fields)
    return f"<{type(form).__name__} bound={bound}, valid={shown}, fields=({fields})>"


def assert_form_error(form: t.Any, field: str | None, errors: str | list[str], msg_prefix: str = "") -> None:
    """Assert that ``field`` of ``form`` has exactly ``errors`` (a message, or a list; ``[]``: none);
    ``field=None`` checks the form's non-field errors. Take the form from the response::

        assert_form_error(response.context["form"], "email", "Enter a valid email address.")
    """
    prefix = _prefix(msg_prefix)
    expected = errors if isinstance(errors, list) else [errors]
    described = f"form {_form_repr(form)}"
    if not getattr(form, "is_bound", True):
        raise AssertionError(f"{prefix}The {described} is not bound, it will never have any errors.")
    if field is not None and field not in form._fields:
        raise AssertionError(f"{prefix}The {described} does not contain the field {field!r}.")
    if field is None:
        actual = list(form.non_field_errors()) if hasattr(form, "non_field_errors") else list(form.form_errors)
        failure = f"The non-field errors of {described} don't match."
    else:
        actual = list(form[field].errors)
        failure = f"The errors of field {field!r} on {described} don't match."
    if actual != expected:
        raise AssertionError(f"{prefix}{failure}\n{actual!r} != {expected!r}")


# -- HTML and JSON ----------------------------------------------------------------------------------------


def assert_html_equal(html1: str, html2: str, msg: str | None = None) -> None:
    """Assert that two pieces of HTML mean the same (see :mod:`flaskkit.test.html`)."""
    dom1 = _parse(html1, "First argument", msg)
    dom2 = _parse(html2, "Second argument", msg)
    if dom1 != dom2:
        diff = "\n".join(difflib.ndiff(str(dom1).splitlines(), str(dom2).splitlines()))
        raise AssertionError(f"{msg + ': ' if msg else ''}{dom1} != {dom2}\n{diff}")


def assert_html_not_equal(html1: str, html2: str, msg: str | None = None) -> None:
    """Assert that two pieces of HTML differ in meaning."""
    dom1 = _parse(html1, "First argument", msg)
    dom2 = _parse(html2, "Second argument", msg)
    if dom1 == dom2:
        raise AssertionError(f"{msg + ': ' if msg else ''}{dom1} == {dom2}")


def assert_json_equal(raw: str | bytes, expected_data: t.Any, msg: str | None = None) -> None:
    """Assert that the JSON text ``raw`` holds ``expected_data`` (itself JSON text, or Python data)."""
    try:
        data = json.loads(raw)
    except ValueError:
        raise AssertionError(f"{msg + ': ' if msg else ''}First argument is not valid JSON: {raw!r}") from None
    if isinstance(expected_data, str | bytes):
        try:
            expected_data = json.loads(expected_data)
        except ValueError:
            raise AssertionError(
                f"{msg + ': ' if msg else ''}Second argument is not valid JSON: {expected_data!r}"
            ) from None
    if data != expected_data:
        raise AssertionError(f"{msg + ': ' if msg else ''}{data!r} != {expected_data!r}")
