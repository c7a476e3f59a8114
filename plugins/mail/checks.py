"""The mail plugin's checks (``flask kit check --deploy``)."""

from __future__ import annotations

import typing as t

from flaskkit import checks

from .conf import DJANGO_DEFAULT_FROM_EMAIL
from .conf import DJANGO_SERVER_EMAIL

if t.TYPE_CHECKING:
    from .conf import MailSettings

__all__ = ["check_deploy"]

#: Backends that deliver nothing to anyone.
_NOT_DELIVERING = {
    "console": "prints each message to the server's output",
    "file": "writes each message to a file",
    "locmem": "keeps each message in the process's memory",
    "dummy": "drops each message",
}

_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def check_deploy(settings: MailSettings) -> t.Iterator[checks.CheckMessage]:
    """Production mail: a backend that delivers, real sender addresses, a timeout, no password in clear."""
    if settings.builtin in _NOT_DELIVERING:
        yield checks.Warning(
            f"EMAIL_BACKEND is {settings.builtin!r}, which {_NOT_DELIVERING[settings.builtin]}: no mail reaches "
            "anyone (password reset links included).",
            hint="Set EMAIL_URL=smtp+tls://USER:PASSWORD@HOST:587 (or EMAIL_BACKEND = 'smtp' with EMAIL_HOST...).",
            obj="EMAIL_BACKEND",
            id="mail.W001",
        )
    if settings.default_from_email == DJANGO_DEFAULT_FROM_EMAIL:
        yield checks.Warning(
            f"DEFAULT_FROM_EMAIL is Django's default, {DJANGO_DEFAULT_FROM_EMAIL!r}: mail from the site (password "
            "resets) comes from an address nobody can answer, which mail servers often reject as spam.",
            hint="Set DEFAULT_FROM_EMAIL = 'Your Site <noreply@example.com>' (a domain you send mail for).",
            obj="DEFAULT_FROM_EMAIL",
            id="mail.W002",
        )
    if settings.admins and settings.server_email == DJANGO_SERVER_EMAIL:
        yield checks.Warning(
            f"SERVER_EMAIL is Django's default, {DJANGO_SERVER_EMAIL!r}: the error reports to ADMINS come from it, "
            "and many mail servers refuse that sender.",
            hint="Set SERVER_EMAIL = 'errors@example.com' (a domain you send mail for).",
            obj="SERVER_EMAIL",
            id="mail.W003",
        )
    if settings.builtin == "smtp":
        if settings.timeout is None:
            yield checks.Warning(
                "EMAIL_TIMEOUT is not set: a mail server that stops answering holds the request that sends mail "
                "(an error report, a password reset) for as long as the connection hangs.",
                hint="Set EMAIL_TIMEOUT = 10 (seconds), or ?timeout=10 in EMAIL_URL.",
                obj="EMAIL_TIMEOUT",
                id="mail.W004",
            )
        if settings.password and not (settings.use_tls or settings.use_ssl) and settings.host not in _LOCAL_HOSTS:
            yield checks.Warning(
                f"The SMTP password for {settings.host!r} is sent without encryption (neither EMAIL_USE_TLS nor "
                "EMAIL_USE_SSL is on).",
                hint="Use smtp+tls:// (STARTTLS, port 587) or smtps:// (port 465) in EMAIL_URL, or set "
                "EMAIL_USE_TLS = True.",
                obj="EMAIL_USE_TLS",
                id="mail.W005",
            )
    if not settings.admins:
        yield checks.Info(
            "ADMINS is empty: nobody is mailed when a request fails with an error (500).",
            hint="Set ADMINS = ['ops@example.com'] to get each error report by mail.",
            obj="ADMINS",
            id="mail.I001",
        )
