"""The site's pages: Django's generic class-based views from the views plugin, and the
access mixins of the auth plugin. The URLs are in ``urls.py``.

==========================  ============================================  ===================
view                        who                                           template
==========================  ============================================  ===================
``NoteList``                everyone (cached for anonymous visitors)      ``note_list.html``
``NoteDetail``              everyone (cached for anonymous visitors)      ``note_detail.html``
``MyNotes``                 logged-in users                               ``my_notes.html``
``NoteCreate``              logged-in users                               ``note_form.html``
``NoteUpdate``              the note's author (others: 403)               ``note_form.html``
``NoteDelete``              the note's author (others: 403)               ``note_confirm_delete.html``
==========================  ============================================  ===================

Templates are found by Django's rules, in ``templates/example_site/`` (the package of
the model, as Django's app label).
"""

from __future__ import annotations

import typing as t

from flask import current_app
from flask import render_template
from flask import request
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException

from flaskkit.plugins.auth import LoginRequiredMixin
from flaskkit.plugins.auth import UserPassesTestMixin
from flaskkit.plugins.auth import current_user
from flaskkit.plugins.auth import get_user
from flaskkit.plugins.messages import SuccessMessageMixin
from flaskkit.plugins.messages import success
from flaskkit.plugins.views import CreateView
from flaskkit.plugins.views import DeleteView
from flaskkit.plugins.views import DetailView
from flaskkit.plugins.views import ListView
from flaskkit.plugins.views import UpdateView
from flaskkit.plugins.views import lazy_url_for
from flaskkit.translation import gettext
from flaskkit.translation import gettext_lazy

from .caching import cache_public_page
from .models import Note

if t.TYPE_CHECKING:
    import sqlalchemy as sa
    from flask.typing import ResponseReturnValue
    from werkzeug.wrappers import Response

__all__ = [
    "ERROR_MESSAGES",
    "MyNotes",
    "NoteCreate",
    "NoteDelete",
    "NoteDetail",
    "NoteList",
    "NoteOwnerMixin",
    "NoteUpdate",
    "error_page",
]


class PagedNotes(ListView):
    """Notes, newest first, ``NOTES_PER_PAGE`` a page (``?page=2``, ``?page=last``)."""

    model = Note
    ordering = ("-created_at", "-id")

    def get_paginate_by(self, object_list: t.Any) -> int:
        return int(current_app.config["NOTES_PER_PAGE"])


class NoteList(PagedNotes):
    """Every note: the home page."""

    decorators = [cache_public_page]


class MyNotes(LoginRequiredMixin, PagedNotes):
    """The notes of the logged-in user."""

    template_name = "example_site/my_notes.html"

    def get_queryset(self) -> sa.Select[t.Any]:
        return super().get_queryset().where(Note.author_id == current_user.id)


class NoteDetail(DetailView):
    """One note (404 when there is none)."""

    model = Note
    decorators = [cache_public_page]


class NoteCreate(LoginRequiredMixin, SuccessMessageMixin, CreateView):
    """A new note by the logged-in user; then its page (``Note.get_absolute_url()``)."""

    model = Note
    fields = ["title", "body"]
    success_message = gettext_lazy("Your note is on the board.")

    def form_valid(self, form: t.Any) -> ResponseReturnValue:
        form.instance.author = get_user()
        return super().form_valid(form)


class NoteOwnerMixin(UserPassesTestMixin):
    """Only the note's author passes: another user gets 403, an anonymous one the login page."""

    _note: Note | None = None

    def get_object(self, queryset: sa.Select[t.Any] | None = None) -> Note:
        # Loaded once for the test and the view (404 when there is no such note).
        if self._note is None:
            self._note = super().get_object(queryset)  # type: ignore[misc]
        return self._note

    def test_func(self) -> bool:
        return bool(current_user.is_authenticated and self.get_object().author_id == current_user.id)


class NoteUpdate(NoteOwnerMixin, SuccessMessageMixin, UpdateView):
    """Change one of your notes."""

    model = Note
    fields = ["title", "body"]
    success_message = gettext_lazy("Your changes are saved.")


class NoteDelete(NoteOwnerMixin, DeleteView):
    """Delete one of your notes, after a confirmation page; then your notes."""

    model = Note
    success_url = lazy_url_for("notes.mine")

    def form_valid(self, form: t.Any) -> ResponseReturnValue:
        success(self.request, gettext("“%(title)s” is deleted.") % {"title": self.object.title})
        return super().form_valid(form)


#: The message of the error pages that say more than the error's own description.
ERROR_MESSAGES = {
    403: gettext_lazy("You may not do this: only a note's author may change or delete it."),
    404: gettext_lazy("There is no such page. The note may have been deleted."),
    405: gettext_lazy("This page does not take that kind of request."),
    # 503 (a service the site needs is down): the error's own description, which says whether a change was saved.
}
#: The title of each of those pages (werkzeug's names, in the visitor's language).
ERROR_TITLES = {
    403: gettext_lazy("Forbidden"),
    404: gettext_lazy("Not Found"),
    405: gettext_lazy("Method Not Allowed"),
    503: gettext_lazy("Service Unavailable"),
}


def error_page(error: HTTPException) -> Response | HTTPException:
    """Every client error (4xx), and 503, in the site's layout, with the error's own headers (``Allow``
    on a 405, ``Retry-After`` on a 429 or a 503) and its description as the message (it says what was
    wrong: "The form data is not valid UTF-8.", which size limit a 413 hit, whether a change was saved
    before a service went down...). Other server errors are left to their own handlers. The plugins'
    own pages keep theirs: the CSRF failure (403) and a throttled login (429)."""
    response = error.get_response()
    if not (400 <= response.status_code < 500 or response.status_code == 503):
        return error
    if request_ctx.url_adapter is None:
        # The Host header was refused before routing (too long, not a host name): Flask made no URL
        # adapter, so url_for() in the layout would fail. The layout's URLs are relative, and need no
        # host: a placeholder one builds them.
        request_ctx.url_adapter = current_app.url_map.bind(
            "invalid.invalid", script_name=request.root_path or "/", url_scheme=request.scheme
        )
    message = ERROR_MESSAGES.get(response.status_code, error.description or "")
    title = ERROR_TITLES.get(response.status_code, error.name)
    response.set_data(render_template("error.html", error=error, title=title, message=message))
    return response
