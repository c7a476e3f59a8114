"""The ``mailoutbox`` fixture of the mail plugin (registered as the ``flaskkit_mail`` pytest plugin).

It lives beside the ``mail`` package, not in it: importing anything inside
``flaskkit.plugins.mail`` imports Flask-Mailman, which a core-only install lacks.

::

    @pytest.mark.kit_settings(PLUGINS=["mail"])
    def test_welcome_mail(client, mailoutbox):
        client.post("/register/", data={...})
        assert len(mailoutbox) == 1
        assert mailoutbox[0].subject == "Welcome"

pytest-django's name and shape: the list of the messages sent, oldest first
(Flask-Mailman's ``EmailMessage`` objects: ``subject``, ``body``, ``to``,
``from_email``, ``alternatives``, ``attachments``). It is the ``app`` fixture's
outbox, empty at the start of each test; the app must use the locmem backend,
which is the default while ``TESTING`` is on.

This module is imported by pytest in every project where flaskkit is installed,
so it imports nothing from the mail stack until the fixture runs.
"""

from __future__ import annotations

import typing as t

import pytest

if t.TYPE_CHECKING:
    from flask import Flask


@pytest.fixture
def mailoutbox(app: Flask) -> list[t.Any]:
    """The messages the app sent during the test (the locmem backend's outbox), emptied first."""
    plugins = app.extensions["flaskkit"].state(app).plugins if "flaskkit" in app.extensions else {}
    if "mail" not in plugins:
        pytest.fail(
            "The mailoutbox fixture needs the mail plugin: add 'mail' to PLUGINS (in your test settings, or with "
            "@pytest.mark.kit_settings(PLUGINS=[..., 'mail'])).",
            pytrace=False,
        )
    plugin = plugins["mail"]
    if plugin.settings.builtin != "locmem":  # type: ignore[attr-defined]
        pytest.fail(
            f"The mailoutbox fixture needs the locmem backend, but EMAIL_BACKEND is "
            f"{plugin.settings.backend_name!r}: leave EMAIL_BACKEND and EMAIL_URL unset in the test settings "
            "(locmem is the default while TESTING is on), or set EMAIL_BACKEND = 'locmem'.",  # type: ignore[attr-defined]
            pytrace=False,
        )
    from flaskkit.plugins.mail import outbox

    box = outbox(app)
    box.clear()
    return box
