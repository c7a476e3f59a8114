"""An unhandled exception in a request mails ADMINS (Django's AdminEmailHandler), secrets cleansed."""

from __future__ import annotations

import logging

import pytest
from flask import Flask

from flaskkit.plugins.mail import AdminEmailHandler
from flaskkit.plugins.mail import SafeExceptionReporterFilter
from flaskkit.plugins.mail import outbox

SECRET = "test-only-secret-key-that-is-long-enough-for-the-deploy-check-0123456789"


def failing_app(make_app, **values) -> Flask:
    values.setdefault("ADMINS", ["ops@example.com"])
    values.setdefault("SERVER_EMAIL", "errors@example.com")
    app = make_app(PROPAGATE_EXCEPTIONS=False, **values)

    @app.route("/boom", methods=["GET", "POST"])
    def boom() -> str:
        raise ZeroDivisionError("the answer divided by zero")

    @app.get("/fine")
    def fine() -> str:
        return "fine"

    return app


def test_a_500_mails_the_admins(make_app):
    app = failing_app(make_app)
    response = app.test_client().get("/boom?page=2", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert response.status_code == 500
    (message,) = outbox(app)
    assert message.subject == "[flaskkit] ERROR (EXTERNAL IP): Internal Server Error: /boom"
    assert message.from_email == "errors@example.com" and message.to == ["ops@example.com"]
    body = message.body
    assert "ZeroDivisionError at /boom" in body and "the answer divided by zero" in body
    assert "Traceback (most recent call last):" in body and 'raise ZeroDivisionError("the answer' in body
    assert "Request: GET http://localhost/boom" in body and "page = '2'" in body
    assert "Client address: 203.0.113.9" in body


def test_internal_ips_are_marked_internal(make_app):
    app = failing_app(make_app, INTERNAL_IPS=["127.0.0.1"])
    app.test_client().get("/boom")
    assert outbox(app)[0].subject.startswith("[flaskkit] ERROR (internal IP): ")


def test_secrets_are_cleansed(make_app):
    app = failing_app(
        make_app,
        DATABASE_URL="postgresql://app:db-password-123@db.example.com/site",
        STRIPE_API_KEY="sk_live_abcdef",
        NESTED={"token": "nested-token-456", "visible": "shown-value"},
        EMAIL_HOST_PASSWORD="smtp-password-789",
    )
    client = app.test_client()
    client.set_cookie("sessionid", "session-id-secret")
    client.post(
        "/boom?access_token=query-token-000&q=hello",
        data={"username": "ada", "password": "hunter2-pass", "csrf_token": "csrf-abc", "api_key": "form-key"},
        headers={"Authorization": "Bearer header-token-111"},
    )
    body = outbox(app)[0].body
    for secret in (
        SECRET,
        "db-password-123",
        "sk_live_abcdef",
        "nested-token-456",
        "smtp-password-789",
        "session-id-secret",
        "hunter2-pass",
        "csrf-abc",
        "form-key",
        "query-token-000",
        "header-token-111",
    ):
        assert secret not in body, secret
    assert "postgresql://app:********************@db.example.com/site" in body
    assert "username = 'ada'" in body and "q = 'hello'" in body and "shown-value" in body
    assert "password = '********************'" in body
    assert "sessionid = '********************'" in body


def test_nothing_is_mailed_with_debug_on(make_app):
    app = failing_app(make_app, DEBUG=True)
    app.test_client().get("/boom")
    assert outbox(app) == []


def test_nothing_is_mailed_without_admins_or_when_turned_off(make_app):
    for values in ({"ADMINS": []}, {"EMAIL_ADMINS_ON_ERROR": False}):
        app = failing_app(make_app, **values)
        assert app.test_client().get("/boom").status_code == 500
        assert outbox(app) == []


def test_handled_errors_and_http_errors_are_not_mailed(make_app):
    app = failing_app(make_app)
    client = app.test_client()
    assert client.get("/fine").status_code == 200
    assert client.get("/missing").status_code == 404
    assert outbox(app) == []


def test_a_mail_server_that_is_down_does_not_make_a_second_error(make_app):
    from .smtp_server import free_port

    app = failing_app(make_app, TESTING=False, EMAIL_URL=f"smtp://127.0.0.1:{free_port()}?timeout=3")
    assert app.test_client().get("/boom").status_code == 500  # the 500 page, not a crash in the handler


def test_the_handler_in_a_logging_configuration(make_app):
    app = make_app(ADMINS=["ops@example.com"])
    logger = logging.getLogger("tests.mail.handler")
    handler = AdminEmailHandler()
    logger.addHandler(handler)
    try:
        with app.test_request_context("/report"):
            logger.error("Payment failed\nfor order 7")
    finally:
        logger.removeHandler(handler)
    (message,) = outbox(app)
    assert message.subject == "[flaskkit] ERROR (EXTERNAL IP): Payment failed\\nfor order 7"  # no header injection
    assert "Payment failed\nfor order 7" in message.body


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("SECRET_KEY", "x", "********************"),
        ("API_URL", "x", "********************"),
        ("MY_PASSWORD", "x", "********************"),
        ("SIGNATURE_SALT", "x", "********************"),
        ("DEBUG", True, True),
        (
            "CACHES",
            {"default": {"PASSWORD": "p", "BACKEND": "redis"}},
            {"default": {"PASSWORD": "********************", "BACKEND": "redis"}},
        ),
        ("REDIS_URL", "redis://:pw@host:6379/0", "redis://:********************@host:6379/0"),
    ],
)
def test_filter_cleanses_settings(key, value, expected):
    assert SafeExceptionReporterFilter().cleanse_setting(key, value) == expected
