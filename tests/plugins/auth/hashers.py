"""Hashers for the tests: one that counts how often it hashes (Django's test suite has the same one),
and cheap PBKDF2 ones (Django's ``PBKDF2SingleIterationHasher``; a timing test's work factor)."""

from __future__ import annotations

import typing as t

from flaskkit.plugins.auth.hashers import MD5PasswordHasher
from flaskkit.plugins.auth.hashers import PBKDF2PasswordHasher


class CountingMD5PasswordHasher(MD5PasswordHasher):
    """MD5, counting its ``encode`` calls in :attr:`calls` (class-wide: reset it in the test)."""

    calls: t.ClassVar[int] = 0

    def encode(self, password: str | bytes, salt: str) -> str:
        type(self).calls += 1
        return super().encode(password, salt)


class PBKDF2SingleIterationHasher(PBKDF2PasswordHasher):
    """Django's test hasher: ``pbkdf2_sha256`` with one iteration."""

    iterations = 1


class CheapPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """``pbkdf2_sha256`` at 100,000 iterations: the real code path, at a tenth of the cost (timing tests)."""

    iterations = 100_000


PATH = "tests.plugins.auth.hashers:CountingMD5PasswordHasher"
CHEAP_PBKDF2_PATH = "tests.plugins.auth.hashers:CheapPBKDF2PasswordHasher"
