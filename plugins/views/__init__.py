"""The ``views`` plugin: Django's generic class-based views on Flask's ``View``.

::

    # settings.py
    PLUGINS = ["orm", "forms", "cache", "views"]

    # urls / app.py
    from flaskkit.plugins.views import CreateView, DeleteView, DetailView, ListView, UpdateView

    app.add_url_rule("/posts/", view_func=ListView.as_view(model=Post, paginate_by=10))
    app.add_url_rule("/posts/<int:pk>/", view_func=DetailView.as_view(model=Post))
    app.add_url_rule(
        "/posts/new/", view_func=CreateView.as_view(model=Post, fields=["title", "body"], success_url="/posts/{id}/")
    )

``View``, ``TemplateView``, ``RedirectView``, ``ListView``, ``DetailView``,
``FormView``, ``CreateView``, ``UpdateView``, ``DeleteView`` and
``method_decorator`` behave as Django's; templates are found by Django's naming
rules, with shipped fallbacks (``views/object_list.html``...) that extend
``VIEWS_BASE_TEMPLATE``. See docs/plugins/views.md.
"""

from __future__ import annotations

import typing as t

from flask import Blueprint

from flaskkit import ConfigurationError
from flaskkit import Plugin
from flaskkit.checks import CheckMessage

from . import checks as _checks
from .base import ContextMixin
from .base import RedirectView
from .base import TemplateResponseMixin
from .base import TemplateView
from .base import View
from .decorators import method_decorator
from .detail import DetailView
from .detail import SingleObjectMixin
from .detail import SingleObjectTemplateResponseMixin
from .edit import CreateView
from .edit import DeleteView
from .edit import DeletionMixin
from .edit import FormMixin
from .edit import FormView
from .edit import ModelFormMixin
from .edit import UpdateView
from .list import ListView
from .list import MultipleObjectMixin
from .list import MultipleObjectTemplateResponseMixin
from .pagination import Page
from .pagination import Paginator
from .urls import lazy_url_for

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = [
    "ContextMixin",
    "CreateView",
    "DeleteView",
    "DeletionMixin",
    "DetailView",
    "FormMixin",
    "FormView",
    "ListView",
    "ModelFormMixin",
    "MultipleObjectMixin",
    "MultipleObjectTemplateResponseMixin",
    "Page",
    "Paginator",
    "RedirectView",
    "SingleObjectMixin",
    "SingleObjectTemplateResponseMixin",
    "TemplateResponseMixin",
    "TemplateView",
    "UpdateView",
    "View",
    "ViewsPlugin",
    "lazy_url_for",
    "method_decorator",
]

#: ``app.extensions[EXTENSION_KEY]`` is the app's :class:`ViewsPlugin`.
EXTENSION_KEY = "flaskkit.views"


class ViewsPlugin(Plugin):
    """Generic class-based views for an app: the shipped templates and the registration checks.

    The view classes themselves hold no app state: one class can be registered
    on several apps, each rendering with its own settings and templates.
    """

    name = "views"
    requires = ("orm", "forms")
    # cache_timeout uses the cache plugin when it is enabled; it must be set up first.
    after = ("cache",)
    extra = "views"
    defaults: t.ClassVar[t.Mapping[str, t.Any]] = {
        # The template the shipped templates (views/object_list.html...) extend. It must have
        # the blocks "title" and "content".
        "VIEWS_BASE_TEMPLATE": "views/base.html",
    }

    def configure(self, app: Flask) -> None:
        base = app.config["VIEWS_BASE_TEMPLATE"]
        if not isinstance(base, str) or not base.strip():
            raise ConfigurationError(
                f"VIEWS_BASE_TEMPLATE must be the name of a template, not {base!r}.",
                setting="VIEWS_BASE_TEMPLATE",
                hint='Write VIEWS_BASE_TEMPLATE = "base.html" (a template with the blocks "title" and "content"), '
                'or leave the default "views/base.html".',
            )

    def init_app(self, app: Flask) -> None:
        # The shipped templates, after the app's own (templates/views/... in the app wins), and their
        # style sheet (no inline CSS: they work under a strict Content-Security-Policy).
        app.register_blueprint(
            Blueprint(
                "flaskkit_views",
                __name__,
                template_folder="templates",
                static_folder="static",
                static_url_path="/_flaskkit/views",
            )
        )
        app.extensions[EXTENSION_KEY] = self

    def checks(self, app: Flask) -> t.Iterable[CheckMessage]:
        return _checks.check_views(app)
