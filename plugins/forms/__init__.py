"""The ``forms`` plugin: WTForms + Flask-WTF with Django's forms and CSRF semantics.

::

    PLUGINS = ["orm", "forms"]

    from flaskkit.plugins.forms import Form, ModelForm, csrf_exempt

* :class:`Form` (Flask-WTF's ``FlaskForm`` with ``is_valid()``,
  ``cleaned_data``, ``clean()``, ``add_error()``, ``non_field_errors()``) and
  :class:`ModelForm` (``Meta.model`` + ``fields`` or ``exclude``, unique
  checks, ``save(commit=...)``, ``instance=``);
* CSRF protection on every POST/PUT/PATCH/DELETE of every view, Django's way:
  the secret in its own ``csrftoken`` cookie (``CSRF_COOKIE_*``; the session
  with ``CSRF_USE_SESSIONS``), a token masked afresh for each form; a failure
  is a 403 page; the ``Origin`` header is checked (``CSRF_TRUSTED_ORIGINS``);
  :func:`rotate_csrf_token` for login; :func:`csrf_exempt` to opt a view out;
* Jinja macros: ``{% from "forms/macros.html" import render_form, render_field %}``;
* request limits: ``MAX_CONTENT_LENGTH`` defaults to 10 MB, and
  ``MAX_FORM_PARTS`` (1000) caps urlencoded forms too.
"""

from __future__ import annotations

import os
import typing as t

from flask import Blueprint

from flaskkit import Plugin
from flaskkit.checks import DEPLOY
from flaskkit.checks import CheckMessage
from flaskkit.checks import check

from . import checks as _checks
from .csrf import CSRFError
from .csrf import KitCSRFProtect
from .csrf import TrustedOrigins
from .csrf import csrf_exempt
from .csrf import csrf_input
from .csrf import get_token
from .csrf import resolve_failure_view
from .csrf import rotate_csrf_token
from .fields import JSONField
from .fields import UUIDField
from .forms import Form
from .forms import ValidationError
from .limits import limited_request_class
from .storage import FileSystemStorage
from .storage import Storage
from .storage import default_storage
from .validators import Required

if t.TYPE_CHECKING:
    from flask import Flask

    from .modelform import ModelForm
    from .queryfields import QuerySelectField
    from .queryfields import QuerySelectMultipleField

__all__ = [
    "DEFAULT_MAX_CONTENT_LENGTH",
    "CSRFError",
    "FileSystemStorage",
    "Form",
    "FormsPlugin",
    "JSONField",
    "ModelForm",
    "QuerySelectField",
    "QuerySelectMultipleField",
    "Required",
    "Storage",
    "UUIDField",
    "ValidationError",
    "csrf_exempt",
    "csrf_input",
    "default_storage",
    "get_token",
    "rotate_csrf_token",
]

#: Public names that need SQLAlchemy, imported on first use so that forms work without it.
_NEEDS_SQLALCHEMY = {
    "ModelForm": ".modelform",
    "QuerySelectField": ".queryfields",
    "QuerySelectMultipleField": ".queryfields",
}


def __getattr__(name: str) -> t.Any:
    module_name = _NEEDS_SQLALCHEMY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    try:
        module = importlib.import_module(module_name, __name__)
    except ModuleNotFoundError as exc:
        if exc.name not in ("sqlalchemy", "flask_sqlalchemy"):
            raise
        raise ImportError(
            f'{name} needs SQLAlchemy, which is not installed: pip install "flaskkit[forms,orm]" '
            "and add 'orm' to PLUGINS."
        ) from exc
    value = getattr(module, name)
    globals()[name] = value
    return value


#: Where the plugin's style sheets are served (the blueprint ``flaskkit_forms``'s static folder).
STATIC_URL_PATH = "/_flaskkit/forms"

#: ``MAX_CONTENT_LENGTH`` when the app leaves it at Flask's ``None`` (no limit): 10 MB.
DEFAULT_MAX_CONTENT_LENGTH = 10 * 1024 * 1024


class FormsPlugin(Plugin):
    """Forms, CSRF protection and request limits for an app (one instance per app)."""

    name = "forms"
    after = ("session", "orm")
    extra = "forms"
    defaults: t.ClassVar[t.Mapping[str, t.Any]] = {
        # Flask-WTF's keys, with upstream's meaning and defaults, except the time limit: tokens do not
        # expire by themselves (Django); the secret lives as long as its cookie (CSRF_COOKIE_AGE).
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_CHECK_DEFAULT": True,
        "WTF_CSRF_METHODS": ["POST", "PUT", "PATCH", "DELETE"],
        "WTF_CSRF_FIELD_NAME": "csrf_token",
        "WTF_CSRF_HEADERS": ["X-CSRFToken", "X-CSRF-Token"],
        "WTF_CSRF_META_NAME": "csrf-token",
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": True,
        "WTF_I18N_ENABLED": True,
        # Django's names and defaults. The secret's cookie (or the session, with CSRF_USE_SESSIONS):
        "CSRF_USE_SESSIONS": False,
        "CSRF_COOKIE_NAME": "csrftoken",
        "CSRF_COOKIE_AGE": 60 * 60 * 24 * 7 * 52,  # about a year, as Django
        "CSRF_COOKIE_DOMAIN": None,
        "CSRF_COOKIE_PATH": "/",
        "CSRF_COOKIE_SECURE": False,
        "CSRF_COOKIE_HTTPONLY": False,
        "CSRF_COOKIE_SAMESITE": "Lax",
        # The header scripts send the token in (Django's HTTP_X_CSRFTOKEN spelling works too);
        # WTF_CSRF_HEADERS are accepted as well.
        "CSRF_HEADER_NAME": "X-CSRFToken",
        # Origins (scheme://host[:port]) allowed to post to this site.
        "CSRF_TRUSTED_ORIGINS": [],
        # A view answering failed checks, called with reason=... (None: forms/csrf_failure.html).
        "CSRF_FAILURE_VIEW": None,
        # Uploads saved by ModelForm: the directory (None: "media" in the instance folder; a
        # relative path is in the instance folder) and the URL they are served at.
        "MEDIA_ROOT": None,
        "MEDIA_URL": "/media/",
    }

    #: The app's CSRF protection (also ``app.extensions["csrf"]``), made in :meth:`init_app`.
    csrf: KitCSRFProtect
    #: Where uploads go (``default_storage()``): a :class:`FileSystemStorage` on ``MEDIA_ROOT``;
    #: assign another :class:`Storage` to change it.
    storage: Storage

    def configure(self, app: Flask) -> None:
        # Flask's own default is None (no limit), and a None from the settings cannot be told
        # apart from it: None means "the forms plugin's default".
        if app.config.get("MAX_CONTENT_LENGTH") is None:
            app.config["MAX_CONTENT_LENGTH"] = DEFAULT_MAX_CONTENT_LENGTH
        _checks.validate_settings(app)

    def init_app(self, app: Flask) -> None:
        self.csrf = KitCSRFProtect(
            TrustedOrigins(app.config.get("CSRF_TRUSTED_ORIGINS") or ()),
            resolve_failure_view(app.config.get("CSRF_FAILURE_VIEW")),
        )
        self.csrf.init_app(app)
        app.request_class = limited_request_class(app.request_class)
        # The templates (forms/macros.html, forms/csrf_failure.html) and their style sheets: no inline
        # CSS, so that they work under a strict Content-Security-Policy.
        app.register_blueprint(
            Blueprint(
                "flaskkit_forms",
                __name__,
                template_folder="templates",
                static_folder="static",
                static_url_path=STATIC_URL_PATH,
            )
        )
        root = app.config.get("MEDIA_ROOT") or "media"
        self.storage = FileSystemStorage(os.path.join(app.instance_path, os.fspath(root)), app.config["MEDIA_URL"])
        app.extensions["flaskkit.forms"] = self

    def checks(self, app: Flask) -> t.Iterable[CheckMessage]:
        return _checks.check_csrf_methods(app)

    @check(DEPLOY)
    def check_csrf_enabled(self, app: Flask) -> t.Iterable[CheckMessage]:
        return _checks.check_csrf_enabled(app)

    @check(DEPLOY)
    def check_form_parts(self, app: Flask) -> t.Iterable[CheckMessage]:
        return _checks.check_form_parts(app)

    @check(DEPLOY)
    def check_csrf_cookie(self, app: Flask) -> t.Iterable[CheckMessage]:
        return _checks.check_csrf_cookie_secure(app)
