"""The ``middleware`` plugin: Django's middleware onion on a Flask app.

::

    PLUGINS = ["middleware"]
    MIDDLEWARE = [
        "flaskkit.plugins.middleware:SecurityMiddleware",
        "myapp.middleware:Timing",
        "flaskkit.plugins.middleware:XFrameOptionsMiddleware",
    ]

The first entry is the outermost layer: ``process_request`` and
``process_view`` run top-down, ``process_exception`` and ``process_response``
bottom-up, and a layer that answers early is seen only by the layers it was
entered through. See :class:`Middleware` for the hooks. Django 6.0's
Content-Security-Policy is :class:`ContentSecurityPolicyMiddleware` (settings
``SECURE_CSP`` and ``SECURE_CSP_REPORT_ONLY``, the :class:`CSP` constants,
``csp_nonce`` in templates, :func:`csp_override`). The plugin also maps
``ALLOWED_HOSTS`` onto Flask's ``TRUSTED_HOSTS`` and wraps ``app.wsgi_app`` in
werkzeug's ``ProxyFix`` (``PROXY_FIX``) and the ``WSGI_MIDDLEWARE`` list.
"""

from __future__ import annotations

import typing as t

from flaskkit import Plugin
from flaskkit.checks import DEPLOY
from flaskkit.checks import check

from .base import HOOKS
from .base import Middleware
from .base import MiddlewareNotUsed
from .checks import check_csp
from .checks import check_deploy
from .checks import check_django_proxy_settings
from .clickjacking import XFrameOptionsMiddleware
from .clickjacking import xframe_options_deny
from .clickjacking import xframe_options_exempt
from .clickjacking import xframe_options_sameorigin
from .csp import CSP
from .csp import ContentSecurityPolicyMiddleware
from .csp import LazyNonce
from .csp import csp_context_processor
from .csp import csp_override
from .csp import csp_report_only_override
from .csp import get_nonce
from .csp import validate_policy
from .gzip import GZipMiddleware
from .hosts import apply_allowed_hosts
from .hosts import trusted_hosts
from .loading import Layer
from .loading import resolve_middleware
from .security import SecurityMiddleware
from .stack import MiddlewareStack
from .wsgi import install_wsgi_middleware
from .wsgi import proxy_fix_options

if t.TYPE_CHECKING:
    import click
    from flask import Flask

    from flaskkit.checks import CheckMessage

__all__ = [
    "CSP",
    "DEFAULT_MIDDLEWARE",
    "HOOKS",
    "ContentSecurityPolicyMiddleware",
    "GZipMiddleware",
    "Layer",
    "LazyNonce",
    "Middleware",
    "MiddlewareNotUsed",
    "MiddlewarePlugin",
    "MiddlewareStack",
    "SecurityHeaders",
    "SecurityMiddleware",
    "XFrameOptionsMiddleware",
    "csp_override",
    "csp_report_only_override",
    "get_nonce",
    "xframe_options_deny",
    "xframe_options_exempt",
    "xframe_options_sameorigin",
]

#: The name DESIGN.md's first example used; the same class as :class:`SecurityMiddleware`.
SecurityHeaders = SecurityMiddleware

#: ``MIDDLEWARE`` when the app does not set it: Django's startproject stack, for the layers flaskkit has.
DEFAULT_MIDDLEWARE: tuple[str, ...] = (
    "flaskkit.plugins.middleware:SecurityMiddleware",
    "flaskkit.plugins.middleware:XFrameOptionsMiddleware",
)


class MiddlewarePlugin(Plugin):
    """Runs ``MIDDLEWARE`` around each request, Django's way, and sets up hosts and proxies."""

    name = "middleware"
    # Plugins that wrap the view (orm's ATOMIC_REQUESTS) initialise first, so the onion wraps them:
    # process_exception sees an exception after the view's transaction was rolled back, as in Django.
    after = ("orm",)
    defaults: t.ClassVar[t.Mapping[str, t.Any]] = {
        "MIDDLEWARE": list(DEFAULT_MIDDLEWARE),
        "WSGI_MIDDLEWARE": [],
        "PROXY_FIX": None,
        "ALLOWED_HOSTS": [],
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_SSL_HOST": None,
        "SECURE_REDIRECT_EXEMPT": [],
        "X_FRAME_OPTIONS": "DENY",
        # Django 6.0's Content-Security-Policy (ContentSecurityPolicyMiddleware): {} sends no header.
        "SECURE_CSP": {},
        "SECURE_CSP_REPORT_ONLY": {},
    }

    def __init__(self) -> None:
        #: The app's onion (empty until ``ready``).
        self.stack = MiddlewareStack(())
        #: ``PROXY_FIX`` and ``WSGI_MIDDLEWARE`` as installed, outermost first.
        self.wsgi_layers: list[str] = []

    def configure(self, app: Flask) -> None:
        # Validate what needs no import; the MIDDLEWARE entries are imported in ready().
        trusted_hosts(app.config.get("ALLOWED_HOSTS"))
        proxy_fix_options(app.config.get("PROXY_FIX"))
        validate_policy(app, "SECURE_CSP")
        validate_policy(app, "SECURE_CSP_REPORT_ONLY")

    def init_app(self, app: Flask) -> None:
        apply_allowed_hosts(app)
        self.wsgi_layers = install_wsgi_middleware(app)
        # csp_nonce in templates (None when ContentSecurityPolicyMiddleware did not see the request).
        app.context_processor(csp_context_processor)

    def ready(self, app: Flask) -> None:
        # In ready(), so that a middleware's __init__(app) sees every plugin initialised.
        self.stack = MiddlewareStack(resolve_middleware(app, app.config.get("MIDDLEWARE")))
        self.stack.install(app)

    def checks(self, app: Flask) -> t.Iterable[CheckMessage]:
        return check_django_proxy_settings(app)

    @check(DEPLOY)
    def deploy_checks(self, app: Flask) -> t.Iterable[CheckMessage]:
        return [*check_deploy(app, self.stack.layers), *check_csp(app, self.stack.layers)]

    def kit_commands(self, app: Flask) -> t.Iterable[click.Command]:
        from .cli import middleware_command

        return [middleware_command(self)]
