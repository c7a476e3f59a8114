"""``DetailView``: Django's ``django.views.generic.detail``, one row found by ``pk`` or ``slug``."""

from __future__ import annotations

import typing as t

import sqlalchemy as sa

from flaskkit import ConfigurationError
from flaskkit._text import did_you_mean
from flaskkit.plugins.orm import get_object_or_404

from .base import FALLBACK_FOLDER
from .base import ContextMixin
from .base import TemplateResponseMixin
from .base import View
from .base import option
from .names import model_name
from .names import model_template
from .queries import check_model_and_queryset
from .queries import entity_of
from .queries import field_values
from .queries import primary_key_names
from .queries import verbose_name

if t.TYPE_CHECKING:
    import collections.abc as cabc

    from flask.typing import ResponseReturnValue

__all__ = ["BaseDetailView", "DetailView", "SingleObjectMixin", "SingleObjectTemplateResponseMixin"]


class SingleObjectMixin(ContextMixin):
    """Finds the one row a view works on, from the URL's ``pk`` or ``slug``."""

    #: The model of the row (when :attr:`queryset` is not given).
    model: type[t.Any] | None = None
    #: The rows to look in: a ``select(Model)`` statement. Default: ``select(model)``.
    queryset: sa.Select[t.Any] | None = None
    #: The model attribute the URL's slug is compared with.
    slug_field: str = "slug"
    #: The context name of the row, besides ``object``. Default: the model name (``blog_post``).
    context_object_name: str | None = None
    #: The URL argument holding the slug.
    slug_url_kwarg: str = "slug"
    #: The URL argument holding the primary key.
    pk_url_kwarg: str = "pk"
    #: With both in the URL, match the pk *and* the slug (default: the pk only).
    query_pk_and_slug: bool = False

    #: The row (set by the handlers; ``None`` while a ``CreateView`` has not saved).
    object: t.Any

    #: Whether the view loads its row from the URL (checked when the route is registered).
    _loads_object: t.ClassVar[bool] = False

    def get_object(self, queryset: sa.Select[t.Any] | None = None) -> t.Any:
        """The row whose primary key is the URL's ``pk`` (or whose :attr:`slug_field` is its ``slug``), or 404.

        A value that the column cannot hold (``"abc"`` for an integer key) is a 404 too.
        """
        if queryset is None:
            queryset = self.get_queryset()
        kwargs: dict[str, t.Any] = self.kwargs  # type: ignore[attr-defined]
        pk = kwargs.get(self.pk_url_kwarg)
        slug = kwargs.get(self.slug_url_kwarg)
        filters: dict[str, t.Any] = {}
        if pk is not None:
            model = entity_of(queryset)
            names = primary_key_names(model) if model is not None else []
            if len(names) != 1:
                raise ConfigurationError(
                    f"{type(self).__name__} finds rows by one primary key column; {queryset!r} has {len(names)}.",
                    hint="Override get_object() for a model with a composite primary key.",
                )
            filters[names[0]] = pk
        if slug is not None and (pk is None or self.query_pk_and_slug):
            filters[self.get_slug_field()] = slug
        if not filters:
            raise ConfigurationError(
                f"Generic detail view {type(self).__name__} must be called with either an object pk or a slug "
                "in the URL rule.",
                hint=f"Write the rule as '/posts/<int:{self.pk_url_kwarg}>/' or '/posts/<{self.slug_url_kwarg}>/'.",
            )
        return get_object_or_404(queryset, **filters)

    def get_queryset(self) -> sa.Select[t.Any]:
        """The ``select()`` to find the row in: :attr:`queryset`, else ``select(model)``."""
        if self.queryset is not None:
            return self.queryset
        if self.model is not None:
            return sa.select(self.model)
        name = type(self).__name__
        raise ConfigurationError(
            f"{name} is missing a QuerySet. Define {name}.model, {name}.queryset, or override {name}.get_queryset()."
        )

    def get_slug_field(self) -> str:
        return self.slug_field

    def get_context_object_name(self, obj: t.Any) -> str | None:
        """:attr:`context_object_name`, else the model name (``blog_post``)."""
        if self.context_object_name:
            return self.context_object_name
        return model_name(type(obj)) if obj is not None else None

    def get_context_data(self, **kwargs: t.Any) -> dict[str, t.Any]:
        """``object`` and ``<model name>`` (when there is an object), and ``view``."""
        context: dict[str, t.Any] = {}
        obj = getattr(self, "object", None)
        if obj is not None:
            context["object"] = obj
            name = self.get_context_object_name(obj)
            if name:
                context[name] = obj
        context.update(kwargs)
        return super().get_context_data(**context)

    def get_verbose_name(self) -> str:
        """The row's kind for a page title ("Blog post"), used by the shipped templates."""
        model = self._object_model()
        return verbose_name(model) if model is not None else "Object"

    def get_field_values(self) -> list[tuple[str, t.Any]]:
        """``(label, value)`` for each column of the row, used by the shipped detail template."""
        obj = getattr(self, "object", None)
        return field_values(obj) if obj is not None else []

    def _object_model(self) -> type[t.Any] | None:
        obj = getattr(self, "object", None)
        if obj is not None:
            return type(obj)
        return self.model or entity_of(self.queryset)

    # -- configuration -----------------------------------------------------------------------

    @classmethod
    def _check_object_options(cls, initkwargs: cabc.Mapping[str, t.Any]) -> type[t.Any] | None:
        return check_model_and_queryset(
            cls.__name__, option(cls, initkwargs, "model"), option(cls, initkwargs, "queryset")
        )

    @classmethod
    def _check_object_route(
        cls, initkwargs: cabc.Mapping[str, t.Any], endpoint: str, arguments: t.Collection[str]
    ) -> None:
        if not cls._loads_object or cls.get_object is not SingleObjectMixin.get_object:
            return
        pk = option(cls, initkwargs, "pk_url_kwarg")
        slug = option(cls, initkwargs, "slug_url_kwarg")
        if pk not in arguments and slug not in arguments:
            raise ConfigurationError(
                f"The route of the endpoint {endpoint!r} ({cls.__name__}) has neither <{pk}> nor <{slug}>: "
                "the view cannot tell which row to show.",
                hint=f"Write the rule as '/posts/<int:{pk}>/' or '/posts/<{slug}>/', or set pk_url_kwarg / "
                "slug_url_kwarg to the name your rule uses.",
            )
        model = option(cls, initkwargs, "model") or entity_of(option(cls, initkwargs, "queryset"))
        slug_field = option(cls, initkwargs, "slug_field")
        if (
            slug in arguments
            and model is not None
            and cls.get_slug_field is SingleObjectMixin.get_slug_field
            and slug_field not in sa.inspect(model).all_orm_descriptors
        ):
            raise ConfigurationError(
                f"{cls.__name__}.slug_field is {slug_field!r}, which {model.__name__} does not have, but the route "
                f"of the endpoint {endpoint!r} finds rows by <{slug}>."
                + did_you_mean(str(slug_field), sa.inspect(model).column_attrs.keys()),
                hint="Set slug_field to the column the URL's slug is compared with.",
            )


class BaseDetailView(SingleObjectMixin, View):
    """Shows one row; renders nothing by itself (see :class:`DetailView`)."""

    _loads_object = True

    def get(self, *args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
        self.object = self.get_object()
        context = self.get_context_data(object=self.object)
        return self.render_to_response(context)  # type: ignore[attr-defined,no-any-return]

    @classmethod
    def check_configuration(cls, initkwargs: cabc.Mapping[str, t.Any]) -> None:
        super().check_configuration(initkwargs)
        model = cls._check_object_options(initkwargs)
        if (
            model is None
            and cls.get_queryset is SingleObjectMixin.get_queryset
            and cls.get_object is SingleObjectMixin.get_object
        ):
            owner = cls.__name__
            raise ConfigurationError(
                f"{owner} is missing a QuerySet. Define {owner}.model, {owner}.queryset, or override "
                f"{owner}.get_queryset().",
                hint=f"Write {owner}.as_view(model=Post).",
            )

    @classmethod
    def check_route(cls, initkwargs: cabc.Mapping[str, t.Any], endpoint: str, arguments: t.Collection[str]) -> None:
        super().check_route(initkwargs, endpoint, arguments)
        cls._check_object_route(initkwargs, endpoint, arguments)


class SingleObjectTemplateResponseMixin(TemplateResponseMixin):
    """Template names for one row: ``template_name`` alone when set (as Django); else the row's
    :attr:`template_name_field`, ``<folder>/<model name><suffix>.html``, and the shipped
    ``views/object<suffix>.html``."""

    #: An attribute of the row that names its template.
    template_name_field: str | None = None
    #: Appended to the model name: ``blog_post_detail.html``.
    template_name_suffix: str = "_detail"
    #: The folder of the derived template name. Default: the package of the model's module.
    template_prefix: str | None = None

    def get_template_names(self) -> list[str]:
        if self.template_name:
            return [self.template_name]
        names: list[str] = []
        obj = getattr(self, "object", None)
        if obj is not None and self.template_name_field:
            name = getattr(obj, self.template_name_field, None)
            if name:
                names.append(name)
        model = self._object_model()  # type: ignore[attr-defined]
        if model is not None:
            names.append(model_template(model, self.template_name_suffix, self.template_prefix))
        names.append(f"{FALLBACK_FOLDER}/object{self.template_name_suffix}.html")
        return names


class DetailView(SingleObjectTemplateResponseMixin, BaseDetailView):
    """One row of a model, as Django's ``DetailView``.

    ::

        app.add_url_rule("/posts/<int:pk>/", view_func=DetailView.as_view(model=Post))

    404 when there is no such row. Context: ``object`` and ``<model name>``
    (``post``), ``view``. Template: ``<folder>/<model name>_detail.html``.
    """

    _kit_generic = True

    @classmethod
    def generic_endpoint(cls, initkwargs: cabc.Mapping[str, t.Any]) -> str | None:
        model = option(cls, initkwargs, "model") or entity_of(option(cls, initkwargs, "queryset"))
        return f"{model_name(model)}_detail" if model is not None else None
