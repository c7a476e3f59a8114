"""Throttling failed logins, which Django lacks: per username and per client address, in the cache.

Each failed login counts against the username tried and against the client's
address (an IPv6 address counts for its /64 network). The counts live in one
of the cache plugin's aliases (``AUTH_THROTTLE_CACHE``), so every worker of
the site sees the same ones when that cache is shared (Redis):

* from the ``AUTH_THROTTLE_SLOWDOWN_AFTER``-th failure on, the next attempt must
  wait 1, 2, 4... seconds: an attempt made sooner is refused (429), without
  checking the password; people retyping a password never notice, scripts do;
* at ``AUTH_THROTTLE_USERNAME_LIMIT`` failures for one username (or
  ``AUTH_THROTTLE_ADDRESS_LIMIT`` from one address) within
  ``AUTH_THROTTLE_WINDOW`` seconds, attempts are refused for
  ``AUTH_THROTTLE_LOCKOUT`` seconds;
* a successful login clears its username's count (never the address's: an
  attacker with an account of their own could otherwise reset it);
* while the cache cannot be reached, a login is refused with a 503
  (``AUTH_THROTTLE_FAIL_OPEN = True`` lets it through, uncounted).

An attempt is counted *before* its password is checked, atomically (the
cache's ``add`` and ``incr``; ``SET NX EX`` and ``INCRBY`` on Redis), and one
past the limit is refused without a check: however many guesses arrive at
the same moment, in how many threads or workers, at most the limit's number
of passwords are checked. (Counting after the check, as this module once
did, let 12 simultaneous guesses all be checked against a limit of 5.) A
successful attempt is then taken back from the address's count.

A refused attempt raises :class:`LoginThrottled`, a 429 with ``Retry-After``,
from :func:`~flaskkit.plugins.auth.authenticate`, so every login path (the
login view, an API view of the app) is throttled.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import logging
import math
import time
import typing as t
import unicodedata
from dataclasses import dataclass

from flask import request
from werkzeug.exceptions import TooManyRequests

from flaskkit.translation import gettext_lazy

if t.TYPE_CHECKING:
    from flaskkit.plugins.cache import Cache

__all__ = ["Attempt", "LoginThrottle", "LoginThrottled", "ThrottleSettings", "client_address"]

logger = logging.getLogger("flaskkit.auth")


@dataclass(frozen=True)
class ThrottleSettings:
    """The ``AUTH_THROTTLE_*`` settings of one app, validated."""

    #: The alias of ``CACHES`` that keeps the counts.
    cache_alias: str
    #: Failures for one username before it is locked.
    username_limit: int
    #: Failures from one client address before it is locked.
    address_limit: int
    #: Seconds over which failures are counted.
    window: int
    #: Seconds a locked username or address is refused.
    lockout: int
    #: Failures after which each attempt must wait (1, 2, 4... seconds) for the next one.
    slowdown_after: int
    #: While the cache cannot be reached: let logins through uncounted (True) or refuse them with a 503 (False).
    fail_open: bool = False


class LoginThrottled(TooManyRequests):
    """Too many failed logins: a **429** with ``Retry-After`` (rendered from ``auth/throttled.html``)."""

    description = gettext_lazy("Too many failed login attempts. Please try again later.")  # type: ignore[assignment]

    def __init__(self, retry_after: int, locked: bool) -> None:
        super().__init__(retry_after=retry_after)
        #: Seconds until the next attempt is accepted.
        self.seconds = retry_after
        #: True for a lockout (the limit was reached), False while attempts are only slowed down.
        self.locked = locked


def client_address() -> str:
    """The request's client address (``remote_addr``, which ``PROXY_FIX`` corrects behind a proxy);
    an IPv6 address is reduced to its /64 network, what one machine usually has."""
    address = request.remote_addr or "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is 192.0.2.1
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _digest(value: str) -> str:
    # Keys of a fixed shape (no spaces, no ":" of IPv6, no length limit to hit), and no usernames in the cache.
    return hashlib.sha256(value.encode()).hexdigest()[:40]


class _Subject(t.NamedTuple):
    """What one attempt counts against: the username tried, or the client's address."""

    #: For the log: ``username 'ada'``, ``address 192.0.2.1``.
    what: str
    #: The cache key of the count; the record of the current wait is ``<key>:until``.
    key: str
    limit: int
    #: True for the username: a successful login forgets its failures.
    is_username: bool = False

    @property
    def count_key(self) -> str:
        return f"{self.key}:count"

    @property
    def until_key(self) -> str:
        return f"{self.key}:until"


class Attempt:
    """A login attempt that :meth:`LoginThrottle.begin` let through and counted.

    Settle it once: :meth:`failed` (the password was wrong), :meth:`succeeded`,
    or :meth:`cancel` (the check did not happen, e.g. a backend raised).
    """

    def __init__(self, throttle: LoginThrottle, counted: list[tuple[_Subject, int]]) -> None:
        self._throttle = throttle
        #: ``(subject, n)``: this attempt is the n-th in the subject's count.
        self.counted = counted

    def failed(self) -> None:
        """The password was wrong: the attempt stays counted, and may slow down or lock its subjects."""
        self._throttle._failed(self.counted)
        self.counted = []

    def succeeded(self) -> None:
        """The login succeeded: the username's count is forgotten, the address's gets its attempt back."""
        self._throttle._succeeded(self.counted)
        self.counted = []

    def cancel(self) -> None:
        """No password was checked after all: give the attempt back to every subject."""
        self._throttle._give_back(self.counted)
        self.counted = []


class LoginThrottle:
    """The failed-login counts of one app (the auth plugin makes one when throttling is on).

    An attempt is counted *before* its password is checked, with the cache's
    atomic ``add``/``incr`` (Redis ``SET NX EX`` and ``INCRBY``): the n-th
    attempt for a username knows it is the n-th, whatever runs at the same
    time in other threads or workers, and past the limit it is refused
    without a password check. So N simultaneous guesses check at most
    ``AUTH_THROTTLE_USERNAME_LIMIT`` passwords (and ``AUTH_THROTTLE_ADDRESS_LIMIT``
    per address), not N. A success gives its attempt back.
    """

    def __init__(self, settings: ThrottleSettings, clock: t.Callable[[], float] = time.time) -> None:
        self.settings = settings
        #: The time source (seconds); tests replace it to move time forward.
        self.clock = clock

    @property
    def cache(self) -> Cache:
        """The cache alias ``AUTH_THROTTLE_CACHE`` of the current app.

        While its server cannot be reached, logins are refused with a 503 (fail closed: a throttle that
        cannot count lets passwords be guessed), unless ``AUTH_THROTTLE_FAIL_OPEN``: then they go through
        uncounted. Either way the outage is logged once.
        """
        from flaskkit.plugins.cache import caches

        cache = caches[self.settings.cache_alias]
        return cache if self.settings.fail_open else cache.strict

    def _subjects(self, username: str | None) -> list[_Subject]:
        """The username (if any) and the client address."""
        subjects = []
        if username:
            subjects.append(
                _Subject(
                    f"username {username!r}",
                    f"auth:throttle:user:{_digest(normalize(username))}",
                    self.settings.username_limit,
                    is_username=True,
                )
            )
        address = client_address()
        subjects.append(
            _Subject(f"address {address}", f"auth:throttle:addr:{_digest(address)}", self.settings.address_limit)
        )
        return subjects

    def begin(self, username: str | None) -> Attempt:
        """Count an attempt for ``username`` from this client, before its password is checked.

        Raises :class:`LoginThrottled` (nothing counted) while the username or
        the address must wait or is locked, and when this attempt is past the
        limit of either.
        """
        cache = self.cache
        subjects = self._subjects(username)
        records = cache.get_many([subject.until_key for subject in subjects])
        now = self.clock()  # after the read: a record written by another worker meanwhile is not in the future
        waits = []
        for subject in subjects:
            record = records.get(subject.until_key)
            if not _is_record(record):
                continue
            until, locked = record
            if until > now:
                waits.append((until, locked))
            elif locked and cache.delete(subject.until_key):
                # The lockout is over (the cache may keep its record a moment longer): the first
                # attempt to see that ends it, and the subject's count starts again from zero.
                cache.delete(subject.count_key)
        if waits:
            until, locked = max(waits)
            raise LoginThrottled(retry_after=self._seconds(until - now), locked=bool(locked))
        counted: list[tuple[_Subject, int]] = []
        try:
            for subject in subjects:
                n = self._increment(subject.count_key)
                if n > subject.limit:
                    # Past the limit (the attempts before it may still be running): refused
                    # without a password check. Its count stays; it ends with the lockout.
                    self._give_back(counted)
                    counted = []
                    raise LoginThrottled(retry_after=self._lock_remaining(subject), locked=True)
                counted.append((subject, n))
        except LoginThrottled:
            raise
        except BaseException:
            self._give_back(counted)
            raise
        return Attempt(self, counted)

    def _lock_remaining(self, subject: _Subject) -> int:
        record = self.cache.get(subject.until_key)
        now = self.clock()
        if _is_record(record) and record[0] > now:
            return self._seconds(record[0] - now)
        return self.settings.lockout  # the attempt that reaches the limit has not failed yet

    def _seconds(self, remaining: float) -> int:
        # Whole seconds, at least 1; never more than a lockout (the workers' clocks may differ a little).
        return min(max(1, math.ceil(remaining)), self.settings.lockout)

    def _failed(self, counted: list[tuple[_Subject, int]]) -> None:
        settings = self.settings
        cache = self.cache
        now = self.clock()
        for subject, n in counted:
            if n >= subject.limit:
                wait, locked = float(settings.lockout), True
                logger.warning(
                    "Login throttled: %s failed %d times; refused for %d seconds.", subject.what, n, settings.lockout
                )
                # The count lives as long as the lockout, and both end together.
                cache.touch(subject.count_key, timeout=settings.lockout)
            elif n >= settings.slowdown_after:
                wait, locked = float(min(2 ** (n - settings.slowdown_after), settings.lockout)), False
                current = cache.get(subject.until_key)
                if _is_record(current) and current[1] and current[0] > now:
                    continue  # a lockout set meanwhile (by a later attempt that failed first) stays
            else:
                continue
            cache.set(subject.until_key, (now + wait, locked), timeout=max(1, math.ceil(wait)))

    def _succeeded(self, counted: list[tuple[_Subject, int]]) -> None:
        # A successful login clears its username's failures (never the address's: an attacker
        # with an account of their own could otherwise reset it); the address gets this attempt back.
        cache = self.cache
        for subject, _ in counted:
            if subject.is_username:
                cache.delete_many([subject.count_key, subject.until_key])
            else:
                self._give_back([(subject, 0)])

    def _give_back(self, counted: list[tuple[_Subject, int]]) -> None:
        for subject, _ in counted:
            with contextlib.suppress(ValueError):  # expired meanwhile: nothing to give back
                self.cache.decr(subject.count_key)

    def _increment(self, key: str) -> int:
        """Add 1 to the count at ``key`` (created for ``AUTH_THROTTLE_WINDOW`` seconds), atomically."""
        cache = self.cache
        window = self.settings.window
        for _ in range(3):
            if cache.add(key, 1, timeout=window):
                return 1
            try:
                return cache.incr(key)
            except ValueError:  # it expired between add() and incr(): add it again
                continue
        cache.set(key, 1, timeout=window)
        return 1


def normalize(username: str) -> str:
    """The form of a username its count is kept under: NFKC, without surrounding spaces or case,
    so that ``Ada``, `` ada `` and the full-width ``ａｄａ`` are one username, as at login."""  # noqa: RUF002
    return unicodedata.normalize("NFKC", username).strip().casefold()


def _is_record(value: object) -> t.TypeGuard[tuple[float, bool]]:
    return isinstance(value, list | tuple) and len(value) == 2 and isinstance(value[0], int | float)
