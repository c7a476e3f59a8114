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
``csp_nonce`` in templates, :func:`csp_override`). The plugin also checks
every request's host against ``ALLOWED_HOSTS``, as Django does (a 400 for a host
the site does not serve; see ``hosts.py``), and wraps ``app.wsgi_app`` in
werkzeug's ``ProxyFix`` (``PROXY_FIX``) and the ``WSGI_MIDDLEWARE`` list.

Each entry becomes one layer of the kit's request pipeline (the group
``"MIDDLEWARE"``, in the order listed); ``flask kit middleware`` shows them
with the layers other plugins add.
"""

from __future__ import annotations

import typing as t

from flaskkit import Plugin
from flaskkit.checks import DEPLOY
from flaskkit.checks import check
from flaskkit.pipeline import MIDDLEWARE_GROUP
from flaskkit.pipeline import Layer

from .base import HOOKS
from .base import Middleware
from .base import MiddlewareNotUsed
from .checks import check_allowed_hosts
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
from .hosts import HOSTS_LAYER
from .hosts import AllowedHosts
from .hosts import DisallowedHost
from .hosts import HostCheck
from .hosts import allowed_hosts_patterns
from .hosts import get_host
from .hosts import install_allowed_hosts
from .loading import ResolvedMiddleware
from .loading import instantiate
from .loading import load_middleware
from .security import SecurityMiddleware
from .wsgi import proxy_fix_options
from .wsgi import proxy_ssl_header
from .wsgi import wsgi_layers

if t.TYPE_CHECKING:
    from flask import Flask

    from flaskkit.checks import CheckMessage

__all__ = [
    "CSP",
    "DEFAULT_MIDDLEWARE",
    "HOOKS",
    "AllowedHosts",
    "ContentSecurityPolicyMiddleware",
    "DisallowedHost",
    "GZipMiddleware",
    "LazyNonce",
    "Middleware",
    "MiddlewareNotUsed",
    "MiddlewarePlugin",
    "ResolvedMiddleware",
    "SecurityHeaders",
    "SecurityMiddleware",
    "XFrameOptionsMiddleware",
    "csp_override",
    "csp_report_only_override",
    "get_host",
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


#: How each Django hook of a middleware class maps onto a hook of a pipeline layer.
_LAYER_HOOKS = {
    "process_request": "request",
    "process_view": "view",
    "process_exception": "exception",
    "process_response": "response",
}


def _not_created_yet(*args: object) -> t.NoReturn:
    raise RuntimeError("The middleware is created in the middleware plugin's ready(); the pipeline is not ready.")


class MiddlewarePlugin(Plugin):
    """Runs ``MIDDLEWARE`` around each request, Django's way, and sets up hosts and proxies."""

    name = "middleware"
    defaults: t.ClassVar[t.Mapping[str, t.Any]] = {
        "MIDDLEWARE": list(DEFAULT_MIDDLEWARE),
        "WSGI_MIDDLEWARE": [],
        "PROXY_FIX": None,
        # Django's: ("HTTP_X_FORWARDED_PROTO", "https") makes a request with that header value HTTPS.
        "SECURE_PROXY_SSL_HEADER": None,
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
        #: The app's ``MIDDLEWARE``, created (empty until ``ready``), outermost first.
        self.middleware: list[ResolvedMiddleware] = []
        self._layers: list[Layer] = []
        #: The host check (``ALLOWED_HOSTS``), made in ``init_app``.
        self.allowed_hosts = AllowedHosts(())

    def configure(self, app: Flask) -> None:
        allowed_hosts_patterns(app.config.get("ALLOWED_HOSTS"))
        proxy_fix_options(app.config.get("PROXY_FIX"))
        proxy_ssl_header(app.config.get("SECURE_PROXY_SSL_HEADER"))
        validate_policy(app, "SECURE_CSP")
        validate_policy(app, "SECURE_CSP_REPORT_ONLY")

    def layers(self, app: Flask) -> t.Iterable[Layer]:
        # The classes are imported and checked now; they are created in ready(), so that a
        # middleware's __init__(app) sees every plugin initialised. Until then the hooks the
        # class defines are placeholders.
        self._layers = []
        for index, (label, cls) in enumerate(load_middleware(app.config.get("MIDDLEWARE"))):
            hooks = {hook: _not_created_yet for django, hook in _LAYER_HOOKS.items() if getattr(cls, django, None)}
            self._layers.append(
                Layer(
                    label,
                    group=MIDDLEWARE_GROUP,
                    under=self._layers[-1].name if self._layers else (),
                    origin=f"MIDDLEWARE[{index}]",
                    info={"class": cls},
                    **hooks,  # type: ignore[arg-type]
                )
            )
        wsgi = wsgi_layers(app)
        # Every request's host is checked before Flask sees it: inside the proxy layers (the host the
        # client named), outside the pipeline's other phases, Flask's before_request functions and
        # the view, so none of them sees a host the site does not serve. (The static files, the
        # access log and the health endpoints place themselves outside it.)
        hosts = Layer(
            HOSTS_LAYER,
            wsgi=lambda wsgi_app: HostCheck(wsgi_app, app=app, hosts=self.allowed_hosts),
            under=wsgi[-1].name if wsgi else (),
            origin="ALLOWED_HOSTS",
            description="a host ALLOWED_HOSTS does not name gets 400",
        )
        return [*self._layers, *wsgi, hosts]

    def init_app(self, app: Flask) -> None:
        self.allowed_hosts = install_allowed_hosts(app)
        # csp_nonce in templates (None when ContentSecurityPolicyMiddleware did not see the request).
        app.context_processor(csp_context_processor)

    def ready(self, app: Flask) -> None:
        self.middleware = []
        for layer in self._layers:
            created = instantiate(app, layer.name, layer.info["class"])
            self.middleware.append(created)
            layer.info["instance"] = created.instance
            layer.not_used = created.not_used
            for django, hook in _LAYER_HOOKS.items():
                setattr(layer, hook, created.hooks.get(django))
            if created.target.replace(":", ".").rpartition(".")[2] != layer.name.replace(":", ".").rpartition(".")[2]:
                layer.description = created.target  # an alias: say which class it is

    def checks(self, app: Flask) -> t.Iterable[CheckMessage]:
        return [*check_allowed_hosts(app), *check_django_proxy_settings(app)]

    @check(DEPLOY)
    def deploy_checks(self, app: Flask) -> t.Iterable[CheckMessage]:
        return [*check_deploy(app, self.middleware), *check_csp(app, self.middleware)]
