"""``flask kit sendtestemail`` and the deploy checks."""

from __future__ import annotations

import pytest

from flaskkit import get_kit
from flaskkit.plugins.mail import outbox

from .smtp_server import free_port


def run(app, *args):
    return app.test_cli_runner().invoke(args=["kit", "sendtestemail", *args])


def test_sendtestemail_to_addresses(make_app):
    app = make_app()
    result = run(app, "ada@example.com", "bob@example.com")
    assert result.exit_code == 0, result.output
    (message,) = outbox(app)
    assert message.to == ["ada@example.com", "bob@example.com"]
    assert message.subject.startswith("Test email from ")
    assert message.body == "If you're reading this, it was successful."
    assert "Sent a test email through the 'locmem' backend to ada@example.com, bob@example.com." in result.output


def test_sendtestemail_to_managers_and_admins(make_app):
    app = make_app(ADMINS=["admin@example.com"], MANAGERS=["manager@example.com"])
    result = run(app, "--managers", "--admins")
    assert result.exit_code == 0, result.output
    managers, admins = outbox(app)
    assert managers.to == ["manager@example.com"] and managers.body == "This email was sent to the site managers."
    assert admins.to == ["admin@example.com"] and admins.body == "This email was sent to the site admins."
    assert admins.subject.startswith("[flaskkit] Test email from ")


def test_sendtestemail_needs_a_recipient(make_app):
    result = run(make_app())
    assert result.exit_code == 2
    assert "Give at least one address, or --managers or --admins." in result.output


def test_sendtestemail_with_empty_admins(make_app):
    result = run(make_app(), "--admins")
    assert result.exit_code == 1
    assert "ADMINS is empty: there is nobody to send the test email to." in result.output


def test_sendtestemail_through_a_real_server(make_app, smtp):
    app = make_app(TESTING=False, EMAIL_URL=smtp.url)
    result = run(app, "ada@example.com")
    assert result.exit_code == 0, result.output
    assert [m["To"] for m in smtp.wait_for(1)] == ["ada@example.com"]


def test_sendtestemail_with_the_server_down(make_app):
    port = free_port()
    result = run(make_app(TESTING=False, EMAIL_URL=f"smtp://127.0.0.1:{port}"), "ada@example.com")
    assert result.exit_code == 1
    assert f"Error: Could not connect to the SMTP server at 127.0.0.1:{port} (EMAIL_HOST='127.0.0.1'" in result.output


def deploy_ids(app) -> set[str]:
    with app.app_context():
        report = get_kit(app).run_checks(app, include_deploy=True, tags=["mail"])
    return {m.id for m in report.messages}


def test_deploy_checks_of_a_bare_configuration(make_app):
    ids = deploy_ids(make_app(TESTING=False, EMAIL_BACKEND="console", ADMINS=["ops@example.com"]))
    assert {"mail.W001", "mail.W002", "mail.W003"} <= ids


@pytest.mark.parametrize("backend", ["console", "file", "locmem", "dummy"])
def test_backends_that_deliver_nothing_are_reported(make_app, backend):
    assert "mail.W001" in deploy_ids(make_app(TESTING=False, EMAIL_BACKEND=backend))


def test_smtp_without_timeout_or_tls(make_app):
    ids = deploy_ids(make_app(TESTING=False, EMAIL_URL="smtp://user:pw@mail.example.com:25"))
    assert {"mail.W004", "mail.W005"} <= ids


def test_a_good_production_configuration_has_no_warning(make_app):
    app = make_app(
        TESTING=False,
        EMAIL_URL="smtp+tls://user:pw@mail.example.com:587?timeout=10",
        DEFAULT_FROM_EMAIL="Notes <noreply@example.com>",
        SERVER_EMAIL="errors@example.com",
        ADMINS=["ops@example.com"],
    )
    assert deploy_ids(app) == set()


def test_checks_run_in_flask_kit_check(make_app):
    app = make_app(TESTING=False, EMAIL_BACKEND="console")
    result = app.test_cli_runner().invoke(args=["kit", "check", "--deploy"])
    assert "mail.W001" in result.output and "mail.W002" in result.output
