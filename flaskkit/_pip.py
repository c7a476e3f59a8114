"""The ``pip install`` command that adds extras to a distribution the way it was installed.

flaskkit is not on PyPI yet (the name there is an unrelated project), so a hint that
says ``pip install "flaskkit[cache]"`` would install that project. pip records where
a distribution came from (``direct_url.json``, PEP 610): a wheel file, a folder (a
clone, maybe editable) or a VCS URL. The hint names the same source; a distribution
installed from an index keeps the plain ``pip install "name[extras]"``.
"""

from __future__ import annotations

import json
import typing as t
from importlib import metadata
from urllib.parse import unquote
from urllib.parse import urlsplit

__all__ = ["pip_install"]


def _installed(distribution: str) -> list[t.Any]:
    """Every installed copy of ``distribution`` on ``sys.path`` (an editable one may also have an
    ``.egg-info`` in its folder, without the record), first first."""
    return list(metadata.distributions(name=distribution))


def _direct_url(distribution: str) -> dict[str, t.Any] | None:
    """``direct_url.json`` of the installed ``distribution``, or None (installed from an index)."""
    try:
        found = _installed(distribution)
    except Exception:  # a broken installation: no better hint than the plain one
        return None
    for dist in found:
        text = dist.read_text("direct_url.json")
        if text:
            try:
                data = json.loads(text)
            except ValueError:
                continue
            if isinstance(data, dict) and isinstance(data.get("url"), str):
                return data
    return None


def pip_install(distribution: str, extras: t.Sequence[str] = ()) -> str:
    """``pip install "<source>[extras]"``, where the source is where ``distribution`` came from."""
    spec = f"[{','.join(extras)}]" if extras else ""
    direct = _direct_url(distribution)
    if direct is None:
        return f'pip install "{distribution}{spec}"'
    url = direct["url"]
    if "vcs_info" in direct:
        vcs = direct["vcs_info"].get("vcs", "git")
        commit = direct["vcs_info"].get("commit_id")
        return f'pip install "{distribution}{spec} @ {vcs}+{url}{"@" + commit if commit else ""}"'
    parts = urlsplit(url)
    if parts.scheme != "file":
        return f'pip install "{distribution}{spec} @ {url}"'
    path = unquote(parts.path)
    editable = bool(direct.get("dir_info", {}).get("editable"))
    return f'pip install {"-e " if editable else ""}"{path}{spec}"'
