"""Testing tools with Django's names (``django.test``): the test client, assertions, ``reverse``...

::

    from flaskkit.test import assert_contains, assert_redirects, reverse

    def test_detail(client, db):
        response = client.get(reverse("polls.detail", 1))
        assert_contains(response, "What's up?")

Everything here works with any test runner; flaskkit's pytest plugin adds the
fixtures (``app``, ``client``, ``db``, ``settings``, ``live_server``...). The
helpers that need the orm plugin are imported from it on first use.
"""

from __future__ import annotations

from .client import Client
from .client import ContextList
from .client import run_isolated

__all__ = [
    "Client",
    "ContextList",
    "run_isolated",
]
