"""Settings for the apps of the middleware tests: served on ``localhost``, the host Flask's test client sends.

An empty ``ALLOWED_HOSTS`` refuses every host while ``DEBUG`` and ``TESTING`` are off (Django's
rule), and these apps keep ``TESTING`` off, so that an unhandled exception gives Flask's 500 page.
"""

from __future__ import annotations

import typing as t

from tests.conftest import settings as base_settings


def settings(**values: t.Any) -> dict[str, t.Any]:
    """``tests.conftest.settings`` with ``ALLOWED_HOSTS = ["localhost"]`` unless ``values`` sets it."""
    return base_settings(**{"ALLOWED_HOSTS": ["localhost"], **values})
