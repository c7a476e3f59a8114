"""The pages of one model: change list, add, change, delete, history and autocomplete (Django's URLs).

::

    /admin/<app_label>/<model_name>/                   the change list (GET), actions (POST)
    /admin/<app_label>/<model_name>/add/               add
    /admin/<app_label>/<model_name>/<pk>/change/       change (view only without change permission)
    /admin/<app_label>/<model_name>/<pk>/delete/       a confirmation page (GET), the deletion (POST)
    /admin/<app_label>/<model_name>/<pk>/history/      the object's log entries
    /admin/<app_label>/<model_name>/autocomplete/      JSON for autocomplete_fields

They are Flask-Admin routes (``@expose``) of the ``ModelAdmin``; Flask-Admin
calls :meth:`ModelAdminViews._handle_view` before each, which lets only active
staff in and checks the permission the view needs. Every POST goes through
the forms plugin's CSRF check; no GET changes anything.
"""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from flask import abort
from flask import jsonify
from flask import redirect
from flask import request
from flask import url_for
from flask_admin import expose

from flaskkit.translation import gettext

from .access import permission_denied
from .access import staff_required_response
from .actions import ACTION_CHECKBOX_NAME
from .actions import collect_deletion
from .changelist import ChangeList
from .forms import AdminForm
from .inlines import InlineFormSet
from .models import LogEntry
from .saving import admin_message

if t.TYPE_CHECKING:
    from flask import Request
    from flask.typing import ResponseReturnValue

    from .options import ModelAdmin

__all__ = ["ModelAdminViews"]

#: Rows of "delete selected" or of an action that the confirmation page lists.
CONFIRM_SHOWN = 100
#: Rows per page of the history and of the autocomplete answers.
HISTORY_PER_PAGE = 100
AUTOCOMPLETE_PER_PAGE = 20


class ModelAdminViews:
    """The views of :class:`~flaskkit.plugins.admin.ModelAdmin` (a mixin, for reading's sake)."""

    #: The permission each view needs ("view" means view or change). A view you add with
    #: ``@expose`` needs "view" unless you list it here.
    view_permissions: t.ClassVar[dict[str, str]] = {
        "changelist_view": "view",
        "object_redirect_view": "view",
        "change_view": "view",
        "history_view": "view",
        "autocomplete_view": "view",
        "add_view": "add",
        "delete_view": "delete",
    }

    # -- Flask-Admin's own routes, withdrawn ---------------------------------------------------------
    #
    # ModelView exposes its own list, create, edit, details, action, export and ajax routes, built on its
    # form scaffolding and its own permission flags. The views above replace them, with Django's
    # permissions; left exposed, they would be a second way in (a "view" permission reaching Flask-Admin's
    # edit form). Redefined here without @expose, Flask-Admin's view collector no longer routes them.

    def index_view(self) -> t.NoReturn:
        abort(404)

    def create_view(self) -> t.NoReturn:
        abort(404)

    def edit_view(self) -> t.NoReturn:
        abort(404)

    def details_view(self) -> t.NoReturn:
        abort(404)

    def action_view(self) -> t.NoReturn:
        abort(404)

    def export(self, export_type: str) -> t.NoReturn:
        abort(404)

    def ajax_lookup(self) -> t.NoReturn:
        abort(404)

    def ajax_update(self) -> t.NoReturn:
        abort(404)

    # -- access -------------------------------------------------------------------------------------

    def _handle_view(self: ModelAdmin, name: str, **kwargs: t.Any) -> ResponseReturnValue | None:  # type: ignore[misc]
        denied = staff_required_response()
        if denied is not None:
            return denied
        needed = self.view_permissions.get(name, "view")
        checks = {
            "view": self.has_view_or_change_permission,
            "add": self.has_add_permission,
            "change": self.has_change_permission,
            "delete": self.has_delete_permission,
        }
        check = checks.get(needed)
        if check is None or not check(request):
            return permission_denied()
        return None

    def render_admin(self: ModelAdmin, template: str, **context: t.Any) -> str:  # type: ignore[misc]
        base = self.admin_state.each_context()
        base.update(
            opts=self.opts,
            model_admin=self,
            app_label=self.opts.app_label,
            app_name=self.category,
            has_view_permission=self.has_view_permission(request),
            has_add_permission=self.has_add_permission(request),
            has_change_permission=self.has_change_permission(request),
            has_delete_permission=self.has_delete_permission(request),
            changelist_url=self.get_changelist_url(),
        )
        base.update(context)
        return t.cast(str, self.render(template, **base))

    def _missing(self: ModelAdmin, object_id: str) -> ResponseReturnValue:  # type: ignore[misc]
        name = str(self.opts.verbose_name)
        admin_message(
            gettext("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?")  # noqa: RUF001
            % {"name": name[:1].upper() + name[1:], "key": object_id},
            "warning",
        )
        return redirect(url_for("admin.index"))

    def _changelist_redirect(self: ModelAdmin) -> ResponseReturnValue:  # type: ignore[misc]
        if not self.has_view_or_change_permission(request):
            return redirect(url_for("admin.index"))
        url = self.get_changelist_url()
        preserved = request.args.get("_changelist_filters")
        return redirect(f"{url}?{preserved}" if preserved and self.preserve_filters else url)

    # -- the change list and actions ---------------------------------------------------------------------

    @expose("/", methods=("GET", "POST"))
    def changelist_view(self: ModelAdmin) -> ResponseReturnValue:  # type: ignore[misc]
        if request.method == "POST":
            return self._post_action(request)
        changelist = ChangeList(request, self)
        actions = self.get_actions(request) if self.actions is not None else {}
        can_change = self.has_change_permission(request)
        title = gettext("Select %s to change") if can_change else gettext("Select %s to view")
        return self.render_admin(
            "admin/change_list.html",
            title=title % self.opts.verbose_name,
            subtitle=None,
            cl=changelist,
            action_choices=[(name, description) for name, (_f, _n, description) in actions.items()],
            action_checkbox_name=ACTION_CHECKBOX_NAME,
            add_url=self.admin_url("add_view") if self.has_add_permission(request) else None,
        )

    def _post_action(self: ModelAdmin, request: Request) -> ResponseReturnValue:  # type: ignore[misc]
        back = self.get_changelist_url() + (f"?{request.query_string.decode()}" if request.query_string else "")
        actions = self.get_actions(request)
        name = request.form.get("action", "")
        if not name:
            admin_message(gettext("No action selected."), "warning")
            return redirect(back)
        if name not in actions:
            return permission_denied(
                gettext("There is no action %(name)s that you may run here.") % {"name": repr(name)}
            )
        selected = request.form.getlist(ACTION_CHECKBOX_NAME)
        select_across = request.form.get("select_across") == "1"
        if not selected and not select_across:
            admin_message(
                gettext("Items must be selected in order to perform actions on them. No items have been changed."),
                "warning",
            )
            return redirect(back)
        changelist = ChangeList(request, self)
        queryset = changelist.filtered_queryset
        if not select_across:
            queryset = self._only(queryset, selected)
        func, _name, description = actions[name]
        if getattr(func, "confirm", True) and request.form.get("post") != "yes":
            objects = queryset.limit(CONFIRM_SHOWN).all()
            if not objects:
                admin_message(
                    gettext("None of the selected objects exist any more. No items have been changed."), "warning"
                )
                return redirect(back)
            return self.render_admin(
                "admin/action_confirmation.html",
                title=gettext("Are you sure?"),
                action_name=name,
                action_description=description,
                objects=objects,
                count=queryset.order_by(None).count(),
                selected=selected,
                select_across=select_across,
                action_checkbox_name=ACTION_CHECKBOX_NAME,
            )
        response = self.run_action(func, request, queryset)
        if response is not None:
            return response
        self.commit()
        return redirect(back)

    def _only(self: ModelAdmin, queryset: t.Any, keys: t.Sequence[str]) -> t.Any:  # type: ignore[misc]
        mapper = sa.inspect(self.model)
        if len(mapper.primary_key) != 1:
            from flask_admin.contrib.sqla import tools

            return tools.get_query_for_ids(queryset, self.model, keys)
        column = mapper.primary_key[0]
        try:
            python_type = column.type.python_type
        except NotImplementedError:
            python_type = str
        values = []
        for key in keys:
            try:
                values.append(python_type(key))
            except (TypeError, ValueError):
                continue
        return queryset.filter(getattr(self.model, mapper.get_property_by_column(column).key).in_(values))

    def delete_selected_view(self: ModelAdmin, request: Request, queryset: t.Any) -> ResponseReturnValue:  # type: ignore[misc]
        """The built-in action: its confirmation page, then the deletions (one log entry each)."""
        objects = queryset.all()
        back = self.get_changelist_url() + (f"?{request.query_string.decode()}" if request.query_string else "")
        if not objects:
            admin_message(
                gettext("None of the selected objects exist any more. No items have been changed."), "warning"
            )
            return redirect(back)
        plan = collect_deletion(self, request, objects)
        if request.form.get("post") == "yes":
            if plan.perms_needed or plan.protected:
                return permission_denied(
                    gettext("The deletion would remove objects you may not delete, or protected ones.")
                )
            for obj in objects:
                self.log_deletion(request, obj, str(obj))
            try:
                self.delete_queryset(request, queryset)
                self.commit()
            except sa.exc.IntegrityError as exc:
                from flaskkit.plugins.orm import db

                db.session.rollback()
                admin_message(
                    gettext("Nothing was deleted: the database refused it (%(error)s).") % {"error": _first_line(exc)},
                    "error",
                )
                return redirect(back)
            count = len(objects)
            name = self.opts.verbose_name if count == 1 else self.opts.verbose_name_plural
            admin_message(
                gettext("Successfully deleted %(count)d %(items)s.") % {"count": count, "items": name}, "success"
            )
            return redirect(back)
        return self.render_admin(
            "admin/delete_selected_confirmation.html",
            title=gettext("Delete multiple objects") if len(objects) > 1 else gettext("Are you sure?"),
            objects=objects,
            plan=plan,
            selected=request.form.getlist(ACTION_CHECKBOX_NAME),
            select_across=request.form.get("select_across") == "1",
            action_checkbox_name=ACTION_CHECKBOX_NAME,
        )

    # -- add and change -------------------------------------------------------------------------------------

    @expose("/add/", methods=("GET", "POST"))
    def add_view(self: ModelAdmin) -> ResponseReturnValue:  # type: ignore[misc]
        return self.changeform_view(None)

    @expose("/<object_id>/change/", methods=("GET", "POST"))
    def change_view(self: ModelAdmin, object_id: str) -> ResponseReturnValue:  # type: ignore[misc]
        return self.changeform_view(object_id)

    @expose("/<object_id>/")
    def object_redirect_view(self: ModelAdmin, object_id: str) -> ResponseReturnValue:  # type: ignore[misc]
        return redirect(self.admin_url("change_view", object_id=object_id), code=301)

    def changeform_view(self: ModelAdmin, object_id: str | None) -> ResponseReturnValue:  # type: ignore[misc]
        save_as_new = request.method == "POST" and self.save_as and "_saveasnew" in request.form
        add = object_id is None or save_as_new
        obj = None
        if object_id is not None:
            obj = self.get_object(request, object_id)
            if obj is None:
                return self._missing(object_id)
            if not self.has_view_or_change_permission(request, obj):
                return permission_denied()
        if save_as_new and not self.has_add_permission(request):
            return permission_denied()
        if add:
            can_edit = self.has_add_permission(request)
            obj = None if save_as_new else obj
        else:
            can_edit = self.has_change_permission(request, obj)
        if request.method == "POST" and not can_edit:
            return permission_denied(gettext("You may view this object, not change it."))
        readonly = list(self.get_readonly_fields(request, obj))
        fieldsets = self.get_fieldsets(request, obj)
        if not can_edit:
            from .forms import flatten_fieldsets

            readonly = [*readonly, *flatten_fieldsets(fieldsets)]
        form = None
        if can_edit:
            form_class = self.get_form(request, obj, change=not add)
            form = self.make_form(form_class, obj, bound=request.method == "POST", add=add)
            self.prepare_related_widgets(form)
        formdata = request.form if request.method == "POST" else None
        formsets = [
            InlineFormSet(inline, request, obj, formdata=formdata, readonly=not can_edit, save_as_new=save_as_new)
            for inline in self.get_inline_instances(request, obj)
        ]
        for formset in formsets:
            for inline_form in [*formset.forms, *([formset.empty_form] if formset.empty_form else [])]:
                self.prepare_related_widgets(inline_form.form)
        if request.method == "POST" and form is not None:
            form_valid = form.validate()
            formsets_valid = [formset.is_valid() for formset in formsets]
            if form_valid and all(formsets_valid):
                saved = self._save(form, formsets, obj, add)
                if saved is not None:
                    return saved
            admin_message(gettext("Please correct the errors below."), "error")
        readonly_items = {
            name: item
            for name, item in zip(
                [n if isinstance(n, str) else getattr(n, "__name__", repr(n)) for n in readonly],
                self.display_items(readonly),
                strict=True,
            )
        }
        admin_form = AdminForm(
            form,
            fieldsets,
            readonly_items,
            obj,
            self.get_empty_value_display(),
            self.get_prepopulated_fields(request, obj) if can_edit else None,
        )
        title = gettext("Add %s") if add else (gettext("Change %s") if can_edit else gettext("View %s"))
        return self.render_admin(
            "admin/change_form.html",
            title=title % self.opts.verbose_name,
            subtitle=None if add else str(obj),
            adminform=admin_form,
            formsets=formsets,
            original=None if add else obj,
            add=add,
            change=not add,
            can_edit=can_edit,
            object_id=None if add else self.pk_string(obj),
            save_as=self.save_as and not add,
            show_delete_link=not add and self.has_delete_permission(request, obj),
            view_on_site_url=None if add else self.get_view_on_site_url(obj),
            preserved_filters=request.args.get("_changelist_filters", ""),
        )

    def make_form(self: ModelAdmin, form_class: t.Any, obj: t.Any, *, bound: bool, add: bool) -> t.Any:  # type: ignore[misc]
        """An instance of the page's form: bound to the POST, or showing ``obj`` (a plain ``Form`` for an add
        form that is not a ``ModelForm``, such as the user admin's ``UserCreationForm``)."""
        from flaskkit.plugins.forms import ModelForm

        if not issubclass(form_class, ModelForm):
            return form_class() if bound else form_class(None)
        if bound:
            return form_class(instance=obj)
        return form_class(None, instance=obj, initial=self._initial(form_class) if add else None)

    def prepare_related_widgets(self: ModelAdmin, form: t.Any) -> None:  # type: ignore[misc]
        """Give raw-id and autocomplete fields the URLs of the related model's admin (per request)."""
        from .forms import PkMultipleSelectField
        from .forms import PkSelectField

        if form is None:
            return
        for field in form:
            if not isinstance(field, PkSelectField | PkMultipleSelectField):
                continue
            target = self.admin_state.model_admin_for(field.model)
            if target is None or not target.has_view_or_change_permission(request):
                continue
            field.autocomplete_url = url_for(f"{target.endpoint}.autocomplete_view")
            field.lookup_url = target.get_changelist_url()

    def _initial(self: ModelAdmin, form_class: t.Any) -> dict[str, t.Any]:  # type: ignore[misc]
        """Django's add page takes initial values from the query string (``?title=Draft``): columns only,
        each read as its column's type; a value that is not one is left out."""
        from .filters import IncorrectLookupParameters
        from .filters import coerce_value

        specs = getattr(form_class, "_model_fields", {})
        initial: dict[str, t.Any] = {}
        for name in request.args:
            spec = specs.get(name)
            if spec is None or spec.kind != "column" or spec.upload_to is not None:
                continue
            try:
                initial[name] = coerce_value(spec.columns[0], request.args[name])
            except IncorrectLookupParameters:
                continue
        return initial

    def _save(
        self: ModelAdmin, form: t.Any, formsets: list[InlineFormSet], obj: t.Any, add: bool
    ) -> ResponseReturnValue | None:  # type: ignore[misc]
        """Save the form and its formsets, log it, commit; None (and an error on the form) when the
        database refuses the change: a constraint the forms could not check, a 4xx page, never a 500."""
        from flaskkit.plugins.orm import db

        before = _snapshot(obj, form) if obj is not None else {}
        try:
            new_object = self.save_form(request, form, change=not add)
            changed = (
                []
                if add
                else [form[name].label.text for name, value in before.items() if value != _value(new_object, name)]
            )
            self.save_model(request, new_object, form, not add)
            for formset in formsets:
                formset.parent = new_object
            self.save_related(request, form, formsets, not add)
            message = self.construct_change_message(request, form, formsets, add, changed)
            if add:
                self.log_addition(request, new_object, message)
            else:
                self.log_change(request, new_object, message)
            self.commit()
        except sa.exc.IntegrityError as exc:
            db.session.rollback()
            form.form_errors.append(
                gettext("The database refused the change, and nothing was saved: %(error)s")
                % {"error": _first_line(exc)}
            )
            return None
        return self.response_add(request, new_object) if add else self.response_change(request, new_object)

    def response_add(self: ModelAdmin, request: Request, obj: t.Any) -> ResponseReturnValue:  # type: ignore[misc]
        names = {"name": self.opts.verbose_name, "obj": str(obj)}
        if "_continue" in request.form or ("_saveasnew" in request.form and self.save_as_continue):
            message = gettext("The %(name)s “%(obj)s” was added successfully. You may edit it again below.")
            admin_message(message % names, "success")
            return redirect(self.get_change_url(obj, preserved=request.args.get("_changelist_filters")))
        if "_addanother" in request.form:
            message = gettext("The %(name)s “%(obj)s” was added successfully. You may add another %(name)s below.")
            admin_message(message % names, "success")
            return redirect(self.admin_url("add_view", **_preserved(request)))
        admin_message(gettext("The %(name)s “%(obj)s” was added successfully.") % names, "success")
        return self._changelist_redirect()

    def response_change(self: ModelAdmin, request: Request, obj: t.Any) -> ResponseReturnValue:  # type: ignore[misc]
        names = {"name": self.opts.verbose_name, "obj": str(obj)}
        if "_continue" in request.form:
            message = gettext("The %(name)s “%(obj)s” was changed successfully. You may edit it again below.")
            admin_message(message % names, "success")
            return redirect(request.full_path if request.query_string else request.path)
        if "_addanother" in request.form:
            message = gettext("The %(name)s “%(obj)s” was changed successfully. You may add another %(name)s below.")
            admin_message(message % names, "success")
            return redirect(self.admin_url("add_view", **_preserved(request)))
        admin_message(gettext("The %(name)s “%(obj)s” was changed successfully.") % names, "success")
        return self._changelist_redirect()

    # -- delete and history ---------------------------------------------------------------------------------

    @expose("/<object_id>/delete/", methods=("GET", "POST"))
    def delete_view(self: ModelAdmin, object_id: str) -> ResponseReturnValue:  # type: ignore[misc]
        obj = self.get_object(request, object_id)
        if obj is None:
            return self._missing(object_id)
        if not self.has_delete_permission(request, obj):
            return permission_denied()
        plan = collect_deletion(self, request, [obj])
        if request.method == "POST":
            if plan.perms_needed or plan.protected:
                return permission_denied(
                    gettext("The deletion would remove objects you may not delete, or protected ones.")
                )
            object_repr = str(obj)
            self.log_deletion(request, obj, object_repr)
            try:
                self.delete_model(request, obj)
                self.commit()
            except sa.exc.IntegrityError:
                from flaskkit.plugins.orm import db

                db.session.rollback()
                admin_message(
                    gettext("The %(name)s “%(obj)s” could not be deleted: other rows refer to it.")
                    % {"name": self.opts.verbose_name, "obj": object_repr},
                    "error",
                )
                return redirect(self.get_change_url(obj))
            admin_message(
                gettext("The %(name)s “%(obj)s” was deleted successfully.")
                % {"name": self.opts.verbose_name, "obj": object_repr},
                "success",
            )
            return self._changelist_redirect()
        return self.render_admin(
            "admin/delete_confirmation.html",
            title=gettext("Are you sure?"),
            subtitle=str(obj),
            object=obj,
            object_id=self.pk_string(obj),
            plan=plan,
            preserved_filters=request.args.get("_changelist_filters", ""),
        )

    @expose("/<object_id>/history/")
    def history_view(self: ModelAdmin, object_id: str) -> ResponseReturnValue:  # type: ignore[misc]
        from flaskkit.plugins.orm import db

        obj = self.get_object(request, object_id)
        if obj is None:
            return self._missing(object_id)
        if not self.has_view_or_change_permission(request, obj):
            return permission_denied()
        condition = sa.and_(
            LogEntry.app_label == self.opts.app_label,
            LogEntry.model_name == self.opts.model_name,
            LogEntry.object_id == self.pk_string(obj),
        )
        total = db.session.scalar(sa.select(sa.func.count()).select_from(LogEntry).where(condition)) or 0
        try:
            page = max(int(request.args.get("p", "1")), 1)
        except ValueError:
            page = 1
        pages = max(1, -(-total // HISTORY_PER_PAGE))
        page = min(page, pages)
        statement = (
            sa.select(LogEntry)
            .where(condition)
            .order_by(LogEntry.action_time, LogEntry.id)
            .limit(HISTORY_PER_PAGE)
            .offset((page - 1) * HISTORY_PER_PAGE)
        )
        entries = list(db.session.scalars(statement))
        return self.render_admin(
            "admin/object_history.html",
            title=gettext("Change history: %s") % obj,
            subtitle=None,
            object=obj,
            object_id=self.pk_string(obj),
            entries=entries,
            users=self.admin_state.users_by_id(entry.user_id for entry in entries),
            page=page,
            pages=pages,
            total=total,
        )

    @expose("/autocomplete/")
    def autocomplete_view(self: ModelAdmin) -> ResponseReturnValue:  # type: ignore[misc]
        if not self.get_search_fields(request):
            abort(404)
        term = request.args.get("term", "").strip()
        try:
            page = max(int(request.args.get("page", "1")), 1)
        except ValueError:
            page = 1
        queryset, _ = self.get_search_results(request, self.get_queryset(request), term)
        mapper = sa.inspect(self.model)
        order = []
        for name in self.get_ordering(request):
            prop = mapper.attrs.get(name.lstrip("-"))
            if prop is not None and hasattr(prop, "columns"):
                column = getattr(self.model, prop.key)
                order.append(column.desc() if name.startswith("-") else column.asc())
        order.extend(getattr(self.model, mapper.get_property_by_column(c).key) for c in mapper.primary_key)
        rows = (
            queryset.order_by(*order).limit(AUTOCOMPLETE_PER_PAGE + 1).offset((page - 1) * AUTOCOMPLETE_PER_PAGE).all()
        )
        more = len(rows) > AUTOCOMPLETE_PER_PAGE
        results = [{"id": self.pk_string(obj), "text": str(obj)} for obj in rows[:AUTOCOMPLETE_PER_PAGE]]
        return jsonify(results=results, pagination={"more": more})


def _first_line(exc: sa.exc.DBAPIError) -> str:
    return str(exc.orig or exc).strip().splitlines()[0]


def _preserved(request: Request) -> dict[str, str]:
    preserved = request.args.get("_changelist_filters")
    return {"_changelist_filters": preserved} if preserved else {}


def _snapshot(obj: t.Any, form: t.Any) -> dict[str, t.Any]:
    return {name: _value(obj, name) for name in form._fields if name != "csrf_token" and hasattr(type(obj), name)}


def _value(obj: t.Any, name: str) -> t.Any:
    value = getattr(obj, name, None)
    if isinstance(value, list):
        return sorted(id(item) for item in value)
    return value
