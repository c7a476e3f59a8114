"""Django's ``django.core.mail`` functions, for the current app.

::

    from flaskkit.plugins.mail import send_mail, mail_admins, EmailMultiAlternatives

    send_mail("Welcome", "Hello Ada", None, ["ada@example.com"])      # None: DEFAULT_FROM_EMAIL

Each returns the number of messages sent. A failure raises (``fail_silently=False``,
the default): :class:`~flaskkit.plugins.mail.MailServerError` when the SMTP server
cannot be reached, ``BadHeaderError`` for a line break in a header.
"""

from __future__ import annotations

import logging
import threading
import typing as t

from flask import after_this_request
from flask import current_app
from flask import has_app_context
from flask import has_request_context
from flask_mailman import EmailMessage
from flask_mailman import EmailMultiAlternatives

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterable
    from collections.abc import Sequence

    from flask import Flask
    from flask_mailman.backends.base import BaseEmailBackend
    from werkzeug.wrappers import Response

    from . import MailPlugin

__all__ = [
    "deliver",
    "get_connection",
    "mail_admins",
    "mail_managers",
    "mail_plugin",
    "outbox",
    "send_after_response",
    "send_mail",
    "send_mass_mail",
    "staff_message",
    "uses_tasks",
]

#: ``app.extensions[EXTENSION_KEY]`` is the app's :class:`~flaskkit.plugins.mail.MailPlugin`.
EXTENSION_KEY = "flaskkit.mail"

logger = logging.getLogger("flaskkit.mail")


def mail_plugin(app: Flask | None = None) -> MailPlugin:
    """The mail plugin of ``app`` (default: the current app), with a clear error when it is not enabled."""
    if app is None:
        if not has_app_context():
            raise RuntimeError(
                "Mail is sent per app: send it inside a request or an app context (with app.app_context(): ...)."
            )
        app = t.cast("Flask", current_app._get_current_object())  # type: ignore[attr-defined]
    plugin = app.extensions.get(EXTENSION_KEY)
    if plugin is None:
        raise RuntimeError(f"The mail plugin is not enabled on the app {app.name!r}: add 'mail' to PLUGINS.")
    return t.cast("MailPlugin", plugin)


def get_connection(backend: str | type | None = None, fail_silently: bool = False, **kwds: t.Any) -> BaseEmailBackend:
    """A backend instance (Django's ``get_connection``): ``EMAIL_BACKEND``'s, or ``backend``'s.

    ``backend`` is a friendly name (``"smtp"``, ``"console"``...), Django's or
    Flask-Mailman's dotted path, or a class. Use it to send several messages over
    one SMTP connection::

        with get_connection() as connection:
            for message in messages:
                message.connection = connection
                message.send()
    """
    plugin = mail_plugin()
    cls = plugin.settings.backend if backend is None else plugin.backend_class(backend)
    return t.cast("BaseEmailBackend", cls(mailman=plugin.mailman, fail_silently=fail_silently, **kwds))


def send_mail(
    subject: str,
    message: str,
    from_email: str | None,
    recipient_list: Sequence[str],
    fail_silently: bool = False,
    auth_user: str | None = None,
    auth_password: str | None = None,
    connection: BaseEmailBackend | None = None,
    html_message: str | None = None,
) -> int:
    """Send one message to ``recipient_list`` (all see each other in ``To``); 1 when it was sent.

    ``from_email=None`` is ``DEFAULT_FROM_EMAIL``; ``html_message`` adds an HTML alternative.
    """
    connection = connection or get_connection(username=auth_user, password=auth_password, fail_silently=fail_silently)
    mail = EmailMultiAlternatives(subject, message, from_email, recipient_list, connection=connection)
    if html_message:
        mail.attach_alternative(html_message, "text/html")
    return int(mail.send())


def send_mass_mail(
    datatuple: Iterable[tuple[str, str, str | None, Sequence[str]]],
    fail_silently: bool = False,
    auth_user: str | None = None,
    auth_password: str | None = None,
    connection: BaseEmailBackend | None = None,
) -> int:
    """Send each ``(subject, message, from_email, recipient_list)`` over one connection; the number sent."""
    connection = connection or get_connection(username=auth_user, password=auth_password, fail_silently=fail_silently)
    messages = [
        EmailMessage(subject, message, sender, recipients, connection=connection)
        for subject, message, sender, recipients in datatuple
    ]
    return int(connection.send_messages(messages) or 0)


def staff_message(
    staff: t.Literal["admins", "managers"],
    subject: str,
    message: str,
    html_message: str | None = None,
    connection: BaseEmailBackend | None = None,
) -> EmailMultiAlternatives | None:
    """The mail :func:`mail_admins` (or :func:`mail_managers`) sends, or ``None`` without recipients."""
    settings = mail_plugin().settings
    recipients = settings.admins if staff == "admins" else settings.managers
    if not recipients:
        return None
    mail = EmailMultiAlternatives(
        f"{settings.subject_prefix}{subject}",
        message,
        settings.server_email,
        list(recipients),
        connection=connection,
    )
    if html_message:
        mail.attach_alternative(html_message, "text/html")
    return mail


def _mail_staff(
    staff: t.Literal["admins", "managers"],
    subject: str,
    message: str,
    fail_silently: bool,
    connection: BaseEmailBackend | None,
    html_message: str | None,
) -> int:
    mail = staff_message(staff, subject, message, html_message, connection)
    if mail is None:
        return 0
    return int(mail.send(fail_silently=fail_silently))


def uses_tasks(app: Flask | None = None) -> bool:
    """Whether the kit's own mails go through the tasks plugin for ``app`` (it lists ``tasks`` in ``PLUGINS``)."""
    app = app if app is not None else t.cast("Flask", current_app._get_current_object())  # type: ignore[attr-defined]
    return "flaskkit.tasks" in app.extensions


def deliver(messages: Iterable[EmailMessage]) -> int:
    """Send each message now, or, when the app enables the ``tasks`` plugin, hand it to the ``send_email`` task.

    The kit's own mails (password reset, email change, error reports to ``ADMINS``) go through
    this. Errors propagate: the caller decides whether to log them (and which message failed).
    """
    messages = list(messages)
    if uses_tasks():
        from .tasks import enqueue_email

        for message in messages:
            enqueue_email(message)
        return len(messages)
    return sum(int(message.send()) for message in messages)


def mail_admins(
    subject: str,
    message: str,
    fail_silently: bool = False,
    connection: BaseEmailBackend | None = None,
    html_message: str | None = None,
) -> int:
    """Mail ``ADMINS`` from ``SERVER_EMAIL``, the subject prefixed with ``EMAIL_SUBJECT_PREFIX``; 0 without ADMINS."""
    return _mail_staff("admins", subject, message, fail_silently, connection, html_message)


def mail_managers(
    subject: str,
    message: str,
    fail_silently: bool = False,
    connection: BaseEmailBackend | None = None,
    html_message: str | None = None,
) -> int:
    """Mail ``MANAGERS``, as :func:`mail_admins` does ``ADMINS``."""
    return _mail_staff("managers", subject, message, fail_silently, connection, html_message)


def outbox(app: Flask | None = None) -> list[EmailMessage]:
    """The messages the locmem backend kept for ``app`` (default: the current app), oldest first.

    The list is the outbox itself: ``outbox().clear()`` empties it.
    """
    mailman = mail_plugin(app).mailman
    if not hasattr(mailman, "outbox"):
        mailman.outbox = []
    return t.cast("list[EmailMessage]", mailman.outbox)


#: Seconds a mail handed to :func:`send_after_response` waits for the server to close the response.
AFTER_RESPONSE_GRACE = 1.0


def send_after_response(send: Callable[[], t.Any], *, description: str = "mail") -> None:
    """Run ``send`` once the response has gone, in a thread of its own with an app context.

    Views that must answer in the same time whatever they send (the password
    reset) hand their mail to this: the SMTP conversation is no longer part of
    the response time, and a slow or down mail server does not hold the page.
    The thread sends when the server closes the response (the body has gone),
    or after :data:`AFTER_RESPONSE_GRACE` seconds at the latest: Werkzeug's
    development server closes a response only after draining the client's
    socket, which a browser that keeps its connection open can delay for as
    long as it likes. An exception is logged (``flaskkit.mail``, level ERROR,
    with its traceback), never lost; the client has its page already. The
    thread is not a daemon: a server that shuts down waits for the mail.

    Outside a request, and in apps with ``TESTING`` on (so that ``mailoutbox``
    holds the mail when the test client returns), ``send`` runs at once and its
    exceptions propagate.
    """
    if not has_request_context() or current_app.testing:
        send()
        return
    app = t.cast("Flask", current_app._get_current_object())  # type: ignore[attr-defined]
    closed = threading.Event()

    def run() -> None:
        closed.wait(timeout=AFTER_RESPONSE_GRACE)
        with app.app_context():
            try:
                send()
            except Exception:
                logger.exception("Failed to send %s after the response.", description)

    thread = threading.Thread(target=run, name=f"flaskkit-mail: {description}")

    @after_this_request
    def start(response: Response) -> Response:
        response.call_on_close(closed.set)
        thread.start()
        return response
