"""File storage for uploads (Django's ``Storage`` / ``FileSystemStorage``), which Flask lacks.

A ``ModelForm`` saves an uploaded file through the app's storage, and only in
``save()``, that is once the form is valid: a refused upload writes nothing.
A column edits a file when its ``info`` has ``upload_to``::

    avatar: Mapped[str | None] = mapped_column(
        String(255),
        info={"upload_to": "avatars/%Y/%m/", "validators": [FileAllowed(["png", "jpg"], "Images only!")]},
    )

The column holds the stored name (``"avatars/2026/11/me.png"``);
``default_storage().url(name)`` gives its URL. Settings: ``MEDIA_ROOT`` (the
directory; default ``media`` in the instance folder) and ``MEDIA_URL``
(default ``"/media/"``).
"""

from __future__ import annotations

import contextlib
import datetime
import os
import posixpath
import secrets
import shutil
import typing as t
from urllib.parse import quote

from flask import current_app
from werkzeug.security import safe_join
from werkzeug.utils import secure_filename

__all__ = ["FileSystemStorage", "Storage", "UploadTo", "default_storage", "upload_path"]

#: ``upload_to``: a directory (``strftime`` codes allowed) or ``callable(instance, filename) -> name``.
UploadTo = str | t.Callable[[t.Any, str], str]


class Storage:
    """Where uploaded files go. Subclasses implement :meth:`_save`, :meth:`open`,
    :meth:`delete`, :meth:`exists`, :meth:`url` (and :meth:`path` when local)."""

    def save(self, name: str, content: t.Any) -> str:
        """Store ``content`` (a file object or a Werkzeug ``FileStorage``) under a free name
        derived from ``name``; return the name it got."""
        name = self.get_available_name(self.generate_filename(name))
        self._save(name, content)
        return name

    def generate_filename(self, name: str) -> str:
        """``name`` made safe: each path part through ``secure_filename``, ``/`` separators."""
        parts = [secure_filename(part) for part in name.replace("\\", "/").split("/")]
        parts = [part for part in parts if part]
        if not parts:
            raise ValueError(f"{name!r} has nothing left to name a file with once made safe.")
        return "/".join(parts)

    def get_available_name(self, name: str) -> str:
        """``name``, or ``name`` with ``_`` and 7 random characters before the extension
        while that is taken (Django's rule: an upload never replaces another)."""
        directory, filename = posixpath.split(name)
        root, extension = posixpath.splitext(filename)
        candidate = name
        while self.exists(candidate):
            candidate = posixpath.join(directory, f"{root}_{secrets.token_hex(4)[:7]}{extension}")
        return candidate

    def _save(self, name: str, content: t.Any) -> None:
        raise NotImplementedError

    def open(self, name: str, mode: str = "rb") -> t.IO[t.Any]:
        raise NotImplementedError

    def delete(self, name: str) -> None:
        raise NotImplementedError

    def exists(self, name: str) -> bool:
        raise NotImplementedError

    def url(self, name: str) -> str:
        raise NotImplementedError

    def path(self, name: str) -> str:
        raise NotImplementedError(f"{type(self).__name__} does not keep files on the local file system.")


class FileSystemStorage(Storage):
    """Files in a directory (``MEDIA_ROOT``), served at ``base_url`` (``MEDIA_URL``)."""

    def __init__(self, location: str | os.PathLike[str], base_url: str = "/media/") -> None:
        self.location = os.path.abspath(os.fspath(location))
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"

    def path(self, name: str) -> str:
        full = safe_join(self.location, name)
        if full is None:
            raise ValueError(f"{name!r} is outside the storage directory {self.location}.")
        return full

    def _save(self, name: str, content: t.Any) -> None:
        full = self.path(name)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        stream = getattr(content, "stream", content)
        if hasattr(stream, "seek"):
            stream.seek(0)
        # "xb": never overwrite, even if another request took the name meanwhile.
        with open(full, "xb") as target:
            shutil.copyfileobj(stream, target)

    def open(self, name: str, mode: str = "rb") -> t.IO[t.Any]:
        return open(self.path(name), mode)

    def delete(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.path(name))

    def exists(self, name: str) -> bool:
        return os.path.exists(self.path(name))

    def url(self, name: str) -> str:
        return self.base_url + quote(name)

    def listdir(self) -> list[str]:
        """Every stored name, sorted (for tests and clean-up scripts)."""
        found = []
        for root, _dirs, files in os.walk(self.location):
            for filename in files:
                found.append(os.path.relpath(os.path.join(root, filename), self.location).replace(os.sep, "/"))
        return sorted(found)


def upload_path(upload_to: UploadTo, instance: t.Any, filename: str) -> str:
    """The name to store an upload under: ``upload_to(instance, filename)``, or the
    directory ``upload_to`` (``strftime`` codes expanded) joined with the file's name."""
    if callable(upload_to):
        return upload_to(instance, filename)
    directory = datetime.datetime.now().strftime(upload_to)
    return posixpath.join(directory, filename)


def default_storage() -> Storage:
    """The current app's storage (the forms plugin makes it from ``MEDIA_ROOT`` and ``MEDIA_URL``)."""
    plugin = current_app.extensions.get("flaskkit.forms")
    if plugin is None:
        raise RuntimeError(f"The app {current_app.name!r} does not use the forms plugin: add 'forms' to PLUGINS.")
    return t.cast(Storage, plugin.storage)
