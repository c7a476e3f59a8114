"""The ``mail`` plugin: Django's ``django.core.mail`` on Flask-Mailman.

::

    # settings.py
    PLUGINS = ["mail"]
    EMAIL_URL = "smtp+tls://apikey:secret@smtp.example.com:587"   # or EMAIL_HOST, EMAIL_PORT...
    DEFAULT_FROM_EMAIL = "Notes <noreply@example.com>"
    ADMINS = ["ops@example.com"]

    # anywhere in a request or app context
    from flaskkit.plugins.mail import send_mail, mail_admins, EmailMultiAlternatives

    send_mail("Welcome", "Hello Ada", None, ["ada@example.com"])

* ``send_mail``, ``send_mass_mail``, ``mail_admins``, ``mail_managers``,
  ``EmailMessage``, ``EmailMultiAlternatives`` (attachments, HTML), ``get_connection``;
* ``EMAIL_BACKEND``: ``smtp`` (Django's default), ``console``, ``file``,
  ``locmem`` (the default while ``TESTING``), ``dummy``, Django's dotted paths or
  a class of your own; Django's ``EMAIL_*`` settings, or one ``EMAIL_URL``;
* an unhandled exception in a request mails ``ADMINS`` (``DEBUG`` off), secrets cleansed;
* ``BadHeaderError`` for a line break in a header, whatever the backend;
* ``flask kit sendtestemail ADDRESS [--managers] [--admins]``;
* the ``mailoutbox`` pytest fixture.

See docs/plugins/mail.md.
"""

from __future__ import annotations

import typing as t

from flask import got_request_exception
from flask_mailman import DEFAULT_ATTACHMENT_MIME_TYPE
from flask_mailman import BadHeaderError
from flask_mailman import EmailMessage
from flask_mailman import EmailMultiAlternatives
from flask_mailman import Mail

from flaskkit import Plugin
from flaskkit.checks import DEPLOY
from flaskkit.checks import check

from . import checks as _checks
from .api import EXTENSION_KEY
from .api import deliver
from .api import get_connection
from .api import mail_admins
from .api import mail_managers
from .api import mail_plugin
from .api import outbox
from .api import send_after_response
from .api import send_mail
from .api import send_mass_mail
from .api import staff_message
from .api import uses_tasks
from .backends import MailServerError
from .conf import MailSettings
from .conf import _backend
from .conf import parse_email_url
from .conf import read_settings
from .errors import AdminEmailHandler
from .errors import SafeExceptionReporterFilter
from .errors import report_exception

if t.TYPE_CHECKING:
    import click
    from flask import Flask

    from flaskkit.checks import CheckMessage

__all__ = [
    "DEFAULT_ATTACHMENT_MIME_TYPE",
    "AdminEmailHandler",
    "BadHeaderError",
    "EmailMessage",
    "EmailMultiAlternatives",
    "MailPlugin",
    "MailServerError",
    "MailSettings",
    "SafeExceptionReporterFilter",
    "deliver",
    "get_connection",
    "mail_admins",
    "mail_managers",
    "mail_plugin",
    "outbox",
    "parse_email_url",
    "send_after_response",
    "send_mail",
    "send_mass_mail",
    "staff_message",
    "uses_tasks",
]


class MailPlugin(Plugin):
    """Mail for one app: Flask-Mailman configured from Django's settings (one instance per app).

    ``app.extensions["flaskkit.mail"]`` is the instance; ``app.extensions["mailman"]``
    is Flask-Mailman's state, as Flask-Mailman's own code expects.
    """

    name = "mail"
    extra = "mail"

    def __init__(self) -> None:
        #: The app's validated settings (set in configure).
        self.settings: MailSettings
        #: Flask-Mailman's per-app state (``app.extensions["mailman"]``).
        self.mailman: t.Any = None
        #: The handler that mails ``ADMINS`` about unhandled exceptions.
        self.admin_handler = AdminEmailHandler()

    def configure(self, app: Flask) -> None:
        self.settings = read_settings(app)

    def init_app(self, app: Flask) -> None:
        self.mailman = Mail().init_app(app)  # reads the MAIL_* keys read_settings() wrote
        self.mailman.backend = self.settings.backend
        app.extensions[EXTENSION_KEY] = self
        got_request_exception.connect(report_exception, app, weak=False)
        app.shell_context_processor(lambda: {"send_mail": send_mail, "mail_admins": mail_admins})

    def backend_class(self, backend: str | type) -> type:
        """The class a backend name, Django's or Flask-Mailman's dotted path, or a class names."""
        return _backend(backend, False)[1]

    def kit_commands(self, app: Flask) -> t.Iterable[click.Command]:
        from .cli import sendtestemail_command

        return [sendtestemail_command(self)]

    @check(DEPLOY)
    def check_deploy(self, app: Flask) -> t.Iterable[CheckMessage]:
        return _checks.check_deploy(self.settings)
