"""``FormView``, ``CreateView``, ``UpdateView``, ``DeleteView``: Django's ``django.views.generic.edit``.

Forms are the forms plugin's: a ``ModelForm`` generated from ``fields`` (or the
``form_class`` you give) for Create/Update, a plain ``Form`` for Delete; CSRF is
checked on every POST by the forms plugin. Saving follows the orm plugin's
``ATOMIC_REQUESTS``: inside an atomic request the view only flushes (the request
commits when the view returns, and rolls back if it raises); outside one, the
view commits.
"""

from __future__ import annotations

import functools
import typing as t

import sqlalchemy as sa
from flask import redirect
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict

from flaskkit import ConfigurationError
from flaskkit._text import did_you_mean
from flaskkit.plugins.forms import Form
from flaskkit.plugins.forms import ModelForm
from flaskkit.plugins.orm import db
from flaskkit.plugins.orm.transactions import is_atomic_request

from .base import FALLBACK_FOLDER
from .base import ContextMixin
from .base import TemplateResponseMixin
from .base import View
from .base import option
from .detail import BaseDetailView
from .detail import SingleObjectMixin
from .detail import SingleObjectTemplateResponseMixin
from .names import model_name
from .names import slug_endpoint
from .queries import ObjectAttributes
from .queries import check_model
from .queries import entity_of
from .urls import LazyURL

if t.TYPE_CHECKING:
    import collections.abc as cabc

    from flask.typing import ResponseReturnValue

__all__ = [
    "BaseCreateView",
    "BaseDeleteView",
    "BaseFormView",
    "BaseUpdateView",
    "CreateView",
    "DeleteView",
    "DeletionMixin",
    "FormMixin",
    "FormView",
    "ModelFormMixin",
    "ProcessFormView",
    "UpdateView",
    "model_form_class",
]


@functools.lru_cache(maxsize=512)
def model_form_class(model: type[t.Any], fields: tuple[str, ...] | str) -> type[ModelForm]:
    """The ``ModelForm`` of ``model`` with ``fields`` (Django's ``modelform_factory``), made once per pair."""
    meta = type("Meta", (), {"model": model, "fields": fields})
    return t.cast("type[ModelForm]", type(f"{model.__name__}Form", (ModelForm,), {"Meta": meta}))


def _is_subclass(value: object, base: type[t.Any]) -> bool:
    return isinstance(value, type) and issubclass(value, base)


def _is_valid(form: t.Any) -> bool:
    """The forms plugin's ``is_valid()``; ``validate()`` for other WTForms forms."""
    is_valid = getattr(form, "is_valid", None)
    return bool(is_valid()) if callable(is_valid) else bool(form.validate())


def _finish_write() -> None:
    """Inside an atomic request, flush (the request commits); outside one, commit."""
    if is_atomic_request():
        db.session.flush()
    else:
        db.session.commit()


class FormMixin(ContextMixin):
    """A form: built, validated, and what happens when it is valid or not."""

    #: The form's initial values (``get_initial()`` returns a copy).
    initial: cabc.Mapping[str, t.Any] = {}
    #: The form class: a flaskkit ``Form`` (or any WTForms form).
    form_class: type[t.Any] | None = None
    #: Where a valid form redirects to (a URL, or a ``lazy_url_for(...)``).
    success_url: str | LazyURL | None = None
    #: The prefix of the form's field names.
    prefix: str | None = None

    def get_initial(self) -> dict[str, t.Any]:
        return dict(self.initial)

    def get_prefix(self) -> str | None:
        return self.prefix

    def get_form_class(self) -> type[t.Any]:
        if self.form_class is None:
            raise ConfigurationError(f"{type(self).__name__} has no form_class: set it, or override get_form_class().")
        return self.form_class

    def get_form(self, form_class: type[t.Any] | None = None) -> t.Any:
        """An instance of the form, made with :meth:`get_form_kwargs`.

        A flaskkit (Flask-WTF) form reads the request's data itself; a plain WTForms
        form gets it as ``formdata`` on POST/PUT/PATCH. A form that is not a flaskkit
        one gets ``initial`` as ``data``.
        """
        if form_class is None:
            form_class = self.get_form_class()
        kwargs = self.get_form_kwargs()
        if not _is_subclass(form_class, Form) and "initial" in kwargs:
            kwargs["data"] = {**kwargs.pop("initial"), **(kwargs.get("data") or {})}
        request = self.request  # type: ignore[attr-defined]
        if not _is_subclass(form_class, FlaskForm) and request.method in ("POST", "PUT", "PATCH"):
            # A plain WTForms form does not read the request (Flask-WTF's do): give it the data.
            kwargs.setdefault("formdata", CombinedMultiDict([request.files, request.form]))
        return form_class(**kwargs)

    def get_form_kwargs(self) -> dict[str, t.Any]:
        """``initial`` (and ``prefix`` when set); the form reads the request's data itself."""
        kwargs: dict[str, t.Any] = {"initial": self.get_initial()}
        prefix = self.get_prefix()
        if prefix:
            kwargs["prefix"] = prefix
        return kwargs

    def get_success_url(self) -> str:
        if not self.success_url:
            raise ConfigurationError(
                f"No URL to redirect to. Provide a success_url ({type(self).__name__}.success_url)."
            )
        return str(self.success_url)

    def form_valid(self, form: t.Any) -> ResponseReturnValue:
        """Redirect (302) to :meth:`get_success_url`."""
        return redirect(self.get_success_url())

    def form_invalid(self, form: t.Any) -> ResponseReturnValue:
        """Show the form again with its errors (200)."""
        return self.render_to_response(self.get_context_data(form=form))  # type: ignore[attr-defined,no-any-return]

    def get_context_data(self, **kwargs: t.Any) -> dict[str, t.Any]:
        """``form`` (a new one unless given) and the rest of the context."""
        if "form" not in kwargs:
            kwargs["form"] = self.get_form()
        return super().get_context_data(**kwargs)

    @classmethod
    def _check_form_options(cls, initkwargs: cabc.Mapping[str, t.Any]) -> None:
        form_class = option(cls, initkwargs, "form_class")
        if form_class is None:
            if cls.get_form_class is FormMixin.get_form_class and cls.get_form is FormMixin.get_form:
                raise ConfigurationError(
                    f"{cls.__name__} has no form_class: set it, or override get_form_class().",
                    hint=f"Write {cls.__name__}.as_view(form_class=ContactForm, success_url='/thanks/').",
                )
        elif not isinstance(form_class, type):
            raise ConfigurationError(f"{cls.__name__}.form_class must be a form class, not {form_class!r}.")


class ProcessFormView(View):
    """GET shows the form; POST (and PUT) validate it and call ``form_valid`` or ``form_invalid``."""

    def get(self, *args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
        return self.render_to_response(self.get_context_data())  # type: ignore[attr-defined,no-any-return]

    def post(self, *args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
        form = self.get_form()  # type: ignore[attr-defined]
        if _is_valid(form):
            return self.form_valid(form)  # type: ignore[attr-defined,no-any-return]
        return self.form_invalid(form)  # type: ignore[attr-defined,no-any-return]

    def put(self, *args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
        return self.post(*args, **kwargs)


class BaseFormView(FormMixin, ProcessFormView):
    """A form view that renders nothing by itself (see :class:`FormView`)."""

    @classmethod
    def check_configuration(cls, initkwargs: cabc.Mapping[str, t.Any]) -> None:
        super().check_configuration(initkwargs)
        cls._check_form_options(initkwargs)


class FormView(TemplateResponseMixin, BaseFormView):
    """A form: shown on GET, on a valid POST ``form_valid()`` (a redirect to ``success_url``),
    on an invalid one the form again with its errors (200).

    ::

        class ContactView(FormView):
            form_class = ContactForm
            template_name = "contact.html"
            success_url = "/thanks/"

            def form_valid(self, form):
                send_message(**form.cleaned_data)
                return super().form_valid(form)

    Without ``template_name`` the shipped ``views/form.html`` is used.
    """

    _kit_generic = True

    def get_template_names(self) -> list[str]:
        if self.template_name:
            return [self.template_name]
        return [f"{FALLBACK_FOLDER}/form.html"]

    @classmethod
    def generic_endpoint(cls, initkwargs: cabc.Mapping[str, t.Any]) -> str | None:
        form_class = option(cls, initkwargs, "form_class")
        return slug_endpoint(model_name(form_class)) if isinstance(form_class, type) else None


# -- model forms -----------------------------------------------------------------------------------


class ModelFormMixin(FormMixin, SingleObjectMixin):
    """A ``ModelForm`` for the view's row: generated from :attr:`fields`, or :attr:`form_class`."""

    #: The fields the generated ``ModelForm`` edits (a list, or ``"__all__"``).
    fields: cabc.Sequence[str] | str | None = None
    #: Where a saved form redirects: may name the row's attributes, ``"/posts/{id}/"``.
    #: Default: the row's ``get_absolute_url()``.
    success_url: str | LazyURL | None = None

    def get_form_class(self) -> type[t.Any]:
        """:attr:`form_class`, or a ``ModelForm`` of the model with :attr:`fields`."""
        if self.fields is not None and self.form_class:
            raise ConfigurationError("Specifying both 'fields' and 'form_class' is not permitted.")
        if self.form_class:
            return self.form_class
        model = self._object_model()
        if model is None:
            model = entity_of(self.get_queryset())
        if self.fields is None:
            raise ConfigurationError(
                f"Using ModelFormMixin (base class of {type(self).__name__}) without the 'fields' attribute is "
                "prohibited."
            )
        return model_form_class(t.cast(type, model), _fields_key(self.fields))

    def get_form_kwargs(self) -> dict[str, t.Any]:
        """Also ``instance``: the row to change (``None`` creates one)."""
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = getattr(self, "object", None)
        return kwargs

    def get_success_url(self) -> str:
        """:attr:`success_url` formatted with the saved row (``{id}``), else ``object.get_absolute_url()``."""
        if self.success_url:
            url = str(self.success_url)
            try:
                return url.format_map(ObjectAttributes(self.object))
            except KeyError as exc:
                raise ConfigurationError(
                    f"{type(self).__name__}.success_url {url!r} names {{{exc.args[0]}}}, which "
                    f"{type(self.object).__name__} does not have."
                ) from None
        get_absolute_url = getattr(self.object, "get_absolute_url", None)
        if get_absolute_url is None:
            raise ConfigurationError(
                "No URL to redirect to. Either provide a url or define a get_absolute_url method on the Model.",
                hint=f"Set {type(self).__name__}.success_url (it may name the row's attributes: '/posts/{{id}}/').",
            )
        return str(get_absolute_url())

    def form_valid(self, form: t.Any) -> ResponseReturnValue:
        """Save the form (committed, or flushed in an atomic request), then redirect."""
        self.object = form.save()
        return super().form_valid(form)

    def _object_model(self) -> type[t.Any] | None:
        model = super()._object_model()
        if model is None and isinstance(self.form_class, type) and issubclass(self.form_class, ModelForm):
            model = self.form_class._options.model
        return model

    @classmethod
    def _check_model_form_options(cls, initkwargs: cabc.Mapping[str, t.Any]) -> None:
        owner = cls.__name__
        fields = option(cls, initkwargs, "fields")
        form_class = option(cls, initkwargs, "form_class")
        if fields is not None and form_class is not None:
            raise ConfigurationError(
                f"{owner}: specifying both 'fields' and 'form_class' is not permitted.",
                hint="Keep form_class (a ModelForm whose Meta lists the fields), or fields alone.",
            )
        if (
            fields is not None
            and fields != "__all__"
            and (not isinstance(fields, list | tuple) or not all(isinstance(name, str) for name in fields))
        ):
            example = f"[{fields!r}]" if isinstance(fields, str) else "['title', 'body']"
            raise ConfigurationError(
                f"{owner}.fields must be a list of field names or '__all__', not {fields!r}.",
                hint=f"Write fields = {example}.",
            )
        if form_class is not None:
            if not (isinstance(form_class, type) and issubclass(form_class, ModelForm)):
                raise ConfigurationError(
                    f"{owner}.form_class must be a ModelForm (flaskkit.plugins.forms.ModelForm), not {form_class!r}.",
                    hint="Subclass ModelForm with a Meta naming the model and its fields, or set fields instead.",
                )
            return
        if cls.get_form_class is not ModelFormMixin.get_form_class:
            return
        if fields is None:
            raise ConfigurationError(
                f"Using ModelFormMixin (base class of {owner}) without the 'fields' attribute is prohibited.",
                hint=f"Write {owner}.as_view(model=Post, fields=['title', 'body']) (or give a form_class).",
            )
        model = option(cls, initkwargs, "model") or entity_of(option(cls, initkwargs, "queryset"))
        if model is None:
            if cls.get_queryset is SingleObjectMixin.get_queryset:
                raise ConfigurationError(
                    f"{owner} has fields but no model to make its form from.",
                    hint=f"Write {owner}.as_view(model=Post, fields=[...]).",
                )
            return
        check_model(owner, "model", model)
        if fields != "__all__":
            known = [n for n in sa.inspect(model).all_orm_descriptors.keys() if n[:1] != "_"]  # noqa: SIM118
            for name in fields:
                if name not in known:
                    raise ConfigurationError(
                        f"{owner}.fields names {name!r}, which is not a column or relationship of {model.__name__}."
                        + did_you_mean(name, known),
                        hint=f"{model.__name__} has: {', '.join(sorted(known))}.",
                    )
        model_form_class(model, _fields_key(fields))  # made now: its own checks run at registration


def _fields_key(fields: cabc.Sequence[str] | str) -> tuple[str, ...] | str:
    return fields if isinstance(fields, str) else tuple(fields)


class BaseCreateView(ModelFormMixin, ProcessFormView):
    """Creates a row; renders nothing by itself (see :class:`CreateView`)."""

    def get(self, *args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
        self.object = None
        return super().get(*args, **kwargs)

    def post(self, *args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
        self.object = None
        return super().post(*args, **kwargs)

    @classmethod
    def check_configuration(cls, initkwargs: cabc.Mapping[str, t.Any]) -> None:
        super().check_configuration(initkwargs)
        cls._check_object_options(initkwargs)
        cls._check_model_form_options(initkwargs)


class CreateView(SingleObjectTemplateResponseMixin, BaseCreateView):
    """A form that creates a row, as Django's ``CreateView``.

    ::

        app.add_url_rule(
            "/posts/new/",
            view_func=CreateView.as_view(model=Post, fields=["title", "body"], success_url="/posts/{id}/"),
        )

    GET: the empty form (200). POST: invalid -> the form with its errors (200),
    nothing written; valid -> the row is saved and the answer is a redirect (302)
    to ``success_url`` (formatted with the row) or ``get_absolute_url()``.
    Context: ``form``, ``view``. Template: ``<folder>/<model name>_form.html``.
    """

    _kit_generic = True
    template_name_suffix = "_form"

    @classmethod
    def generic_endpoint(cls, initkwargs: cabc.Mapping[str, t.Any]) -> str | None:
        model = _model_option(cls, initkwargs)
        return f"{model_name(model)}_create" if model is not None else None


class BaseUpdateView(ModelFormMixin, ProcessFormView):
    """Changes a row; renders nothing by itself (see :class:`UpdateView`)."""

    _loads_object = True

    def get(self, *args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
        self.object = self.get_object()
        return super().get(*args, **kwargs)

    def post(self, *args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
        self.object = self.get_object()
        return super().post(*args, **kwargs)

    @classmethod
    def check_configuration(cls, initkwargs: cabc.Mapping[str, t.Any]) -> None:
        super().check_configuration(initkwargs)
        cls._check_object_options(initkwargs)
        cls._check_model_form_options(initkwargs)

    @classmethod
    def check_route(cls, initkwargs: cabc.Mapping[str, t.Any], endpoint: str, arguments: t.Collection[str]) -> None:
        super().check_route(initkwargs, endpoint, arguments)
        cls._check_object_route(initkwargs, endpoint, arguments)


class UpdateView(SingleObjectTemplateResponseMixin, BaseUpdateView):
    """A form that changes a row, as Django's ``UpdateView``: 404 when the row does not exist,
    then as :class:`CreateView` with the form filled from the row. Context: ``form``,
    ``object``, ``<model name>``, ``view``. Template: ``<folder>/<model name>_form.html``."""

    _kit_generic = True
    template_name_suffix = "_form"

    @classmethod
    def generic_endpoint(cls, initkwargs: cabc.Mapping[str, t.Any]) -> str | None:
        model = _model_option(cls, initkwargs)
        return f"{model_name(model)}_update" if model is not None else None


def _model_option(cls: type[t.Any], initkwargs: cabc.Mapping[str, t.Any]) -> type[t.Any] | None:
    model = option(cls, initkwargs, "model") or entity_of(option(cls, initkwargs, "queryset"))
    form_class = option(cls, initkwargs, "form_class")
    if model is None and isinstance(form_class, type) and issubclass(form_class, ModelForm):
        model = form_class._options.model
    return t.cast("type[t.Any] | None", model)


# -- deletion ----------------------------------------------------------------------------------------


class DeletionMixin:
    """``delete()``: delete the row and redirect to :attr:`success_url` (the HTTP DELETE method)."""

    #: Where to go once the row is deleted; may name its attributes (``"/authors/{author_id}/"``).
    success_url: str | LazyURL | None = None

    def delete(self, *args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
        """HTTP DELETE (from a script; it needs the CSRF token in a header): delete and redirect."""
        self.object = self.get_object()  # type: ignore[attr-defined]
        success_url = self.get_success_url()
        _delete(self.object)
        return redirect(success_url)

    def get_success_url(self) -> str:
        """:attr:`success_url`, formatted with the row (read before it is deleted)."""
        if not self.success_url:
            raise ConfigurationError(
                f"No URL to redirect to. Provide a success_url ({type(self).__name__}.success_url)."
            )
        url = str(self.success_url)
        try:
            return url.format_map(ObjectAttributes(self.object))
        except KeyError as exc:
            raise ConfigurationError(
                f"{type(self).__name__}.success_url {url!r} names {{{exc.args[0]}}}, which "
                f"{type(self.object).__name__} does not have."
            ) from None


def _delete(obj: t.Any) -> None:
    db.session.delete(obj)
    _finish_write()


class BaseDeleteView(DeletionMixin, FormMixin, BaseDetailView):
    """Deletes a row on POST; renders nothing by itself (see :class:`DeleteView`)."""

    #: The confirmation form: the forms plugin's ``Form`` (its CSRF token), which you can extend
    #: with fields and validation (Django 4.0's ``DeleteView.form_class``).
    form_class: type[t.Any] | None = Form

    def post(self, *args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
        self.object = self.get_object()
        form = self.get_form()
        if _is_valid(form):
            return self.form_valid(form)
        return self.form_invalid(form)

    def form_valid(self, form: t.Any) -> ResponseReturnValue:
        """Delete the row (committed, or flushed in an atomic request), then redirect to ``success_url``."""
        success_url = self.get_success_url()
        _delete(self.object)
        return redirect(success_url)

    @classmethod
    def check_configuration(cls, initkwargs: cabc.Mapping[str, t.Any]) -> None:
        super().check_configuration(initkwargs)
        cls._check_form_options(initkwargs)
        success_url = option(cls, initkwargs, "success_url")
        if not success_url and cls.get_success_url is DeletionMixin.get_success_url:
            raise ConfigurationError(
                f"{cls.__name__} needs a success_url: where to go once the row is deleted.",
                hint=f"Write {cls.__name__}.as_view(model=Post, success_url='/posts/').",
            )


class DeleteView(SingleObjectTemplateResponseMixin, BaseDeleteView):
    """Deletes a row after a confirmation, as Django's ``DeleteView`` (4.0+).

    ::

        app.add_url_rule(
            "/posts/<int:pk>/delete/", view_func=DeleteView.as_view(model=Post, success_url="/posts/")
        )

    GET: the confirmation page (nothing is deleted). POST: the form is validated
    (CSRF), the row deleted and the answer a redirect to ``success_url``. The
    HTTP DELETE method deletes too (``http_method_names`` can leave it out).
    404 when the row does not exist. Context: ``object``, ``<model name>``,
    ``form``, ``view``. Template: ``<folder>/<model name>_confirm_delete.html``.
    """

    _kit_generic = True
    template_name_suffix = "_confirm_delete"

    @classmethod
    def generic_endpoint(cls, initkwargs: cabc.Mapping[str, t.Any]) -> str | None:
        model = option(cls, initkwargs, "model") or entity_of(option(cls, initkwargs, "queryset"))
        return f"{model_name(model)}_delete" if model is not None else None
