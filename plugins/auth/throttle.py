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

A refused attempt raises :class:`LoginThrottled`, a 429 with ``Retry-After``,
from :func:`~flaskkit.plugins.auth.authenticate`, so every login path (the
login view, an API view of the app) is throttled.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import time
import typing as t
from dataclasses import dataclass

from flask import request
from werkzeug.exceptions import TooManyRequests

if t.TYPE_CHECKING:
    from flaskkit.plugins.cache import Cache

__all__ = ["LoginThrottle", "LoginThrottled", "ThrottleSettings", "client_address"]

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

    description = "Too many failed login attempts. Please try again later."

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


class LoginThrottle:
    """The failed-login counts of one app (the auth plugin makes one when throttling is on)."""

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

    def _subjects(self, username: str | None) -> list[tuple[str, str, int]]:
        """``(what, key, limit)`` for the username (if any) and the client address."""
        subjects = []
        if username:
            normalized = username.strip().casefold()
            subjects.append(
                (f"username {username!r}", f"auth:throttle:user:{_digest(normalized)}", self.settings.username_limit)
            )
        address = client_address()
        subjects.append((f"address {address}", f"auth:throttle:addr:{_digest(address)}", self.settings.address_limit))
        return subjects

    def check(self, username: str | None) -> None:
        """Raise :class:`LoginThrottled` if an attempt for ``username`` from this client must wait."""
        subjects = self._subjects(username)
        values = self.cache.get_many([f"{key}:until" for _, key, _ in subjects])
        now = self.clock()
        waits = [entry for entry in values.values() if isinstance(entry, list | tuple) and entry[0] > now]
        if waits:
            until, locked = max(waits)
            raise LoginThrottled(retry_after=max(1, math.ceil(until - now)), locked=bool(locked))

    def failed(self, username: str | None) -> None:
        """Count a failed login for ``username`` and the client address."""
        settings = self.settings
        now = self.clock()
        for what, key, limit in self._subjects(username):
            count = self._increment(f"{key}:count")
            if count >= limit:
                wait, locked = float(settings.lockout), True
                logger.warning(
                    "Login throttled: %s failed %d times; refused for %d seconds.", what, count, settings.lockout
                )
            elif count >= settings.slowdown_after:
                wait, locked = float(min(2 ** (count - settings.slowdown_after), settings.lockout)), False
            else:
                continue
            self.cache.set(f"{key}:until", (now + wait, locked), timeout=max(1, math.ceil(wait)))

    def succeeded(self, username: str | None) -> None:
        """A successful login: forget the failures of ``username`` (not those of the address)."""
        if username:
            key = self._subjects(username)[0][1]
            self.cache.delete_many([f"{key}:count", f"{key}:until"])

    def _increment(self, key: str) -> int:
        cache = self.cache
        cache.add(key, 0, timeout=self.settings.window)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=self.settings.window)
            return 1
