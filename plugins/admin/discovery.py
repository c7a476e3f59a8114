"""``autodiscover``: import the ``admin`` module of the app and of every enabled plugin (Django's).

Where the module is looked for:

* a plugin: beside its class. ``flaskkit.plugins.auth:AuthPlugin`` (a package)
  -> ``flaskkit.plugins.auth.admin``; ``example_site.plugin:NotesPlugin`` (a
  module of a package) -> ``example_site.admin``;
* the app: its ``import_name`` (``Flask(__name__)``, or ``create_app``'s
  default, the settings' package). A package ``myapp`` -> ``myapp.admin``; a
  module ``myapp.app`` -> ``myapp.admin``; a top-level module ``app`` (one
  file beside ``admin.py``) -> ``admin``, but only if that file is in the
  app's ``root_path`` (another installed ``admin`` module is never imported);
* every module of ``ADMIN_MODULES``.

A missing ``admin`` module is skipped; an error *inside* one is raised, as
Django raises it, with the module named.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import typing as t

from flaskkit import ConfigurationError
from flaskkit import get_kit

if t.TYPE_CHECKING:
    from flask import Flask

    from .conf import AdminSettings

__all__ = ["admin_module_candidates", "autodiscover", "in_scope", "scope_packages"]

MODULE_NAME = "admin"


def _parent(module: str) -> str:
    """The package of ``module`` (itself if it is a package), or "" for a top-level plain module."""
    loaded = sys.modules.get(module)
    if loaded is not None and hasattr(loaded, "__path__"):
        return module
    return module.rpartition(".")[0]


def scope_packages(app: Flask) -> list[str]:
    """The packages (or modules) whose registrations the app's admin serves: the app's and its plugins'."""
    from flaskkit import ExtensionPlugin

    found: list[str] = []
    for plugin in get_kit(app).state(app).plugins.values():
        if isinstance(plugin, ExtensionPlugin):
            continue  # a wrapped Flask extension has no admin module
        module = type(plugin).__module__
        package = _parent(module) or module
        if package not in found:
            found.append(package)
    own = _parent(app.import_name) or app.import_name
    if own and own not in ("__main__", "flaskkit") and own not in found:
        found.append(own)
    return found


def in_scope(module: str, packages: t.Sequence[str], modules: t.Collection[str]) -> bool:
    """Whether a registration made by ``module`` belongs to an app of these packages and imported modules."""
    if module in modules:
        return True
    return any(module == package or module.startswith(package + ".") for package in packages)


def admin_module_candidates(app: Flask) -> list[str]:
    """The ``admin`` modules to look for, in boot order of the plugins, then the app's."""
    names: list[str] = []
    from flaskkit import ExtensionPlugin

    for plugin in get_kit(app).state(app).plugins.values():
        package = _parent(type(plugin).__module__)
        if package and not isinstance(plugin, ExtensionPlugin):
            names.append(f"{package}.{MODULE_NAME}")
    package = _parent(app.import_name)
    if package:
        names.append(f"{package}.{MODULE_NAME}")
    elif app.import_name not in ("__main__", MODULE_NAME):
        names.append(MODULE_NAME)  # a one-file app: admin.py beside it (checked against root_path below)
    return list(dict.fromkeys(names))


def autodiscover(app: Flask, settings: AdminSettings) -> list[str]:
    """Import the admin modules of the app and its plugins (and ``ADMIN_MODULES``); their names."""
    imported: list[str] = []
    candidates = admin_module_candidates(app) if settings.autodiscover else []
    for name in candidates:
        if _exists(name, app) and _import(name):
            imported.append(name)
    for name in settings.modules:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                raise ConfigurationError(
                    f"ADMIN_MODULES names the module {name!r}, which cannot be imported: {exc}",
                    setting="ADMIN_MODULES",
                    hint="Check the dotted name, and that its package is importable.",
                ) from exc
            raise
        imported.append(name)
    return list(dict.fromkeys(imported))


def _exists(name: str, app: Flask) -> bool:
    loaded = sys.modules.get(name)
    if loaded is not None:
        origin = getattr(loaded, "__file__", None) or ""
    else:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            return False
        if spec is None:
            return False
        origin = spec.origin or ""
    if "." not in name:
        # A top-level "admin": only the file beside the app's own module, never another installed "admin".
        return os.path.dirname(os.path.abspath(origin)) == os.path.abspath(app.root_path)
    return True


def _import(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return False
        raise ConfigurationError(
            f"Importing the admin module {name!r} failed: {type(exc).__name__}: {exc}",
            hint="Fix the import in that module (autodiscovery imports every enabled plugin's admin.py).",
        ) from exc
    except ConfigurationError:
        raise
    except Exception as exc:
        raise ConfigurationError(
            f"Importing the admin module {name!r} failed: {type(exc).__name__}: {exc}",
            hint="Fix the error in that module (autodiscovery imports every enabled plugin's admin.py).",
        ) from exc
    return True
