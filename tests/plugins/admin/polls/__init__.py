"""Django's polls tutorial, parts 2 and 7, as a flaskkit app: the "polls" plugin with its models and admin.py.

Django's tutorial writes ``polls/models.py`` and ``polls/admin.py``; here the app is a
plugin (Django's app), listed in ``PLUGINS``, whose ``admin.py`` the admin plugin
discovers. ``test_polls.py`` drives it.
"""

from __future__ import annotations

from flaskkit import Plugin


class PollsPlugin(Plugin):
    """Django's ``PollsConfig``: the app is the package; its models and admin module are found by name."""

    name = "polls"
    requires = ("orm",)
