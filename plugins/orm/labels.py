"""Django's names for models: ``app_label``, ``model_name``, the label ``"blog.post"``, ``verbose_name``.

The app label is ``Meta.app_label`` when the model sets it; otherwise the package of
its ``models`` module (``blog.models.Post`` -> ``blog``), or its module's last part
(``blog.entries.Post`` -> ``entries``). The model name is the class name in lower
case. Fixtures (``"model": "auth.user"``) and permissions (``"blog.change_post"``)
use them::

    class Post(IdMixin, Model):
        class Meta:
            app_label = "blog"               # optional
            verbose_name = "blog post"       # optional: "post" from the class name

A model with ``Meta.swappable = "AUTH_USER_MODEL"`` (the built-in ``User``) is left out
of an app whose setting names another model, as in Django.
"""

from __future__ import annotations

import re
import typing as t

from flask import current_app
from flask import has_app_context

from .database import Model

__all__ = [
    "app_label",
    "get_model",
    "installed_models",
    "label",
    "model_name",
    "verbose_name",
]


def _meta(model: type) -> t.Any:
    return getattr(model, "Meta", None)


def app_label(model: type) -> str:
    """The app a model belongs to (``"blog"`` for ``blog.models.Post``)."""
    value = getattr(_meta(model), "app_label", None)
    if isinstance(value, str) and value:
        return value
    parts = model.__module__.split(".")
    if "models" in parts[1:]:
        return parts[parts.index("models", 1) - 1]
    return parts[-1]


def model_name(model: type) -> str:
    """Django's ``model_name``: the class name in lower case (``BlogPost`` -> ``blogpost``)."""
    return model.__name__.lower()


def label(model: type) -> str:
    """``"app_label.model_name"``, as fixtures name a model: ``"auth.user"``."""
    return f"{app_label(model)}.{model_name(model)}"


def verbose_name(model: type) -> str:
    """``Meta.verbose_name``, ``__table__.info["verbose_name"]``, or the class name in words (``"blog post"``)."""
    name = getattr(_meta(model), "verbose_name", None)
    if isinstance(name, str) and name:
        return name
    table = getattr(model, "__table__", None)
    info = getattr(table, "info", None) or {}
    if isinstance(info.get("verbose_name"), str) and info["verbose_name"]:
        return str(info["verbose_name"])
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", model.__name__).lower().strip()


def is_swapped(model: type) -> bool:
    """Whether the current app replaced ``model`` (``Meta.swappable`` names a setting naming another model)."""
    setting = getattr(_meta(model), "swappable", None)
    if not setting or not has_app_context():
        return False
    path = current_app.config.get(setting)
    if not isinstance(path, str) or not path:
        return False
    from werkzeug.utils import ImportStringError
    from werkzeug.utils import import_string

    try:
        chosen = import_string(path)
    except ImportStringError:
        return False  # the plugin that reads the setting reports it
    return chosen is not model


def installed_models() -> list[type]:
    """Every concrete model of the current app, parents before children (the tables' foreign-key order).

    Left out: single-table subclasses (their rows are their base model's) and
    swapped-out models (the built-in ``User`` of an app with its own user model).
    """
    order = {table: index for index, table in enumerate(Model.metadata.sorted_tables)}
    found = []
    mappers = sorted(
        Model.registry.mappers,
        key=lambda m: (order.get(m.local_table, len(order)), m.class_.__module__, m.class_.__qualname__),
    )
    for mapper in mappers:
        if mapper.inherits is not None and mapper.local_table is mapper.inherits.local_table:
            continue
        if is_swapped(mapper.class_):
            continue
        found.append(mapper.class_)
    return found


def get_model(name: str) -> type:
    """The model of the label ``"app_label.model_name"`` (any case), with an error that lists the labels.

    Raises :class:`LookupError`.
    """
    wanted = name.strip().lower()
    matches = [model for model in installed_models() if label(model) == wanted]
    if len(matches) == 1:
        return matches[0]
    if matches:
        names = ", ".join(f"{m.__module__}.{m.__qualname__}" for m in matches)
        raise LookupError(f"The label {name!r} names more than one model ({names}): set Meta.app_label on them.")
    from flaskkit._text import did_you_mean

    labels = sorted(label(model) for model in installed_models())
    raise LookupError(f"No installed model has the label {name!r}.{did_you_mean(wanted, labels)}")


def app_models(app_label_: str) -> list[type]:
    """The installed models of an app label (``"auth"``)."""
    return [model for model in installed_models() if app_label(model) == app_label_]
