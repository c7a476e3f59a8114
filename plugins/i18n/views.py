"""``set_language``: Django's view that remembers a visitor's language in a cookie.

::

    <form action="{{ url_for('i18n.set_language') }}" method="post">
      {{ csrf_input() }}
      <input name="next" type="hidden" value="{{ request.full_path }}">
      <select name="language">...</select>
      <button>Go</button>
    </form>

Or ``{% from "i18n/macros.html" import language_switcher %}{{ language_switcher() }}``.
A POST only; ``next`` (form, then query string, then ``Referer``) is followed
only when it is safe (:func:`flaskkit.http.url_has_allowed_host_and_scheme`),
translated to the new language when it carries one; a request without a usable
``next`` that does not accept HTML gets a 204. A language the site does not
have is a 400 that lists the ones it has.

Cross-site requests are refused (403) from the headers every browser sends with
a form's POST, ``Origin`` and ``Sec-Fetch-Site``, rather than with a CSRF token:
the switcher is on every page, and a token would set the CSRF cookie on every
response, which no cache (``cache_page``, a proxy) may then store. The origins
of ``CSRF_TRUSTED_ORIGINS`` are accepted, as by the forms plugin; a client that
sends neither header (not a browser) is not a CSRF vector.
"""

from __future__ import annotations

import typing as t

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from werkzeug.exceptions import Forbidden

from flaskkit.http import allowed_hosts
from flaskkit.http import url_has_allowed_host_and_scheme
from flaskkit.translation import EXTENSION_KEY
from flaskkit.translation import gettext as _

from .locale import translate_url

if t.TYPE_CHECKING:
    from flask.typing import ResponseReturnValue

    from . import I18nPlugin

__all__ = ["LANGUAGE_QUERY_PARAMETER", "make_blueprint", "set_language"]

#: The form field that names the language (Django's ``LANGUAGE_QUERY_PARAMETER``).
LANGUAGE_QUERY_PARAMETER = "language"


def _safe(url: str | None) -> bool:
    return url_has_allowed_host_and_scheme(url, allowed_hosts(), require_https=request.is_secure)


def _cross_site() -> bool:
    """Whether the browser says this POST comes from another site (Origin, else Sec-Fetch-Site)."""
    origin = request.headers.get("Origin")
    if origin is not None and origin != "null":
        trusted = current_app.config.get("CSRF_TRUSTED_ORIGINS") or ()
        return origin != f"{request.scheme}://{request.host}" and origin not in trusted
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    return origin == "null"  # an opaque origin: a sandboxed frame, a redirect from elsewhere


def set_language() -> ResponseReturnValue:
    """Set the language cookie to the posted ``language`` and go back to ``next``."""
    plugin: I18nPlugin = current_app.extensions[EXTENSION_KEY]
    if _cross_site():
        raise Forbidden(_("The language can only be changed from this site’s own pages."))  # noqa: RUF001
    next_url = request.form.get("next", request.args.get("next"))
    if (next_url or request.accept_mimetypes.accept_html) and not _safe(next_url):
        next_url = request.headers.get("Referer")
        if not _safe(next_url):
            next_url = request.script_root + "/"
    code = (request.form.get(LANGUAGE_QUERY_PARAMETER) or "").strip().lower()
    if not code or not plugin.chooser.check_for_language(code):
        # Django ignores it silently; a form that sends a language the site does not have is told so.
        page = render_template(
            "i18n/bad_language.html",
            language=code,
            languages=plugin.language_choices(),
            next=next_url or request.script_root + "/",
        )
        return page, 400
    response: Response
    if next_url:
        response = redirect(translate_url(current_app, plugin, next_url, code, request.environ))
    else:
        response = current_app.response_class(status=204)
    response.set_cookie(plugin.settings.cookie_name, code, **plugin.settings.cookie)
    return response


# Checked above, from the request's headers: the forms plugin's token check would need a CSRF
# cookie on every page that shows the switcher (see the module's docstring).
set_language.csrf_exempt = True  # type: ignore[attr-defined]  # the forms plugin's mark (its csrf_exempt)


def make_blueprint(url_prefix: str) -> Blueprint:
    """The ``i18n`` blueprint: ``set_language`` at ``<url_prefix>/setlang/`` (endpoint ``i18n.set_language``)."""
    blueprint = Blueprint("i18n", __name__, url_prefix=url_prefix)
    blueprint.add_url_rule("/setlang/", "set_language", set_language, methods=["POST"])
    return blueprint
