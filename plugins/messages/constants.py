"""The message levels (Django's numbers) and their tags."""

from __future__ import annotations

from flask import current_app
from flask import has_app_context

__all__ = ["DEBUG", "DEFAULT_LEVELS", "DEFAULT_TAGS", "ERROR", "INFO", "SUCCESS", "WARNING", "level_tags"]

DEBUG = 10
INFO = 20
SUCCESS = 25
WARNING = 30
ERROR = 40

#: Each level's tag, the CSS class of its messages (``MESSAGE_TAGS`` adds to it or changes it).
DEFAULT_TAGS: dict[int, str] = {DEBUG: "debug", INFO: "info", SUCCESS: "success", WARNING: "warning", ERROR: "error"}

#: The level names, as templates get them (``DEFAULT_MESSAGE_LEVELS.ERROR``).
DEFAULT_LEVELS: dict[str, int] = {"DEBUG": DEBUG, "INFO": INFO, "SUCCESS": SUCCESS, "WARNING": WARNING, "ERROR": ERROR}

#: ``flask.flash()`` categories read as levels ("message" is Flask's default category).
_CATEGORY_LEVELS: dict[str, int] = {
    "message": INFO,
    "danger": ERROR,
    **{tag: level for level, tag in DEFAULT_TAGS.items()},
}


def level_tags() -> dict[int, str]:
    """``DEFAULT_TAGS`` updated with the app's ``MESSAGE_TAGS``."""
    tags = dict(DEFAULT_TAGS)
    if has_app_context():
        tags.update(current_app.config.get("MESSAGE_TAGS") or {})
    return tags


def level_from_name(name: str) -> int | None:
    """The level a ``flask.flash()`` category names (``"error"``, a custom tag of ``MESSAGE_TAGS``), or None."""
    if name in _CATEGORY_LEVELS:
        return _CATEGORY_LEVELS[name]
    for level, tag in level_tags().items():
        if tag == name:
            return level
    return None
