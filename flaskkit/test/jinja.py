"""Templates compiled once per test run, not once per app.

Each test boots a new app, and each app's Jinja environment compiled every
template it rendered again (a quarter of the time of a test that renders
pages). :data:`shared_bytecode` keeps the compiled code of a template for
every environment configured alike: the key is the template's name and file,
the checksum of its source, and what changes the compiled code (the syntax
options, the extensions, the names of the filters and tests, which the
compiler checks). flaskkit's pytest plugin gives it to every app booted in
the run.
"""

from __future__ import annotations

import hashlib
import typing as t

from jinja2.bccache import Bucket
from jinja2.bccache import BytecodeCache

if t.TYPE_CHECKING:
    from flask import Flask
    from jinja2 import Environment

__all__ = ["SharedBytecodeCache", "share_compiled_templates", "shared_bytecode"]

_SYNTAX = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "optimized",
    "is_async",
)


def _fingerprint(environment: Environment) -> str:
    parts = [repr(getattr(environment, name, None)) for name in _SYNTAX]
    parts.append(",".join(sorted(environment.extensions)))
    parts.append(",".join(sorted(environment.filters)))
    parts.append(",".join(sorted(environment.tests)))
    parts.append(type(environment).__qualname__)
    return hashlib.sha1("|".join(parts).encode()).hexdigest()


class SharedBytecodeCache(BytecodeCache):
    """Jinja's bytecode cache, in memory, shared by the environments configured alike."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def get_bucket(self, environment: Environment, name: str, filename: str | None, source: str) -> Bucket:
        key = f"{self.get_cache_key(name, filename)}:{_fingerprint(environment)}"
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self._code.clear()


#: The cache of a test run.
shared_bytecode = SharedBytecodeCache()


def share_compiled_templates(app: Flask) -> None:
    """Give ``app``'s Jinja environment the test run's bytecode cache, unless it has one of its own."""
    if app.jinja_env.bytecode_cache is None:
        app.jinja_env.bytecode_cache = shared_bytecode
