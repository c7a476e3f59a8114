"""The error of the scaffolding commands."""

from __future__ import annotations

__all__ = ["ScaffoldError"]


class ScaffoldError(Exception):
    """A project or an app cannot be started as asked; nothing was written. The message says why and what to do."""
