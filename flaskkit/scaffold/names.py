"""Names of new projects and apps, validated as Django's ``TemplateCommand.validate_name`` does, and more."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import keyword
import re
import sys

from .errors import ScaffoldError

__all__ = ["RESERVED_NAMES", "camel_case", "suggest_name", "validate_name"]

#: Folders a project already has (or that its tools use): a package of that name would clash with them.
RESERVED_NAMES = frozenset({"tests", "instance", "migrations", "static", "templates", "build", "dist", "venv"})


def validate_name(name: str, kind: str, *, taken: dict[str, str] | None = None) -> None:
    """Raise :class:`ScaffoldError` unless ``name`` can be the package of a new ``kind`` ("project" or "app").

    The name must be an ASCII Python identifier that starts with a letter, not a keyword, and not the name of
    a module that Python can import already (the standard library, an installed distribution, a folder
    here): importing the new package would then give the other one. ``taken`` maps more names that are not
    free to why (the plugins' names, the project's own).
    """
    a = "an" if kind[:1] in "aeiou" else "a"
    if not name:
        raise ScaffoldError(f"Give the {kind}'s name.")
    if not (name.isidentifier() and name.isascii()) or name.startswith("_"):
        suggestion = suggest_name(name)
        hint = f", such as {suggestion!r}" if suggestion and suggestion != name else ""
        raise ScaffoldError(
            f"{name!r} is not a valid {kind} name: it becomes a Python package, so use letters, digits and "
            f"underscores only, starting with a letter{hint}."
        )
    if keyword.iskeyword(name):
        raise ScaffoldError(f"{name!r} is a Python keyword and cannot be {a} {kind} name. Please try another name.")
    if name.lower() in RESERVED_NAMES:
        raise ScaffoldError(
            f"{name!r} cannot be {a} {kind} name: a project already has a folder of that name (or its tools use one)."
        )
    for other, reason in (taken or {}).items():
        if name == other:
            raise ScaffoldError(f"{name!r} cannot be {a} {kind} name: {reason}. Please try another name.")
    if name in sys.stdlib_module_names:
        raise ScaffoldError(
            f"{name!r} conflicts with the name of a module of Python's standard library and cannot be used as {a} "
            f"{kind} name. Please try another name."
        )
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):  # a broken module of that name is still a module of that name
        spec = None
        found = True
    else:
        found = spec is not None
    if found:
        where = f" ({spec.origin or next(iter(spec.submodule_search_locations or []), '')})" if spec else ""
        raise ScaffoldError(
            f"{name!r} conflicts with the name of an existing Python module{where} and cannot be used as {a} "
            f"{kind} name. Please try another name."
        )


def plugin_names() -> dict[str, str]:
    """The names registered in the ``flaskkit.plugins`` entry-point group, and who registered them."""
    from ..loading import ENTRY_POINT_GROUP

    found: dict[str, str] = {}
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = entry_point.dist.name if entry_point.dist else "an installed distribution"
        found.setdefault(entry_point.name, f"it is the name of the plugin {entry_point.name!r} of {dist}")
    return found


def suggest_name(name: str) -> str:
    """``"my-site"`` -> ``"my_site"``: a valid name close to ``name`` ("" when there is none)."""
    candidate = re.sub(r"\W+", "_", name.strip(), flags=re.ASCII).strip("_")
    if candidate and candidate[0].isdigit():
        candidate = f"site_{candidate}"
    return candidate if candidate.isidentifier() and not keyword.iskeyword(candidate) else ""


def camel_case(name: str) -> str:
    """``"my_site"`` -> ``"MySite"``."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part)
