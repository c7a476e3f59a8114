"""Starting a project and an app, as Django's ``startproject`` and ``startapp`` do.

* :func:`start_project` (``flaskkit startproject NAME [DIRECTORY]``, ``python -m flaskkit``): a new
  project, from ``templates/project`` or the user's template (a folder or an archive);
* :func:`start_app` (``flask --app PROJECT kit startapp NAME``): a new app in the project, from
  ``templates/app``, with the migration of its model, registered in the project's ``PLUGINS``.

Names are validated, and nothing is ever overwritten: the files are rendered into a staging folder and
moved into place at the end, so an error leaves nothing behind. See rendering.py for the template rules.
"""

from __future__ import annotations

from .apps import start_app
from .errors import ScaffoldError
from .names import validate_name
from .project import start_project
from .settings_file import add_to_plugins

__all__ = ["ScaffoldError", "add_to_plugins", "start_app", "start_project", "validate_name"]
