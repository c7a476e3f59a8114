"""Counting requests in fixed windows with the cache's atomic ``add`` and ``incr``.

Used by the password reset and email change views (per client address, per
email address). One cache key per subject and window: the first request of a
window creates it with ``add`` (atomic: of two workers, one creates it), the
others ``incr`` it (atomic on Redis); it expires with its window. So concurrent
requests are all counted, across every worker that shares the cache.
"""

from __future__ import annotations

import hashlib
import math
import time
import typing as t
from dataclasses import dataclass

if t.TYPE_CHECKING:
    from flaskkit.plugins.cache import Cache

__all__ = ["RateLimit", "hit"]


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` requests per ``window`` seconds for each subject, counted under ``scope``."""

    scope: str
    limit: int
    window: int


def hit(cache: Cache, rule: RateLimit, subject: str, clock: t.Callable[[], float] = time.time) -> int | None:
    """Count one request of ``subject``; ``None`` when it is within the limit, else the seconds to wait."""
    now = clock()
    window_number = int(now // rule.window)
    digest = hashlib.sha256(subject.encode()).hexdigest()[:40]
    key = f"ratelimit:{rule.scope}:{digest}:{window_number}"
    window_end = (window_number + 1) * rule.window
    timeout = max(1, math.ceil(window_end - now))
    if cache.add(key, 1, timeout=timeout):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # the window's key expired between add() and incr()
            cache.add(key, 1, timeout=timeout)
            count = 1
    if count > rule.limit:
        return timeout
    return None
