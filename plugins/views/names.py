"""How the generic views name things: endpoints, context variables and template folders.

The rules (docs/plugins/views.md repeats them):

* a model's *name* is its class name in snake case, as the orm plugin names
  tables: ``Post`` -> ``post``, ``BlogPost`` -> ``blog_post``, ``HTTPLog`` ->
  ``http_log``. Context variables (``post``, ``blog_post_list``) and template
  names (``blog_post_detail.html``) use it;
* a model's *template folder* is the package its model module belongs to, the
  way Django's app label is: ``blog.models`` -> ``blog``,
  ``myproject.blog.models.posts`` -> ``blog``, ``blog`` (models in
  ``blog/__init__.py`` or ``blog.py``) -> ``blog``; a top-level ``models``
  module has none (templates at the top of the template folder);
* an endpoint derived from a view class is the class name in snake case
  without a trailing ``View``: ``PostList`` -> ``post_list``,
  ``PostDetailView`` -> ``post_detail``.
"""

from __future__ import annotations

import functools
import re
import typing as t

from flask_sqlalchemy.model import camel_to_snake_case

__all__ = [
    "class_endpoint",
    "model_name",
    "model_template",
    "model_template_folder",
    "slug_endpoint",
    "template_endpoint",
]


def model_name(model: type[t.Any]) -> str:
    """``BlogPost`` -> ``"blog_post"`` (the orm plugin's table-name rule), worked out once per name."""
    return _snake_case(model.__name__)


@functools.lru_cache(maxsize=1024)
def _snake_case(name: str) -> str:
    return camel_to_snake_case(name)


def model_template_folder(model: type[t.Any]) -> str:
    """The folder of a model's templates: the package of its models module (``""`` for none)."""
    parts = [part for part in model.__module__.split(".") if part != "__main__"]
    if "models" in parts:
        parts = parts[: parts.index("models")]
    return parts[-1] if parts else ""


def model_template(model: type[t.Any], suffix: str, prefix: str | None = None) -> str:
    """``<folder>/<model name><suffix>.html``: ``blog/blog_post_list.html``.

    ``prefix`` (a view's ``template_prefix``) replaces the folder; ``""`` puts
    the template at the top of the template folder.
    """
    folder = model_template_folder(model) if prefix is None else prefix.strip("/")
    name = f"{model_name(model)}{suffix}.html"
    return f"{folder}/{name}" if folder else name


def class_endpoint(cls: type[t.Any]) -> str:
    """``PostDetailView`` -> ``"post_detail"``; ``View`` itself -> ``"view"``."""
    name = cls.__name__
    if name.endswith("View") and name != "View":
        name = name[: -len("View")]
    return camel_to_snake_case(name)


def template_endpoint(template_name: str) -> str:
    """``"pages/about.html"`` -> ``"pages_about"``: a template name as an endpoint (no dots, no slashes)."""
    folder, _, base = template_name.rpartition("/")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return slug_endpoint(f"{folder}/{stem}")


def slug_endpoint(text: str) -> str:
    """``"blog.index"`` -> ``"blog_index"``, ``"/old/page/"`` -> ``"old_page"``: text as an endpoint."""
    return re.sub(r"\W+", "_", text).strip("_")
