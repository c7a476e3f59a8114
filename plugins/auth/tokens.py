"""Django's ``PasswordResetTokenGenerator``: single-use, expiring tokens for password reset links.

A token is ``"<timestamp in base 36>-<hash>"``. The hash is an HMAC (keyed on
``SECRET_KEY``) of the user's primary key, password hash, ``last_login``, email
address and the timestamp, so the token stops working when any of them changes:

* the password is changed (by this link or another way): the link is single-use;
* the user logs in (``last_login`` moves);
* the email address is changed;
* ``PASSWORD_RESET_TIMEOUT`` seconds (3 days) pass.

Nothing is stored: the token is checked by computing it again. Tokens made
under a key of ``SECRET_KEY_FALLBACKS`` still verify, so rotating the key does
not break the links already sent.
"""

from __future__ import annotations

import base64
import hmac
import typing as t
from datetime import UTC
from datetime import datetime

from flask import current_app

from .models import _salted_hmac

__all__ = [
    "PasswordResetTokenGenerator",
    "base36_to_int",
    "default_token_generator",
    "int_to_base36",
    "urlsafe_base64_decode",
    "urlsafe_base64_encode",
]

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
#: Django's limit: a base-36 number longer than 13 digits is not a timestamp (and could be huge).
_MAX_BASE36_LENGTH = 13
_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)


def int_to_base36(value: int) -> str:
    if value < 0:
        raise ValueError("Negative base36 conversion input.")
    if value < 36:
        return _DIGITS[value]
    digits = ""
    while value:
        value, index = divmod(value, 36)
        digits = _DIGITS[index] + digits
    return digits


def base36_to_int(value: str) -> int:
    if len(value) > _MAX_BASE36_LENGTH:
        raise ValueError("Base36 input too large")
    return int(value, 36)


def urlsafe_base64_encode(data: bytes) -> str:
    """URL-safe base64 without the ``=`` padding (Django's)."""
    return base64.urlsafe_b64encode(data).rstrip(b"\n=").decode("ascii")


def urlsafe_base64_decode(value: str) -> bytes:
    """The bytes of :func:`urlsafe_base64_encode`; ``ValueError`` for anything else."""
    try:
        data = value.encode("ascii")
        return base64.urlsafe_b64decode(data.ljust(len(data) + len(data) % 4, b"="))
    except (LookupError, UnicodeError, base64.binascii.Error) as exc:  # type: ignore[attr-defined]
        raise ValueError(str(exc)) from exc


class PasswordResetTokenGenerator:
    """Makes and checks the tokens of password reset links (Django's class, same semantics).

    ::

        token = default_token_generator.make_token(user)
        default_token_generator.check_token(user, token)      # True, until it is used or expires
    """

    key_salt = "django.contrib.auth.tokens.PasswordResetTokenGenerator"
    algorithm = "sha256"
    _secret: str | bytes | None = None
    _secret_fallbacks: list[str | bytes] | None = None

    @property
    def secret(self) -> str | bytes:
        """The key of the HMAC: the app's ``SECRET_KEY`` unless set on the generator."""
        secret = self._secret if self._secret is not None else current_app.config.get("SECRET_KEY")
        if not secret:
            raise RuntimeError("The PasswordResetTokenGenerator.secret setting must not be empty (SECRET_KEY).")
        return t.cast("str | bytes", secret)

    @secret.setter
    def secret(self, value: str | bytes) -> None:
        self._secret = value

    @property
    def secret_fallbacks(self) -> list[str | bytes]:
        """Older keys whose tokens still verify: the app's ``SECRET_KEY_FALLBACKS`` unless set."""
        if self._secret_fallbacks is not None:
            return self._secret_fallbacks
        return list(current_app.config.get("SECRET_KEY_FALLBACKS") or ())

    @secret_fallbacks.setter
    def secret_fallbacks(self, value: list[str | bytes]) -> None:
        self._secret_fallbacks = value

    @property
    def timeout(self) -> int:
        """``PASSWORD_RESET_TIMEOUT``: seconds a token stays valid (3 days by default)."""
        return int(current_app.config.get("PASSWORD_RESET_TIMEOUT", 259200))

    def make_token(self, user: t.Any) -> str:
        """A token for ``user``, valid until it is used or :attr:`timeout` seconds pass."""
        return self._make_token_with_timestamp(user, self._num_seconds(self._now()), self.secret)

    def check_token(self, user: t.Any, token: str | None) -> bool:
        """Whether ``token`` is a valid, unexpired token for ``user``."""
        if not (user and token) or not isinstance(token, str):
            return False
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            if hmac.compare_digest(self._make_token_with_timestamp(user, ts, secret).encode(), token.encode()):
                break
        else:
            return False
        return (self._num_seconds(self._now()) - ts) <= self.timeout

    def _make_token_with_timestamp(self, user: t.Any, timestamp: int, secret: str | bytes) -> str:
        ts_b36 = int_to_base36(timestamp)
        hash_string = _salted_hmac(self.key_salt, self._make_hash_value(user, timestamp), secret=secret)[::2]
        return f"{ts_b36}-{hash_string}"

    def _make_hash_value(self, user: t.Any, timestamp: int) -> str:
        """What invalidates the token when it changes: the password hash, ``last_login``, the email address."""
        last_login = getattr(user, "last_login", None)
        login_timestamp = "" if last_login is None else last_login.replace(microsecond=0, tzinfo=None)
        email = getattr(user, user.get_email_field_name(), "") or ""
        return f"{user.pk}{user.password}{login_timestamp}{timestamp}{email}"

    def _num_seconds(self, moment: datetime) -> int:
        return int((moment - _EPOCH).total_seconds())

    def _now(self) -> datetime:
        return datetime.now(UTC)


#: The generator the password reset views use.
default_token_generator = PasswordResetTokenGenerator()
