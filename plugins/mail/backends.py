"""The built-in mail backends: Flask-Mailman's, with three corrections.

Flask-Mailman (1.1) ports Django's backends; these subclasses change what it gets
wrong for a production site:

* **SMTP errors name the server.** A refused connection surfaced as a bare
  ``ConnectionRefusedError: [Errno 111] Connection refused``; here it is a
  :class:`MailServerError` that says which ``EMAIL_HOST``/``EMAIL_PORT`` failed
  and that the message was not sent (a login refused names ``EMAIL_HOST_USER``).
  It subclasses ``smtplib.SMTPException`` (an ``OSError``), so code that catches
  those still does.
* **STARTTLS verifies the server's certificate.** Flask-Mailman calls
  ``starttls(context=None)`` (its own context expression evaluates to ``None``),
  and smtplib then uses a context that checks nothing; Django passes a default
  context. So does :class:`SMTPBackend`.
* **The file backend closes its file** when a message fails.
* **Every backend checks the headers.** Django's (and Flask-Mailman's) dummy
  backend drops a message without building it, so a header injection attempt
  passes silently in an app configured with it; here it raises
  ``BadHeaderError`` whatever the backend.

The locmem backend keeps Flask-Mailman's per-app outbox
(``app.extensions["mailman"].outbox``, :func:`flaskkit.plugins.mail.outbox`).
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
import typing as t

from flask_mailman.backends.base import BaseEmailBackend
from flask_mailman.backends.console import EmailBackend as _ConsoleBackend
from flask_mailman.backends.file import EmailBackend as _FileBackend
from flask_mailman.backends.locmem import EmailBackend as _LocmemBackend
from flask_mailman.backends.smtp import EmailBackend as _SMTPBackend
from flask_mailman.utils import DNS_NAME
from werkzeug.utils import cached_property

__all__ = [
    "BaseEmailBackend",
    "ConsoleBackend",
    "DummyBackend",
    "FileBackend",
    "LocmemBackend",
    "MailServerError",
    "SMTPBackend",
]


class MailServerError(smtplib.SMTPException):
    """The SMTP server could not be reached, or refused the login: nothing was sent.

    The message names the server (``EMAIL_HOST``, ``EMAIL_PORT``) and what went
    wrong; ``__cause__`` is the original error.
    """


class SMTPBackend(_SMTPBackend):
    """Django's SMTP backend (Flask-Mailman's), with clear errors and a verified STARTTLS."""

    @cached_property
    def ssl_context(self) -> ssl.SSLContext:
        """A context that verifies the server (the system's CAs), with the client certificate if one is set."""
        context = ssl.create_default_context()
        if self.ssl_certfile or self.ssl_keyfile:
            context.load_cert_chain(self.ssl_certfile, self.ssl_keyfile)
        return context

    def _server(self) -> str:
        return f"the SMTP server at {self.host}:{self.port} (EMAIL_HOST={self.host!r}, EMAIL_PORT={self.port})"

    def open(self) -> bool | None:
        """Connect (and log in) unless a connection is open; True when a new one was made.

        Raises :class:`MailServerError` unless ``fail_silently`` (then ``None``).
        """
        if self.connection:
            return False
        params: dict[str, t.Any] = {"local_hostname": DNS_NAME.get_fqdn()}
        if self.timeout is not None:
            params["timeout"] = self.timeout
        if self.use_ssl:
            params["context"] = self.ssl_context
        try:
            self.connection = self.connection_class(self.host, self.port, **params)
        except (OSError, smtplib.SMTPException) as exc:
            return self._failed(
                f"Could not connect to {self._server()}: {_reason(exc)}. The message was not sent.", exc
            )
        try:
            if not self.use_ssl and self.use_tls:
                self.connection.starttls(context=self.ssl_context)
            if self.username and self.password:
                self.connection.login(self.username, self.password)
        except smtplib.SMTPAuthenticationError as exc:
            self._drop_connection()
            return self._failed(
                f"The {self._server().removeprefix('the ')} refused the login of EMAIL_HOST_USER={self.username!r} "
                f"({_reason(exc)}). The message was not sent.",
                exc,
            )
        except (OSError, smtplib.SMTPException) as exc:
            self._drop_connection()
            what = "STARTTLS (EMAIL_USE_TLS) with" if self.use_tls else "Logging in to"
            return self._failed(f"{what} {self._server()} failed: {_reason(exc)}. The message was not sent.", exc)
        return True

    def _failed(self, message: str, cause: BaseException) -> None:
        if self.fail_silently:
            return None
        raise MailServerError(message) from cause

    def _drop_connection(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            with contextlib.suppress(OSError):
                connection.close()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        return f"{exc.smtp_code} {error}"
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if not text.startswith(type(exc).__name__) else text


class _StreamBackend:
    """``send_messages`` of the console and file backends, closing the file when a message fails.

    Flask-Mailman (and Django) leave the file of the file backend open when a
    message raises (a bad header): the stream is closed here in any case.
    """

    def send_messages(self, email_messages: t.Sequence[t.Any]) -> int:
        if not email_messages:
            return 0
        count = 0
        with self._lock:  # type: ignore[attr-defined]
            try:
                created = self.open()  # type: ignore[attr-defined]
                try:
                    for message in email_messages:
                        self.write_message(message)  # type: ignore[attr-defined]
                        self.stream.flush()  # type: ignore[attr-defined]
                        count += 1
                finally:
                    if created:
                        self.close()  # type: ignore[attr-defined]
            except Exception:
                if not self.fail_silently:  # type: ignore[attr-defined]
                    raise
        return count


class ConsoleBackend(_StreamBackend, _ConsoleBackend):
    """Writes each message to standard output (the development server's terminal); sends nothing."""


class FileBackend(_StreamBackend, _FileBackend):
    """Writes each connection's messages to a new file in ``EMAIL_FILE_PATH`` (default: the instance
    folder's ``sent-mail/``); sends nothing."""


class LocmemBackend(_LocmemBackend):
    """Keeps the messages in the app's outbox (:func:`flaskkit.plugins.mail.outbox`), for tests."""


class DummyBackend(BaseEmailBackend):
    """Sends nothing, but builds each message, so a bad header still raises ``BadHeaderError``."""

    def send_messages(self, email_messages: t.Sequence[t.Any]) -> int:
        for message in email_messages:
            message.message()
        return len(email_messages)
