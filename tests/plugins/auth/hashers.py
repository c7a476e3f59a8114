"""A hasher for the tests that counts how often it hashes (Django's test suite has the same one)."""

from __future__ import annotations

import typing as t

from flaskkit.plugins.auth.hashers import MD5PasswordHasher


class CountingMD5PasswordHasher(MD5PasswordHasher):
    """MD5, counting its ``encode`` calls in :attr:`calls` (class-wide: reset it in the test)."""

    calls: t.ClassVar[int] = 0

    def encode(self, password: str | bytes, salt: str) -> str:
        type(self).calls += 1
        return super().encode(password, salt)


PATH = "tests.plugins.auth.hashers:CountingMD5PasswordHasher"
