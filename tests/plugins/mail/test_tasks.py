"""The kit's own mails through the tasks plugin: the message as JSON, the reset mail and the error reports queued,
and a real RQ worker sending one through a real SMTP server."""

from __future__ import annotations

import json
import typing as t
from pathlib import Path

from flaskkit.plugins.mail import EmailMultiAlternatives
from flaskkit.plugins.mail import deliver
from flaskkit.plugins.mail import outbox
from flaskkit.plugins.mail.tasks import message_from_dict
from flaskkit.plugins.mail.tasks import message_to_dict
from flaskkit.plugins.mail.tasks import send_email
from tests.plugins.tasks.conftest import app_settings
from tests.plugins.tasks.conftest import make_app as make_tasks_app
from tests.plugins.tasks.conftest import wait_for


def full_message() -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        "Subject é",
        "Body ✓",
        "from@example.com",
        ["to@example.com"],
        cc=["cc@example.com"],
        bcc=["bcc@example.com"],
        reply_to=["reply@example.com"],
        headers={"X-Tag": "reset"},
    )
    message.attach_alternative("<p>Body ✓</p>", "text/html")
    message.attach("data.bin", bytes(range(256)), "application/octet-stream")
    message.attach("notes.txt", "text é", "text/plain")
    return message


def test_a_message_survives_its_trip_as_json():
    data = json.loads(json.dumps(message_to_dict(full_message())))
    again = message_from_dict(data)
    original = full_message()
    for name in ("subject", "body", "from_email", "to", "cc", "bcc", "reply_to", "extra_headers", "alternatives"):
        assert getattr(again, name) == getattr(original, name), name
    assert again.attachments[0] == ("data.bin", bytes(range(256)), "application/octet-stream")
    assert again.attachments[1][0] == "notes.txt" and again.attachments[1][1] in ("text é", b"text \xc3\xa9")


def test_deliver_queues_the_mail_when_the_app_enables_tasks(make_app):
    app = make_app(PLUGINS=["mail", "tasks"], TASKS={"default": {"BACKEND": "dummy"}})
    with app.app_context():
        assert deliver([full_message()]) == 1
        assert outbox() == []  # not sent by the web process
        backend = app.extensions["flaskkit.tasks"].get_backend("default")
        (result,) = backend.results
        assert result.task.name == send_email.name
        assert result.args[0]["to"] == ["to@example.com"]
        send_email.call(*result.args)  # what a worker does
        assert [m.subject for m in outbox()] == ["Subject é"]


def test_without_tasks_deliver_sends_at_once(make_app):
    app = make_app()
    with app.app_context():
        assert deliver([full_message()]) == 1
        assert [m.subject for m in outbox()] == ["Subject é"]


def test_the_error_report_for_admins_is_queued(make_app):
    app = make_app(
        PLUGINS=["mail", "tasks"],
        TASKS={"default": {"BACKEND": "dummy"}},
        TESTING=False,
        EMAIL_BACKEND="locmem",
        ADMINS=[("Ops", "ops@example.com")],
    )

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("kaboom")

    assert app.test_client().get("/boom").status_code == 500
    with app.app_context():
        assert outbox() == []
        (result,) = app.extensions["flaskkit.tasks"].get_backend("default").results
        assert result.args[0]["to"] == ["Ops <ops@example.com>"]
        assert "kaboom" in result.args[0]["body"]


def test_an_rq_worker_sends_the_password_reset_mail_through_smtp(
    tmp_path: Path, redis_url: str, rq_keys: str, start_worker: t.Any, smtp: t.Any
):
    settings = app_settings(
        tmp_path,
        "rq",
        OPTIONS={"REDIS_URL": redis_url, "PREFIX": rq_keys},
        PLUGINS=["mail", "tasks"],
        TASK_MODULES=["flaskkit.plugins.mail.tasks"],
        EMAIL_URL=smtp.url,
    )
    app = make_tasks_app(settings)
    with app.app_context():
        assert deliver([full_message()]) == 1
    assert smtp.messages() == []  # queued, not sent by the web process
    worker = start_worker(settings, "--name", f"{rq_keys}mail")
    messages = wait_for(lambda: smtp.messages(), what=f"the mail; worker output:\n{worker.output()}")
    assert [m["Subject"] for m in messages] == ["Subject é"]
