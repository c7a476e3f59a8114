"""Django's mail API on the locmem, console, file and dummy backends."""

from __future__ import annotations

import os

import pytest

from flaskkit.plugins.mail import BadHeaderError
from flaskkit.plugins.mail import EmailMessage
from flaskkit.plugins.mail import EmailMultiAlternatives
from flaskkit.plugins.mail import get_connection
from flaskkit.plugins.mail import mail_admins
from flaskkit.plugins.mail import mail_managers
from flaskkit.plugins.mail import outbox
from flaskkit.plugins.mail import send_mail
from flaskkit.plugins.mail import send_mass_mail


def test_send_mail_uses_default_from_email(make_app):
    app = make_app(DEFAULT_FROM_EMAIL="Notes <noreply@example.com>")
    with app.app_context():
        assert send_mail("Subject", "Content", None, ["to@example.com"]) == 1
        (message,) = outbox()
    assert message.subject == "Subject" and message.body == "Content"
    assert message.from_email == "Notes <noreply@example.com>"
    assert message.to == ["to@example.com"]
    assert message.alternatives == []


def test_send_mail_with_html_message(make_app):
    app = make_app()
    with app.app_context():
        send_mail("Subject", "Content", "from@example.com", ["to@example.com"], html_message="<p>Content</p>")
        (message,) = outbox()
        mime = message.message()
    assert message.alternatives == [("<p>Content</p>", "text/html")]
    assert mime.get_content_type() == "multipart/alternative"


def test_email_message_with_attachments_cc_bcc_reply_to(make_app):
    app = make_app()
    with app.app_context():
        message = EmailMultiAlternatives(
            "Report",
            "See attached.",
            None,
            ["to@example.com"],
            cc=["cc@example.com"],
            bcc=["bcc@example.com"],
            reply_to=["reply@example.com"],
        )
        message.attach("report.csv", "a,b\n1,2\n", "text/csv")
        message.attach("logo.png", b"\x89PNG\r\n", "image/png")
        message.attach_alternative("<p>See attached.</p>", "text/html")
        assert message.send() == 1
        (sent,) = outbox()
        mime = sent.message()
    assert sent.recipients() == ["to@example.com", "cc@example.com", "bcc@example.com"]
    assert mime["Cc"] == "cc@example.com" and mime["Reply-To"] == "reply@example.com"
    assert "Bcc" not in mime  # never shown to the recipients
    parts = [(part.get_content_type(), part.get_filename()) for part in mime.walk()]
    assert ("text/csv", "report.csv") in parts and ("image/png", "logo.png") in parts
    assert ("text/html", None) in parts


def test_send_mass_mail_uses_one_connection(make_app):
    app = make_app()
    with app.app_context():
        sent = send_mass_mail(
            [("One", "first", None, ["a@example.com"]), ("Two", "second", "other@example.com", ["b@example.com"])]
        )
        assert sent == 2
        assert [(m.subject, m.from_email, m.to) for m in outbox()] == [
            ("One", "webmaster@localhost", ["a@example.com"]),
            ("Two", "other@example.com", ["b@example.com"]),
        ]


def test_mail_admins_and_managers(make_app):
    app = make_app(
        ADMINS=["admin@example.com"],
        MANAGERS=[("Manager", "manager@example.com")],
        SERVER_EMAIL="server@example.com",
        EMAIL_SUBJECT_PREFIX="[Notes] ",
    )
    with app.app_context():
        assert mail_admins("Broken", "Details", html_message="<p>Details</p>") == 1
        assert mail_managers("Signup", "Details") == 1
        admins, managers = outbox()
    assert (admins.subject, admins.from_email, admins.to) == (
        "[Notes] Broken",
        "server@example.com",
        ["admin@example.com"],
    )
    assert admins.alternatives == [("<p>Details</p>", "text/html")]
    assert managers.to == ["Manager <manager@example.com>"]


def test_mail_admins_without_admins_sends_nothing(make_app):
    app = make_app()
    with app.app_context():
        assert mail_admins("Broken", "Details") == 0
        assert outbox() == []


@pytest.mark.parametrize("backend", ["locmem", "dummy", "console", "file"])
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject", "Hello\nBcc: victim@example.com"),
        ("subject", "Hello\rBcc: victim@example.com"),
        ("to", "to@example.com\nBcc: victim@example.com"),
        ("from_email", "from@example.com\nBcc: victim@example.com"),
    ],
)
def test_header_injection_is_refused_by_every_backend(make_app, backend, field, value, capsys):
    app = make_app(EMAIL_BACKEND=backend)
    args = {"subject": "Hello", "message": "Content", "from_email": None, "recipient_list": ["to@example.com"]}
    if field == "to":
        args["recipient_list"] = [value]
    else:
        args[field] = value
    with app.app_context(), pytest.raises(BadHeaderError) as info:
        send_mail(**args)
    assert "Header values can't contain newlines" in str(info.value)
    if backend == "console":
        assert "victim" not in capsys.readouterr().out


def test_console_backend_prints_the_message(make_app, capsys):
    app = make_app(EMAIL_BACKEND="console")
    with app.app_context():
        send_mail("Reset", "Open http://localhost/reset/", None, ["ada@example.com"])
    out = capsys.readouterr().out
    assert "Subject: Reset" in out and "To: ada@example.com" in out and "Open http://localhost/reset/" in out


def test_file_backend_writes_into_the_folder(make_app, tmp_path):
    folder = tmp_path / "mails"
    app = make_app(EMAIL_URL=f"file://{folder}")
    with app.app_context():
        send_mail("Saved", "Content", None, ["ada@example.com"])
    (written,) = os.listdir(folder)
    assert "Subject: Saved" in (folder / written).read_text()


def test_get_connection_by_name_and_djangos_path(make_app, capsys):
    app = make_app()
    with app.app_context():
        connection = get_connection("django.core.mail.backends.console.EmailBackend")
        EmailMessage("Console", "Content", None, ["a@example.com"], connection=connection).send()
        assert outbox() == []
    assert "Subject: Console" in capsys.readouterr().out


def test_sending_outside_an_app_context_says_what_to_do(make_app):
    make_app()
    with pytest.raises(RuntimeError, match="Mail is sent per app"):
        send_mail("x", "y", None, ["a@example.com"])


def test_two_apps_keep_their_own_outbox_and_settings(make_app):
    first = make_app(DEFAULT_FROM_EMAIL="one@example.com")
    second = make_app(DEFAULT_FROM_EMAIL="two@example.com")
    with first.app_context():
        send_mail("First", "x", None, ["a@example.com"])
    with second.app_context():
        send_mail("Second", "x", None, ["a@example.com"])
    assert [(m.subject, m.from_email) for m in outbox(first)] == [("First", "one@example.com")]
    assert [(m.subject, m.from_email) for m in outbox(second)] == [("Second", "two@example.com")]
