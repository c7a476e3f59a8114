"""Testing tools with Django's names (``django.test``): the test client, assertions, ``reverse``...

::

    from flaskkit.test import assert_contains, assert_redirects, reverse

    def test_detail(client, db):
        response = client.get(reverse("polls.detail", 1))
        assert_contains(response, "What's up?")

They work with any test runner; flaskkit's pytest plugin adds the fixtures
(``app``, ``client``, ``db``, ``transactional_db``, ``settings``,
``live_server``...). The database helpers (``assert_num_queries``,
``assert_queryset_equal``, ``capture_on_commit_callbacks``...) come from the orm
plugin, imported on first use.
"""

from __future__ import annotations

import importlib
import typing as t

from .assertions import assert_contains
from .assertions import assert_form_error
from .assertions import assert_html_equal
from .assertions import assert_html_not_equal
from .assertions import assert_json_equal
from .assertions import assert_not_contains
from .assertions import assert_redirects
from .assertions import assert_template_not_used
from .assertions import assert_template_used
from .assertions import assert_url_equal
from .client import Client
from .client import ContextList
from .client import run_isolated
from .client import use_test_client
from .html import parse_html
from .server import LiveServer
from .settings import SettingsOverride
from .settings import override_settings
from .settings import setting_changed
from .urls import NoReverseMatch
from .urls import reverse

__all__ = [
    "Client",
    "ContextList",
    "LiveServer",
    "NoReverseMatch",
    "SettingsOverride",
    "assert_contains",
    "assert_form_error",
    "assert_html_equal",
    "assert_html_not_equal",
    "assert_json_equal",
    "assert_max_num_queries",
    "assert_not_contains",
    "assert_num_queries",
    "assert_queryset_equal",
    "assert_redirects",
    "assert_template_not_used",
    "assert_template_used",
    "assert_url_equal",
    "capture_on_commit_callbacks",
    "capture_queries",
    "override_settings",
    "parse_html",
    "reverse",
    "run_isolated",
    "setting_changed",
    "use_test_client",
]

#: Imported from the orm plugin when first used (the core does not import the ORM stack).
_FROM_ORM = {
    "assert_max_num_queries": "flaskkit.plugins.orm.assertions",
    "assert_num_queries": "flaskkit.plugins.orm.assertions",
    "assert_queryset_equal": "flaskkit.plugins.orm.assertions",
    "capture_queries": "flaskkit.plugins.orm.assertions",
    "capture_on_commit_callbacks": "flaskkit.plugins.orm.testing",
}


def __getattr__(name: str) -> t.Any:
    module = _FROM_ORM.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
