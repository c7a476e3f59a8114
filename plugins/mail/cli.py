"""``flask kit sendtestemail``: Django's ``sendtestemail``."""

from __future__ import annotations

import socket
import typing as t
from datetime import UTC
from datetime import datetime

import click

if t.TYPE_CHECKING:
    from . import MailPlugin

__all__ = ["sendtestemail_command"]


def sendtestemail_command(plugin: MailPlugin) -> click.Command:
    @click.command("sendtestemail")
    @click.argument("email", nargs=-1)
    @click.option("--managers", is_flag=True, help="Send a test email to the addresses in MANAGERS.")
    @click.option("--admins", is_flag=True, help="Send a test email to the addresses in ADMINS.")
    def sendtestemail(email: tuple[str, ...], managers: bool, admins: bool) -> None:
        """Send a test email to EMAIL (one or more addresses), to check the mail settings."""
        from .api import mail_admins
        from .api import mail_managers
        from .api import send_mail
        from .backends import MailServerError

        if not (email or managers or admins):
            raise click.UsageError("Give at least one address, or --managers or --admins.")
        settings = plugin.settings
        subject = f"Test email from {socket.gethostname()} on {datetime.now(UTC).isoformat(timespec='seconds')}"
        body = "If you're reading this, it was successful."
        sent: list[str] = []
        try:
            if email:
                send_mail(subject=subject, message=body, from_email=None, recipient_list=list(email))
                sent.append(", ".join(email))
            for flag, setting, recipients, function in (
                (managers, "MANAGERS", settings.managers, mail_managers),
                (admins, "ADMINS", settings.admins, mail_admins),
            ):
                if not flag:
                    continue
                if not recipients:
                    raise click.ClickException(f"{setting} is empty: there is nobody to send the test email to.")
                function(
                    subject,
                    "This email was sent to the site managers."
                    if setting == "MANAGERS"
                    else "This email was sent to the site admins.",
                )
                sent.append(f"{setting} ({', '.join(recipients)})")
        except MailServerError as exc:
            raise click.ClickException(str(exc)) from exc
        except (OSError, ValueError) as exc:
            raise click.ClickException(f"The test email was not sent: {type(exc).__name__}: {exc}") from exc
        click.echo(f"Sent a test email through the {settings.backend_name!r} backend to {'; '.join(sent)}.")

    return sendtestemail
