"""Apps with the mail plugin, and a real SMTP server on 127.0.0.1 (smtp_server.py)."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
from flask import Flask

from flaskkit import create_app
from tests.conftest import settings

from .smtp_server import SMTPServer
from .smtp_server import smtp_server


@pytest.fixture
def make_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> t.Callable[..., Flask]:
    """``make_app(**settings)``: an app with the mail plugin (TESTING on unless given), no EMAIL_URL from outside."""
    monkeypatch.delenv("EMAIL_URL", raising=False)
    count = iter(range(1000))

    def make(**values: t.Any) -> Flask:
        values.setdefault("PLUGINS", ["mail"])
        values.setdefault("TESTING", True)
        number = next(count)
        return create_app(
            settings(**values), import_name=f"mail_test_app_{number}", instance_path=str(tmp_path / f"i{number}")
        )

    return make


@pytest.fixture
def smtp(tmp_path: Path) -> t.Iterator[SMTPServer]:
    """A real SMTP server (aiosmtpd, in a subprocess) on a free port of 127.0.0.1."""
    with smtp_server(tmp_path) as server:
        yield server


@pytest.fixture
def smtp_with_login(tmp_path: Path) -> t.Iterator[SMTPServer]:
    """The same, requiring the login ``mailer`` / ``s3cret``."""
    with smtp_server(tmp_path, auth=("mailer", "s3cret")) as server:
        yield server


# The tasks tests' fixtures, for the mails sent by a real worker (test_tasks.py).
from tests.plugins.tasks.conftest import rq_keys  # noqa: E402,F401
from tests.plugins.tasks.conftest import start_worker  # noqa: E402,F401
