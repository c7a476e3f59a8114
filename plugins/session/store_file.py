"""The ``file`` engine (the default): one JSON file per session in a folder.

The folder is ``sessions/`` in the app's instance folder unless
``SESSION_FILE_PATH`` says otherwise. It is made (mode 0700) when the first
session is saved, and each file is written with mode 0600, whole or not at
all. Each file holds ``{"expire_date": "<ISO 8601, UTC>", "session_data":
"<tagged JSON>"}``: plain text, never pickled (cachelib's ``FileSystemCache``
pickles, which is why it is not used here).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import typing as t
from datetime import datetime

from .session import utcnow
from .store import SessionStore

if t.TYPE_CHECKING:
    from flask import Flask

    from .conf import SessionSettings

__all__ = ["FileStore"]

SUFFIX = ".json"
_TEMP_PREFIX = ".tmp-"


class FileStore(SessionStore):
    engine = "file"

    def __init__(self, app: Flask, settings: SessionSettings) -> None:
        super().__init__(app, settings)
        #: The folder of the session files.
        self.path = settings.file_path

    def _file(self, key: str) -> str:
        # Keys are checked ([a-z0-9]{32}) before they get here, so this stays in the folder.
        return os.path.join(self.path, key + SUFFIX)

    def load(self, key: str) -> str | None:
        record = _read(self._file(key))
        if record is None or record[0] <= utcnow():
            return None
        return record[1]

    def create(self, key: str, data: str, expire_date: datetime, age: int) -> bool:
        path = self._file(key)
        if os.path.exists(path):
            return False
        return self._write(path, data, expire_date, replace=False)

    def update(self, key: str, data: str, expire_date: datetime, age: int) -> bool:
        path = self._file(key)
        if not os.path.exists(path):
            return False
        return self._write(path, data, expire_date, replace=True)

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._file(key))

    def clear_expired(self) -> int:
        """Remove expired and unreadable session files (and temporary files left by a crash)."""
        if not os.path.isdir(self.path):
            return 0
        now = utcnow()
        removed = 0
        for entry in os.scandir(self.path):
            if entry.name.startswith(_TEMP_PREFIX):
                if entry.stat().st_mtime < now.timestamp() - 3600:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)
                continue
            if not entry.name.endswith(SUFFIX) or not entry.is_file():
                continue
            record = _read(entry.path)
            if record is None or record[0] <= now:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
                    removed += 1
        return removed

    def _write(self, path: str, data: str, expire_date: datetime, *, replace: bool) -> bool:
        os.makedirs(self.path, mode=0o700, exist_ok=True)
        content = json.dumps({"expire_date": expire_date.isoformat(), "session_data": data}, ensure_ascii=False)
        if not replace:
            # A new id: O_EXCL never overwrites an existing session. Nobody knows the id before
            # the response carries it, so nobody can read the file half-written.
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
            except FileExistsError:
                return False
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(content)
            return True
        # An existing id: a temporary file (mode 0600) renamed over it, so a reader never sees half a session.
        fd, temp = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=".tmp", dir=self.path)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(content)
            os.replace(temp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
        return True


def _read(path: str) -> tuple[datetime, str] | None:
    """``(expire_date, session_data)`` of a session file, or ``None`` when missing or unreadable."""
    try:
        with open(path, "rb") as file:  # (bytes: json reads UTF-8 itself, without a text wrapper per request)
            record = json.loads(file.read())
        expire_date = datetime.fromisoformat(record["expire_date"])
        data = record["session_data"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if expire_date.tzinfo is None or not isinstance(data, str):
        return None
    return expire_date, data
