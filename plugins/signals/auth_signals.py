"""The authentication signals, with Django's names; the auth plugin sends them.

Defined here so that receivers can connect before (or without) the auth plugin.
"""

from __future__ import annotations

from .dispatch import Signal

__all__ = ["user_logged_in", "user_logged_out", "user_login_failed"]

#: A user logged in. Sender: the user's class. Arguments: ``request``, ``user``.
user_logged_in = Signal("user_logged_in", doc="A user logged in.")

#: A user logged out. Sender: the user's class (``None`` when nobody was logged
#: in). Arguments: ``request``, ``user`` (or ``None``).
user_logged_out = Signal("user_logged_out", doc="A user logged out.")

#: A login attempt failed. Sender: the name of the module that tried.
#: Arguments: ``credentials`` (the password removed), ``request``.
user_login_failed = Signal("user_login_failed", doc="A login attempt failed.")
