"""The CSRF secret and its masked tokens: Django's scheme (``django.middleware.csrf``), ported.

Why a port and not Flask-WTF: Flask-WTF 1.3 keeps its raw token in
``session["csrf_token"]`` and hands out the same itsdangerous-signed value for
the whole request. That forces a server-side session onto every visitor who
sees a form (a crawler fills the session store), and the value in the page
never changes, so a compressed HTTPS page gives it away to a BREACH attacker.
Django's scheme, which its users trust and which its own test suite pins down
(``tests/csrf_tests``; the vectors are in ``tests/plugins/forms/test_csrf_django.py``):

* the **secret** is 32 random characters of ``[a-zA-Z0-9]``, kept in its own
  cookie (``csrftoken``) or, with ``CSRF_USE_SESSIONS``, in the session;
* each token put in a page is the secret **masked** with a fresh random mask:
  ``mask + cipher`` (64 characters), the cipher being the secret's characters
  shifted by the mask's, modulo the alphabet. Every page carries a different
  string, so compression reveals nothing about the secret;
* a request is accepted when the token it sends (masked, or the bare secret,
  as JavaScript reading the cookie sends it) unmasks to the secret, compared in
  constant time.

The functions keep Django's names without the leading underscore.
"""

from __future__ import annotations

import hmac
import re
import secrets
import string

__all__ = [
    "CSRF_ALLOWED_CHARS",
    "CSRF_SECRET_LENGTH",
    "CSRF_TOKEN_LENGTH",
    "REASON_INCORRECT_LENGTH",
    "REASON_INVALID_CHARACTERS",
    "InvalidTokenFormat",
    "check_token_format",
    "does_token_match",
    "get_new_csrf_string",
    "mask_cipher_secret",
    "unmask_cipher_token",
]

#: Characters of the secret, the mask and the cipher.
CSRF_ALLOWED_CHARS = string.ascii_letters + string.digits
#: The secret's length; a masked token is twice as long (mask + cipher).
CSRF_SECRET_LENGTH = 32
CSRF_TOKEN_LENGTH = 2 * CSRF_SECRET_LENGTH

REASON_INCORRECT_LENGTH = "has incorrect length"
REASON_INVALID_CHARACTERS = "has invalid characters"

_INVALID_CHARS = re.compile("[^a-zA-Z0-9]")
_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}
_BASE = len(CSRF_ALLOWED_CHARS)
#: Bytes from 0 to this (excluded) map to a character without bias (the largest multiple of _BASE up to 256).
_UNBIASED_LIMIT = 256 - 256 % _BASE
#: ``bytes.translate`` arguments: byte -> its character (``byte % _BASE``); the biased bytes are deleted.
_BYTE_TO_CHAR = bytes(ord(CSRF_ALLOWED_CHARS[byte % _BASE]) for byte in range(256))
_BIASED_BYTES = bytes(range(_UNBIASED_LIMIT, 256))
#: (secret character, mask character) -> cipher character, and (cipher, mask) -> secret: Django's
#: arithmetic on the alphabet's indexes, as tables (a token is made for every page with a form).
_ADD = {(x, y): CSRF_ALLOWED_CHARS[(_INDEX[x] + _INDEX[y]) % _BASE] for x in _INDEX for y in _INDEX}
_SUBTRACT = {(x, y): CSRF_ALLOWED_CHARS[(_INDEX[x] - _INDEX[y]) % _BASE] for x in _INDEX for y in _INDEX}


class InvalidTokenFormat(Exception):
    """A secret or token of the wrong length or with characters outside ``[a-zA-Z0-9]``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        #: ``"has incorrect length"`` or ``"has invalid characters"``, for the failure message.
        self.reason = reason


def get_new_csrf_string() -> str:
    """A new random secret (or mask): ``CSRF_SECRET_LENGTH`` characters of ``CSRF_ALLOWED_CHARS``.

    Django's ``get_random_string`` draws each character with ``secrets.choice`` (one
    ``os.urandom`` call per character); here one call gives the bytes of all of them,
    each mapped to a character without bias: a byte is used only when it is below
    the largest multiple of the alphabet's size (248 for 62 characters), else dropped.
    """
    chars = b""
    while len(chars) < CSRF_SECRET_LENGTH:
        chars += secrets.token_bytes(48).translate(_BYTE_TO_CHAR, _BIASED_BYTES)
    return chars[:CSRF_SECRET_LENGTH].decode("ascii")


def mask_cipher_secret(secret: str) -> str:
    """A token for ``secret`` (a string of ``CSRF_ALLOWED_CHARS``): a new mask, then the secret shifted by it."""
    mask = get_new_csrf_string()
    return mask + "".join(map(_ADD.__getitem__, zip(secret, mask, strict=True)))


def unmask_cipher_token(token: str) -> str:
    """The secret of a masked ``token`` (``CSRF_TOKEN_LENGTH`` characters of ``CSRF_ALLOWED_CHARS``)."""
    mask, cipher = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    return "".join(map(_SUBTRACT.__getitem__, zip(cipher, mask, strict=True)))


def check_token_format(token: str) -> None:
    """Raise :class:`InvalidTokenFormat` unless ``token`` is a secret or a masked token by its shape.

    Checked before anything else is done with a value that came from the
    client (a cookie, a form field, a header).
    """
    if len(token) not in (CSRF_TOKEN_LENGTH, CSRF_SECRET_LENGTH):
        raise InvalidTokenFormat(REASON_INCORRECT_LENGTH)
    if _INVALID_CHARS.search(token):
        raise InvalidTokenFormat(REASON_INVALID_CHARACTERS)


def does_token_match(request_csrf_token: str, csrf_secret: str) -> bool:
    """Whether the token a request sent (masked or not, already format-checked) is ``csrf_secret``'s."""
    if len(request_csrf_token) == CSRF_TOKEN_LENGTH:
        request_csrf_token = unmask_cipher_token(request_csrf_token)
    if len(request_csrf_token) != CSRF_SECRET_LENGTH:
        return False
    return hmac.compare_digest(request_csrf_token, csrf_secret)
