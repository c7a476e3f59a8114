"""The ``admin`` plugin: Django's admin site on Flask-Admin 2, wired to the kit's auth, forms and signals.

::

    # settings.py
    PLUGINS = ["orm", "session", "cache", "forms", "signals", "auth", "admin"]

    # blog/admin.py  (imported for every enabled plugin and for the app, as Django's autodiscover does)
    from flaskkit.plugins import admin
    from .models import Comment, Post

    class CommentInline(admin.TabularInline):
        model = Comment
        extra = 3

    @admin.register(Post)
    class PostAdmin(admin.ModelAdmin):
        list_display = ["title", "author", "published"]
        list_filter = ["published", "author"]
        search_fields = ["title", "body"]
        inlines = [CommentInline]

``/admin/`` is then the admin: active staff only (others go to the login
page, or get 403), each model by its ``view_``/``add_``/``change_``/
``delete_`` permissions, CSRF on every form, a confirmation page before any
deletion or action, and Django's ``LogEntry`` history. See docs/plugins/admin.md.
"""

from __future__ import annotations

import typing as t
from pathlib import Path

from flask import Blueprint
from flask_admin import expose

from flaskkit import ConfigurationError
from flaskkit import Plugin

from .actions import delete_selected
from .conf import DEFAULTS
from .conf import AdminSettings
from .conf import read_settings
from .decorators import action
from .decorators import display
from .fieldfilters import AllValuesFieldListFilter
from .fieldfilters import BooleanFieldListFilter
from .fieldfilters import ChoicesFieldListFilter
from .fieldfilters import DateFieldListFilter
from .fieldfilters import EmptyFieldListFilter
from .fieldfilters import RelatedFieldListFilter
from .fieldfilters import RelatedOnlyFieldListFilter
from .filters import FieldListFilter
from .filters import ListFilter
from .filters import SimpleListFilter
from .inlines import InlineModelAdmin
from .inlines import StackedInline
from .inlines import TabularInline
from .models import ADDITION
from .models import CHANGE
from .models import DELETION
from .models import LogEntry
from .models import metadata as _metadata
from .options import HORIZONTAL
from .options import VERTICAL
from .options import ModelAdmin
from .sites import AdminSite
from .sites import AlreadyRegistered
from .sites import LazyModel
from .sites import NotRegistered
from .sites import register
from .sites import site

if t.TYPE_CHECKING:
    import sqlalchemy as sa
    from flask import Flask

    from flaskkit.checks import CheckMessage

    from .state import AdminState

__all__ = [
    "ADDITION",
    "CHANGE",
    "DELETION",
    "HORIZONTAL",
    "VERTICAL",
    "AdminPlugin",
    "AdminSite",
    "AllValuesFieldListFilter",
    "AlreadyRegistered",
    "BooleanFieldListFilter",
    "ChoicesFieldListFilter",
    "DateFieldListFilter",
    "EmptyFieldListFilter",
    "FieldListFilter",
    "InlineModelAdmin",
    "LazyModel",
    "ListFilter",
    "LogEntry",
    "ModelAdmin",
    "NotRegistered",
    "RelatedFieldListFilter",
    "RelatedOnlyFieldListFilter",
    "SimpleListFilter",
    "StackedInline",
    "TabularInline",
    "action",
    "delete_selected",
    "display",
    "expose",
    "register",
    "site",
]

#: ``app.extensions[EXTENSION_KEY]`` is the app's :class:`AdminPlugin`.
EXTENSION_KEY = "flaskkit.admin"


class AdminPlugin(Plugin):
    """Builds the app's admin from the registrations of its modules (one instance per app)."""

    name = "admin"
    requires = ("orm", "forms", "auth")
    #: Model signals come from the signals plugin when it is enabled; the admin writes through the ORM either way.
    after = ("signals", "views")
    extra = "admin"
    defaults = DEFAULTS

    #: The Alembic migrations of ``admin_logentry`` (branch "admin"), for the orm plugin.
    migrations: t.ClassVar[str] = str(Path(__file__).resolve().with_name("migrations"))
    #: The table is on a metadata of its own (see models.py).
    metadata: t.ClassVar[sa.MetaData] = _metadata

    def __init__(self) -> None:
        self.settings: AdminSettings
        #: The app's admin: its site, registrations and views (set in ready).
        self.state: AdminState
        self._messages: list[CheckMessage] = []

    def configure(self, app: Flask) -> None:
        self.settings = read_settings(app)

    def init_app(self, app: Flask) -> None:
        # Flask-Admin 2 is imported here, so a missing install says `pip install "flaskkit[admin]"`.
        self.import_optional("flask_admin")
        app.extensions[EXTENSION_KEY] = self
        app.register_blueprint(Blueprint("flaskkit_admin", __name__, template_folder="templates"))

    def ready(self, app: Flask) -> None:
        from .build import build_admin

        _babel_for_flask_admin(app)
        self.state, self._messages = build_admin(app, self.settings)

    def checks(self, app: Flask) -> t.Iterable[CheckMessage]:
        from .build import registration_checks

        if not hasattr(self, "state"):
            return list(self._messages)
        return registration_checks(self.state)


def admin_state(app: Flask | None = None) -> AdminState:
    """The admin of ``app`` (default: the current app)."""
    from flask import current_app

    target = app if app is not None else current_app
    plugin = target.extensions.get(EXTENSION_KEY)
    if plugin is None:
        raise ConfigurationError(f"The admin plugin is not enabled on the app {target.name!r}: add 'admin' to PLUGINS.")
    return t.cast(AdminPlugin, plugin).state


def _babel_for_flask_admin(app: Flask) -> None:
    """Flask-Admin translates its own pages with Flask-Babel whenever Flask-Babel is installed, and then needs it
    set up on the app (``app.extensions["babel"]``). The i18n plugin sets it up with the request's language; without
    that plugin, a plain Flask-Babel in ``LANGUAGE_CODE`` (or English) keeps Flask-Admin's views working."""
    if "babel" in app.extensions:
        return
    try:
        import flask_babel
    except ImportError:
        return  # Flask-Admin then uses its own English fallback
    from flaskkit.translation import to_locale

    language = str(app.config.get("LANGUAGE_CODE") or "en")
    flask_babel.Babel(app, configure_jinja=False, default_locale=to_locale(language))
