"""The check registry: which checks an app has, and running them.

Each :class:`~flaskkit.Kit` owns one registry per app (there is no global
one), so two apps in one process never share checks.
"""

from __future__ import annotations

import collections.abc as cabc
import typing as t
from dataclasses import dataclass
from dataclasses import field

from .messages import CheckMessage

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["DATABASE", "DEPLOY", "CheckFunction", "CheckRegistry", "CheckReport", "RegisteredCheck", "check"]

#: The tag of checks that only matter for a production deployment. They run
#: with ``flask kit check --deploy`` and never at boot.
DEPLOY = "deploy"

#: The tag of checks that connect to a database (unapplied migrations...). They
#: never run at boot, so an app starts without its database; ``flask kit check``
#: runs them.
DATABASE = "database"

CheckFunction = t.Callable[["Flask"], t.Iterable[CheckMessage]]
_F = t.TypeVar("_F", bound=t.Callable[..., t.Any])
_TAGS_ATTR = "__flaskkit_check_tags__"


def check(*tags: str) -> t.Callable[[_F], _F]:
    """Mark a method of a :class:`~flaskkit.Plugin` as one more check of that plugin.

    ::

        class SessionPlugin(Plugin):
            @check(DEPLOY)
            def check_cookie_secure(self, app):
                if not app.config["SESSION_COOKIE_SECURE"]:
                    yield Warning("...", id="session.W003")

    The method takes the app and returns (or yields) check messages. The
    plugin's name is added to its tags.
    """

    def decorator(func: _F) -> _F:
        setattr(func, _TAGS_ATTR, tuple(tags))
        return func

    return decorator


def marked_check_tags(obj: object) -> tuple[str, ...] | None:
    """The tags given by :func:`check`, or ``None`` when ``obj`` is not marked."""
    tags = getattr(obj, _TAGS_ATTR, None)
    return tags if isinstance(tags, tuple) else None


@dataclass(frozen=True)
class RegisteredCheck:
    func: CheckFunction
    tags: frozenset[str]
    #: Who registered it: ``"kit"``, a plugin's name, or ``"app"``.
    origin: str

    @property
    def label(self) -> str:
        func = t.cast(t.Any, self.func)
        return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"


@dataclass
class CheckReport:
    #: The messages that were not silenced, in check order.
    messages: list[CheckMessage] = field(default_factory=list)
    #: How many messages ``SILENCED_CHECKS`` hid.
    silenced: int = 0

    def serious(self, level: int) -> list[CheckMessage]:
        return [m for m in self.messages if m.is_serious(level)]


class CheckRegistry:
    """The checks of one app."""

    def __init__(self) -> None:
        self._checks: list[RegisteredCheck] = []

    def __iter__(self) -> t.Iterator[RegisteredCheck]:
        return iter(self._checks)

    def __len__(self) -> int:
        return len(self._checks)

    @t.overload
    def register(self, func: CheckFunction, *tags: str, origin: str = "app") -> CheckFunction: ...
    @t.overload
    def register(self, func: str, *tags: str, origin: str = "app") -> t.Callable[[_F], _F]: ...
    @t.overload
    def register(self, func: None = None, *tags: str, origin: str = "app") -> t.Callable[[_F], _F]: ...

    def register(self, func: t.Any = None, *tags: str, origin: str = "app") -> t.Any:
        """Register a check: ``registry.register(fn, "deploy")``, or as a decorator
        ``@registry.register("deploy")`` / ``@registry.register``.

        A check is called with the app and returns an iterable of
        :class:`~flaskkit.checks.CheckMessage`.
        """
        if isinstance(func, str):  # @register("tag", ...)
            tags = (func, *tags)
            func = None
        if func is None:

            def decorator(f: _F) -> _F:
                self.register(f, *tags, origin=origin)
                return f

            return decorator
        if not callable(func):
            raise TypeError(f"A check must be callable, not {func!r}.")
        self._checks.append(RegisteredCheck(func, frozenset(tags), origin))
        return func

    def tags(self, *, include_deploy: bool = True) -> set[str]:
        """Every tag of the registered checks."""
        found: set[str] = set()
        for registered in self._checks:
            if include_deploy or DEPLOY not in registered.tags:
                found |= registered.tags
        return found

    def selected(
        self, tags: t.Collection[str] = (), *, include_deploy: bool = False, include_database: bool = True
    ) -> list[RegisteredCheck]:
        """The checks that ``tags``, ``include_deploy`` and ``include_database`` select.

        Deploy checks are left out unless ``include_deploy`` is true or ``deploy``
        is one of ``tags``; database checks are left out when ``include_database``
        is false. With ``tags``, only checks carrying one of them run.
        """
        include_deploy = include_deploy or DEPLOY in tags
        chosen = []
        for registered in self._checks:
            if DEPLOY in registered.tags and not include_deploy:
                continue
            if DATABASE in registered.tags and not include_database:
                continue
            if tags and registered.tags.isdisjoint(tags):
                continue
            chosen.append(registered)
        return chosen

    def run(
        self,
        app: Flask,
        *,
        tags: t.Collection[str] = (),
        include_deploy: bool = False,
        include_database: bool = True,
        silenced: t.Collection[str] = (),
    ) -> CheckReport:
        """Run the selected checks against ``app``; silenced messages are counted, not returned."""
        report = CheckReport()
        for registered in self.selected(tags, include_deploy=include_deploy, include_database=include_database):
            for message in _call(registered, app):
                if message.is_silenced(silenced):
                    report.silenced += 1
                else:
                    report.messages.append(message)
        return report


def _call(registered: RegisteredCheck, app: Flask) -> list[CheckMessage]:
    result = registered.func(app)
    if result is None:
        return []
    if isinstance(result, CheckMessage) or not isinstance(result, cabc.Iterable):
        raise TypeError(
            f"The check {registered.label} returned {result!r}; a check must return an iterable "
            "(a list, or yield) of CheckMessage objects."
        )
    messages = list(result)
    for message in messages:
        if not isinstance(message, CheckMessage):
            raise TypeError(
                f"The check {registered.label} returned {message!r}, which is not a CheckMessage; "
                "return flaskkit.checks.Error(...), Warning(...) and so on."
            )
    return messages
