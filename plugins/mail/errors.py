"""Django's ``AdminEmailHandler``: an unhandled exception in a request mails ``ADMINS``.

The mail plugin connects :func:`report_exception` to Flask's
``got_request_exception`` for its app: when ``DEBUG`` is off (Django's
``require_debug_false``), ``ADMINS`` is not empty and ``EMAIL_ADMINS_ON_ERROR``
is on (the default), each unhandled exception (a 500) is mailed to ``ADMINS``
with the traceback, the request and the settings, every secret cleansed by
:class:`SafeExceptionReporterFilter`. The mail is sent with
``fail_silently=True``: a mail server that is down never turns one error into two.

Nothing is rate-limited, as in Django: each failing request sends one mail (an
outage mails once per failing request; route ``ADMINS`` to a mailbox that can
take it, or turn this off and use an error tracker). ``AdminEmailHandler`` is
also a ``logging.Handler`` to use in your own logging configuration.
"""

from __future__ import annotations

import collections.abc as cabc
import datetime as dt
import logging
import re
import sys
import traceback
import typing as t
from copy import copy
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

from flask import current_app
from flask import has_request_context
from flask import request

if t.TYPE_CHECKING:
    from types import TracebackType

    from flask import Flask
    from flask import Request

__all__ = ["CLEANSED_SUBSTITUTE", "AdminEmailHandler", "SafeExceptionReporterFilter", "report_exception"]

logger = logging.getLogger("flaskkit.mail")

#: What replaces a secret (Django's).
CLEANSED_SUBSTITUTE = "********************"

ExcInfo = tuple[type[BaseException] | None, BaseException | str | None, "TracebackType | None"]


class SafeExceptionReporterFilter:
    """Django's filter: hides the values of settings, form fields, query parameters and headers whose
    *names* look secret (``API``, ``AUTH``, ``TOKEN``, ``KEY``, ``SECRET``, ``PASS``, ``SIGNATURE``,
    ``COOKIE``), every cookie value, and the password inside a URL (``DATABASE_URL``, ``EMAIL_URL``...)."""

    hidden_settings = re.compile(r"API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|COOKIE", flags=re.IGNORECASE)
    cleansed_substitute = CLEANSED_SUBSTITUTE

    def cleanse_setting(self, key: object, value: t.Any) -> t.Any:
        """``value``, with secrets replaced (recursively through dicts, lists and tuples)."""
        if isinstance(key, str) and self.hidden_settings.search(key) and not isinstance(value, cabc.Mapping):
            return self.cleansed_substitute
        if isinstance(value, cabc.Mapping):
            return {k: self.cleanse_setting(k, v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.cleanse_setting("", v) for v in value)
        if isinstance(value, str) and "://" in value and "@" in value:
            return _hide_url_password(value, self.cleansed_substitute)
        return value

    def get_safe_settings(self, app: Flask) -> dict[str, t.Any]:
        """The app's settings (upper-case keys) with secrets cleansed."""
        return {key: self.cleanse_setting(key, value) for key, value in sorted(app.config.items()) if key.isupper()}

    def get_safe_multidict(self, items: t.Iterable[tuple[str, t.Any]]) -> list[tuple[str, t.Any]]:
        return [(key, self.cleansed_substitute if self.hidden_settings.search(key) else value) for key, value in items]

    def get_safe_request(self, req: Request) -> dict[str, t.Any]:
        """Method, path, GET, POST, headers and cookie names of ``req``, secrets cleansed."""
        return {
            "method": req.method,
            "url": _hide_url_password(req.base_url, self.cleansed_substitute),
            "GET": self.get_safe_multidict(req.args.items(multi=True)),
            "POST": self.get_safe_multidict(req.form.items(multi=True)) if req.method != "GET" else [],
            "FILES": [(key, f.filename) for key, f in req.files.items(multi=True)],
            "COOKIES": [(name, self.cleansed_substitute) for name in req.cookies],
            "headers": self.get_safe_multidict(req.headers.items()),
            "remote_addr": req.remote_addr,
        }


def _hide_url_password(value: str, substitute: str) -> str:
    try:
        parts = urlsplit(value)
        if parts.password:
            host = parts.netloc.rpartition("@")[2]
            return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:{substitute}@{host}"))
    except ValueError:
        pass
    return value


def traceback_text(
    exc_info: ExcInfo, req: Request | None, app: Flask, filter: SafeExceptionReporterFilter | None = None
) -> str:
    """The plain-text report of an error (Django's ``get_traceback_text``): the request, the
    traceback and the settings, secrets cleansed."""
    filter = filter or SafeExceptionReporterFilter()
    exc_type, exc_value, tb = exc_info
    lines: list[str] = []
    if exc_type is not None and isinstance(exc_value, BaseException):
        title = f"{exc_type.__name__}" + (f" at {req.path}" if req is not None else "")
        lines += [title, str(exc_value), ""]
    else:
        lines += [str(exc_value or "Report"), ""]
    lines.append(f"Python {sys.version.split()[0]}, app {app.name!r}, at {dt.datetime.now(dt.UTC).isoformat()}")
    lines.append("")
    if tb is not None and isinstance(exc_value, BaseException):
        lines.append("Traceback (most recent call last):")
        lines += [line.rstrip("\n") for line in traceback.format_exception(exc_value)[1:]]
        lines.append("")
    if req is not None:
        safe = filter.get_safe_request(req)
        lines.append(f"Request: {safe['method']} {safe['url']}")
        lines.append(f"Client address: {safe['remote_addr']}")
        for section in ("GET", "POST", "FILES", "COOKIES", "headers"):
            lines.append(f"{section}:" + ("" if safe[section] else " (none)"))
            lines += [f"  {key} = {value!r}" for key, value in safe[section]]
        lines.append("")
    lines.append("Settings:")
    lines += [f"  {key} = {value!r}" for key, value in filter.get_safe_settings(app).items()]
    return "\n".join(lines) + "\n"


class AdminEmailHandler(logging.Handler):
    """A logging handler that mails each record to ``ADMINS`` (Django's).

    The subject is ``"<LEVEL> (EXTERNAL IP): <message>"`` (``internal`` for an
    address in ``INTERNAL_IPS``), prefixed by ``EMAIL_SUBJECT_PREFIX``; the body
    is the record, then the report of :func:`traceback_text`. It needs an app
    context (a request's, in the usual case); outside one it does nothing.
    """

    def __init__(self, include_html: bool = False, email_backend: str | None = None) -> None:
        super().__init__()
        self.include_html = include_html
        self.email_backend = email_backend

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._emit(record)
        except Exception:
            self.handleError(record)

    def _emit(self, record: logging.LogRecord) -> None:
        from flask import has_app_context

        if not has_app_context():
            return
        req: Request | None = getattr(record, "request", None)
        if req is None and has_request_context():
            req = t.cast("Request", request._get_current_object())  # type: ignore[attr-defined]
        if req is not None:
            internal = req.remote_addr in (current_app.config.get("INTERNAL_IPS") or ())
            subject = f"{record.levelname} ({'internal' if internal else 'EXTERNAL'} IP): {record.getMessage()}"
        else:
            subject = f"{record.levelname}: {record.getMessage()}"
        subject = self.format_subject(subject)
        no_exc_record = copy(record)
        no_exc_record.exc_info = None
        no_exc_record.exc_text = None
        exc_info: ExcInfo = record.exc_info if record.exc_info else (None, record.getMessage(), None)  # type: ignore[assignment]
        app = t.cast("Flask", current_app._get_current_object())  # type: ignore[attr-defined]
        message = f"{self.format(no_exc_record)}\n\n{traceback_text(exc_info, req, app)}"
        self.send_mail(subject, message, fail_silently=True)

    def send_mail(self, subject: str, message: str, *args: t.Any, **kwargs: t.Any) -> None:
        from .api import get_connection
        from .api import mail_admins
        from .api import staff_message
        from .api import uses_tasks

        if uses_tasks() and self.email_backend is None:
            # A worker sends it (with retries): the error page does not wait for the mail server.
            from .tasks import enqueue_email

            mail = staff_message("admins", subject, message, kwargs.get("html_message"))
            if mail is not None:
                try:
                    enqueue_email(mail)
                except Exception:
                    if not kwargs.get("fail_silently"):
                        raise
                    logger.exception("Could not hand the error report for ADMINS to the tasks plugin")
            return
        mail_admins(subject, message, *args, connection=get_connection(self.email_backend), **kwargs)

    def format_subject(self, subject: str) -> str:
        """No line breaks (they would be a header injection), and at most 989 characters (RFC 2822)."""
        return subject.replace("\n", "\\n").replace("\r", "\\r")[:989]


def report_exception(sender: Flask, exception: BaseException, **extra: t.Any) -> None:
    """``got_request_exception`` receiver: mail ``ADMINS`` about an unhandled exception (DEBUG off only)."""
    from .api import mail_plugin

    if sender.debug:
        return
    plugin = mail_plugin(sender)
    if not plugin.settings.admins or not plugin.settings.admins_on_error:
        return
    record = logging.LogRecord(
        name="flaskkit.request",
        level=logging.ERROR,
        pathname=__file__,
        lineno=0,
        msg="Internal Server Error: %s",
        args=(request.path,),
        exc_info=(type(exception), exception, exception.__traceback__),
    )
    record.request = request._get_current_object()  # type: ignore[attr-defined]
    plugin.admin_handler.handle(record)
