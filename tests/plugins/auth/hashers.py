"""Hashers for the tests: one that counts how often it hashes (Django's test suite has the same one),
cheap PBKDF2 ones (Django's ``PBKDF2SingleIterationHasher``; a timing test's work factor), and one
that records every password check in a file, for the concurrency tests."""

from __future__ import annotations

import time
import typing as t

from flask import current_app

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


class RecordingMD5PasswordHasher(MD5PasswordHasher):
    """MD5 whose ``verify`` appends a line to the file named by the app's ``PASSWORD_CHECKS_FILE``, then
    takes 0.3 s: the password checks of every thread and process, counted in one place, each lasting
    as long as a real hasher's, during which the other guesses arrive."""

    def verify(self, password: str | bytes, encoded: str) -> bool:
        with open(current_app.config["PASSWORD_CHECKS_FILE"], "a", encoding="ascii") as checks:
            checks.write("check\n")  # one short append (O_APPEND): whole lines, across processes too
        time.sleep(0.3)
        return super().verify(password, encoded)


PATH = "tests.plugins.auth.hashers:CountingMD5PasswordHasher"
CHEAP_PBKDF2_PATH = "tests.plugins.auth.hashers:CheapPBKDF2PasswordHasher"
RECORDING_PATH = "tests.plugins.auth.hashers:RecordingMD5PasswordHasher"
