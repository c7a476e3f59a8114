"""The ``flaskkit_orm`` pytest plugin: the orm plugin's fixtures (``db``...), when the orm stack is installed.

pytest imports this module in every project where flaskkit is installed, a
core-only install included (``pip install flaskkit`` without the ``orm``
extra), so it imports nothing itself: the fixtures live in
:mod:`flaskkit.plugins.orm.pytest_plugin`, inside the orm package, which
imports SQLAlchemy. They are loaded (``pytest_plugins``) only when the orm
plugin's libraries can be imported; without them there is no ``db``
fixture, and pytest works as it would without flaskkit.
"""

from __future__ import annotations

import importlib.util

#: The libraries of the ``orm`` extra that the orm package imports.
ORM_LIBRARIES = ("sqlalchemy", "flask_sqlalchemy", "flask_migrate", "alembic")


def _orm_installed() -> bool:
    try:
        return all(importlib.util.find_spec(name) is not None for name in ORM_LIBRARIES)
    except (ImportError, ValueError):  # a module blocked (None in sys.modules) or half there
        return False


pytest_plugins = ["flaskkit.plugins.orm.pytest_plugin"] if _orm_installed() else []
