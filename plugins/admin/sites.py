"""``AdminSite``: which models the admin shows, with which ``ModelAdmin`` (Django's ``admin.site``).

::

    # blog/admin.py
    from flaskkit.plugins import admin
    from .models import Post

    @admin.register(Post)
    class PostAdmin(admin.ModelAdmin):
        list_display = ["title", "published"]

    admin.site.register(Tag)                     # the default ModelAdmin

The registry is the process's, as Django's is: models are defined once per
process, and so are their admin classes. What is per app is the admin built
from it: when an app boots, the admin plugin imports the ``admin.py`` modules
of the app and of its enabled plugins (``autodiscover``), and makes one
``ModelAdmin`` view per registration *made by those modules* (or by a module
of those packages, or one listed in ``ADMIN_MODULES``). Two apps of one process
with different plugins get different admins.
"""

from __future__ import annotations

import sys
import typing as t
from dataclasses import dataclass

import sqlalchemy as sa

from flaskkit import ConfigurationError

if t.TYPE_CHECKING:
    from flask import Flask

    from .options import ModelAdmin

__all__ = ["AdminSite", "AlreadyRegistered", "LazyModel", "NotRegistered", "Registration", "register", "site"]


class AlreadyRegistered(Exception):
    """The model is registered with this site already (unregister it first to replace its admin)."""


class NotRegistered(Exception):
    """The model is not registered with this site."""


class LazyModel:
    """A model that each app names for itself: the user model (``AUTH_USER_MODEL``).

    Registered like a model; resolved when an app builds its admin. A
    registration of the resolved model itself wins over it, so an app that
    registers its own user model with its own ``ModelAdmin`` gets that one.
    """

    def __init__(self, name: str, resolve: t.Callable[[Flask], type | None]) -> None:
        self.name = name
        self.resolve = resolve

    def __repr__(self) -> str:
        return f"<LazyModel {self.name}>"


@dataclass(frozen=True)
class Registration:
    """One model registered with a site."""

    model: type | LazyModel
    admin_class: type[ModelAdmin]
    #: The module that registered it (autodiscovery serves an app the registrations of its modules).
    module: str


class AdminSite:
    """A registry of models and their ``ModelAdmin`` classes.

    ``flaskkit.plugins.admin.site`` is the default one; a project that wants
    another names it in ``ADMIN_SITE = "myproject.admin:site"``. The texts of
    the pages are the ``ADMIN_SITE_HEADER``... settings unless the site sets
    them (Django's attributes).
    """

    #: The heading of every page ("flaskkit administration"); None: ``ADMIN_SITE_HEADER``.
    site_header: str | None = None
    #: The end of the pages' ``<title>``; None: ``ADMIN_SITE_TITLE``.
    site_title: str | None = None
    #: The title of the index page; None: ``ADMIN_INDEX_TITLE``.
    index_title: str | None = None

    def __init__(self, name: str = "admin") -> None:
        from .actions import delete_selected

        self.name = name
        self._registry: dict[type | LazyModel, Registration] = {}
        self._actions: dict[str, t.Callable[..., t.Any]] = {"delete_selected": delete_selected}

    # -- site-wide actions (Django's AdminSite.add_action) ------------------------------------------------

    @property
    def actions(self) -> dict[str, t.Callable[..., t.Any]]:
        """Name -> action offered on every model's change list ("delete_selected" by default)."""
        return dict(self._actions)

    def add_action(self, action: t.Callable[..., t.Any], name: str | None = None) -> None:
        """Offer ``action`` on every change list of this site."""
        self._actions[name or action.__name__] = action

    def disable_action(self, name: str) -> None:
        """Stop offering a site-wide action (``site.disable_action("delete_selected")``)."""
        try:
            del self._actions[name]
        except KeyError:
            raise KeyError(f"The action {name!r} is not one of the site's: {', '.join(self._actions)}.") from None

    def __repr__(self) -> str:
        return f"<AdminSite {self.name!r}: {len(self._registry)} models>"

    @property
    def registrations(self) -> list[Registration]:
        """The registrations, in the order they were made."""
        return list(self._registry.values())

    def register(
        self,
        model_or_iterable: type | LazyModel | t.Iterable[type | LazyModel],
        admin_class: type[ModelAdmin] | None = None,
        *,
        _module: str | None = None,
        **options: t.Any,
    ) -> None:
        """Register a model (or several) with ``admin_class`` (default: ``ModelAdmin``).

        Keyword options make a ``ModelAdmin`` subclass on the fly, as in Django:
        ``site.register(Tag, search_fields=["name"])``. Registering a model twice
        raises :class:`AlreadyRegistered`.
        """
        from .options import ModelAdmin

        module = _module or _caller_module()
        base = admin_class or ModelAdmin
        if not (isinstance(base, type) and issubclass(base, ModelAdmin)):
            raise ConfigurationError(
                f"admin.site.register() takes a ModelAdmin subclass as its admin class, not {base!r}.",
                hint="Write class PostAdmin(admin.ModelAdmin): ... and admin.site.register(Post, PostAdmin).",
            )
        models = [model_or_iterable] if isinstance(model_or_iterable, type | LazyModel) else list(model_or_iterable)
        for model in models:
            _check_model(model)
            if model in self._registry:
                owner = self._registry[model].admin_class
                raise AlreadyRegistered(
                    f"The model {_name(model)} is already registered with {owner.__qualname__} "
                    f"(from {self._registry[model].module}). Call admin.site.unregister({_name(model)}) first to "
                    "register it with another ModelAdmin."
                )
            klass = base
            if options:
                options["__module__"] = module
                klass = type(f"{_name(model)}Admin", (base,), options)
            self._registry[model] = Registration(model, klass, module)

    def unregister(self, model_or_iterable: type | LazyModel | t.Iterable[type | LazyModel]) -> None:
        """Forget a registration (to register the model again with another ``ModelAdmin``)."""
        models = [model_or_iterable] if isinstance(model_or_iterable, type | LazyModel) else list(model_or_iterable)
        for model in models:
            if model not in self._registry:
                raise NotRegistered(f"The model {_name(model)} is not registered with the admin site {self.name!r}.")
            del self._registry[model]

    def is_registered(self, model: type | LazyModel) -> bool:
        return model in self._registry

    def get_registration(self, model: type | LazyModel) -> Registration:
        try:
            return self._registry[model]
        except KeyError:
            raise NotRegistered(
                f"The model {_name(model)} is not registered with the admin site {self.name!r}."
            ) from None


#: The default site: ``admin.site.register(Post)``, ``@admin.register(Post)``.
site = AdminSite()


def register(
    *models: type | LazyModel, site: AdminSite | None = None
) -> t.Callable[[type[ModelAdmin]], type[ModelAdmin]]:
    """Register ``models`` with the decorated ``ModelAdmin`` class (Django's ``@admin.register``)."""
    if not models:
        raise ValueError("At least one model must be passed to register.")
    chosen = site

    def decorate(admin_class: type[ModelAdmin]) -> type[ModelAdmin]:
        target = chosen if chosen is not None else globals()["site"]
        target.register(models, admin_class, _module=admin_class.__module__)
        return admin_class

    return decorate


def _check_model(model: object) -> None:
    if isinstance(model, LazyModel):
        return
    if not isinstance(model, type):
        raise ConfigurationError(f"Only model classes can be registered with the admin, not {model!r}.")
    if model.__dict__.get("__abstract__", False):
        raise ConfigurationError(f"The model {model.__name__} is abstract, so it cannot be registered with admin.")
    try:
        mapper = sa.inspect(model)
    except sa.exc.NoInspectionAvailable:
        raise ConfigurationError(
            f"{model.__qualname__} is not a mapped SQLAlchemy model, so it cannot be registered with admin.",
            hint="Register subclasses of flaskkit.plugins.orm.Model (db.Model).",
        ) from None
    if not isinstance(mapper, sa.orm.Mapper):
        raise ConfigurationError(f"{model!r} is not a mapped model class; it cannot be registered with admin.")


def _name(model: type | LazyModel) -> str:
    return model.name if isinstance(model, LazyModel) else model.__name__


def _caller_module() -> str:
    """The module of the code that called ``register``/``unregister`` (skipping this module)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back  # type: ignore[assignment]
    return str(frame.f_globals.get("__name__", "?")) if frame is not None else "?"
