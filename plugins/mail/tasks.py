"""Mail through the ``tasks`` plugin: a message as JSON, and the task that sends it.

When an app enables the ``tasks`` plugin, the mails the kit sends on its own
(the password reset, the email change, the ``ADMINS`` error reports) are handed
to the ``send_email`` task instead of being sent by the web process: a worker
sends them, with retries, and a mail server that is down does not lose them.
The task's arguments must be JSON, so the message travels as a dict
(:func:`message_to_dict`), attachments in base64. With the ``immediate``
backend (the default) the task runs in the process that enqueues it.

The module is found by the tasks plugin's workers by convention (each enabled
plugin's ``tasks`` module); nothing imports it unless the tasks plugin is on.
"""

from __future__ import annotations

import base64
import typing as t

from flask import current_app
from flask_mailman import EmailMultiAlternatives

from flaskkit.plugins.tasks import task

if t.TYPE_CHECKING:
    from flask_mailman import EmailMessage

__all__ = ["enqueue_email", "message_from_dict", "message_to_dict", "send_email"]

#: The setting naming the queue of the mail task (``TASKS``' ``QUEUES`` must have it).
QUEUE_SETTING = "EMAIL_TASK_QUEUE"


def message_to_dict(message: EmailMessage) -> dict[str, t.Any]:
    """A message as JSON-serialisable data (what :func:`send_email` gets)."""
    attachments = []
    for attachment in message.attachments:
        if not isinstance(attachment, tuple):
            raise TypeError(
                "A mail with a MIME part attached (attach(MIMEBase)) cannot go through the tasks plugin; "
                "attach a (filename, content, mimetype) instead."
            )
        filename, content, mimetype = attachment
        data = content.encode() if isinstance(content, str) else bytes(content)
        attachments.append([filename, base64.b64encode(data).decode("ascii"), mimetype])
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [[content, mimetype] for content, mimetype in getattr(message, "alternatives", [])],
        "attachments": attachments,
    }


def message_from_dict(data: t.Mapping[str, t.Any]) -> EmailMultiAlternatives:
    """The message :func:`message_to_dict` described."""
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for filename, encoded, mimetype in data["attachments"]:
        message.attach(filename, base64.b64decode(encoded), mimetype)
    return message


@task(retries=3)
def send_email(message: dict[str, t.Any]) -> int:
    """Send one message (as :func:`message_to_dict` made it); a mail server error raises, so the task retries."""
    return int(message_from_dict(message).send(fail_silently=False))


def enqueue_email(message: EmailMessage) -> t.Any:
    """Hand ``message`` to :func:`send_email` on the queue ``EMAIL_TASK_QUEUE`` (default: the backend's default).

    The task is enqueued at once (the kit calls this outside the request's transaction: after the
    response, or while reporting an error); a backend that cannot take it raises ``TaskEnqueueError``.
    """
    payload = message_to_dict(message)
    queue = current_app.config.get(QUEUE_SETTING)
    sender = send_email.using(queue_name=queue) if queue else send_email
    return sender.enqueue(payload)
