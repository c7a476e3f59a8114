"""What is installed: entry points and distributions, read once per directory of ``sys.path``.

Reading every installed distribution (its METADATA, entry_points.txt and RECORD)
takes tens of milliseconds, and an app boots in a few: each directory of
``sys.path`` is read once, and again only when it changes (installing or
removing a distribution adds or removes a ``.dist-info`` directory: its mtime
and link count change). A directory new on ``sys.path`` (a test's own) costs
only its own reading.
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import re
import sys
import typing as t

__all__ = ["installed_entry_points", "name_and_version", "normalise_name", "packages_distributions", "version"]


def normalise_name(name: str) -> str:
    """A distribution's name as packaging compares it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


class _PathEntry:
    """The distributions installed in one directory of ``sys.path``."""

    def __init__(self, entry: str) -> None:
        self.dists = list(importlib.metadata.distributions(path=[entry]))
        self.keys = [normalise_name(name_and_version(dist)[0] or "") for dist in self.dists]
        self._groups: dict[str, list[tuple[str, importlib.metadata.EntryPoint]]] = {}
        self._packages: dict[str, list[str]] | None = None

    def entry_points(self, group: str) -> list[tuple[str, importlib.metadata.EntryPoint]]:
        if group not in self._groups:
            self._groups[group] = [
                (key, ep)
                for key, dist in zip(self.keys, self.dists, strict=True)
                for ep in dist.entry_points.select(group=group)
            ]
        return self._groups[group]

    def packages(self) -> dict[str, list[str]]:
        """Top-level module -> distribution names, as ``importlib.metadata.packages_distributions()``."""
        if self._packages is None:
            self._packages = {}
            for dist in self.dists:
                try:
                    declared = (dist.read_text("top_level.txt") or "").split()
                    names = declared or {
                        f.parts[0] if len(f.parts) > 1 else f.with_suffix("").name
                        for f in dist.files or ()
                        if f.suffix == ".py"
                    }
                except Exception:  # a broken RECORD; where a plugin comes from is only a courtesy
                    continue
                for name in names:
                    self._packages.setdefault(name, []).append(name_and_version(dist)[0])
        return self._packages


@functools.lru_cache(maxsize=64)
def _path_entry(entry: str, mtime: int, links: int) -> _PathEntry:
    return _PathEntry(entry)


def _path_entries() -> t.Iterator[_PathEntry]:
    for entry in sys.path:
        try:
            stat = os.stat(entry or os.curdir)
        except OSError:
            continue
        yield _path_entry(entry, stat.st_mtime_ns, stat.st_nlink)


def installed_entry_points(group: str) -> list[importlib.metadata.EntryPoint]:
    """The entry points of ``group`` (as ``importlib.metadata.entry_points(group=...)``: a distribution
    installed twice on ``sys.path`` counts once, the first), read once per directory of ``sys.path``."""
    seen: set[str] = set()
    found: list[importlib.metadata.EntryPoint] = []
    for path_entry in _path_entries():
        found.extend(ep for key, ep in path_entry.entry_points(group) if key not in seen)
        seen.update(path_entry.keys)
    return found


def packages_distributions() -> dict[str, list[str]]:
    """Top-level module -> the distributions that provide it (``importlib.metadata.packages_distributions()``)."""
    merged: dict[str, list[str]] = {}
    for path_entry in _path_entries():
        for name, dists in path_entry.packages().items():
            merged.setdefault(name, []).extend(dists)
    return merged


def version(distribution: str) -> str | None:
    """The version of the installed ``distribution``, or ``None``."""
    key = normalise_name(distribution)
    for path_entry in _path_entries():
        if key in path_entry.keys:
            return name_and_version(path_entry.dists[path_entry.keys.index(key)])[1]
    return None


@functools.lru_cache(maxsize=512)
def name_and_version(dist: importlib.metadata.Distribution) -> tuple[str, str]:
    """Read from the distribution's METADATA once (a distribution object lives as long as its _PathEntry).

    ``dist.name`` and ``dist.version`` would each parse the whole METADATA file again.
    """
    metadata = dist.metadata
    return metadata["Name"], metadata["Version"]
