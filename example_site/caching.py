"""The public pages' cache, and the receivers that clear it when a note changes.

The public lists and note pages are cached whole with the cache plugin's ``cache_page``
(Django's rules: GET only, keyed on the URL and on the ``Cookie`` header, 200s only),
in their own alias of ``CACHES``, ``"pages"``. The pages are cached for **anonymous**
visitors only (the traffic a cache is for; Django had ``CACHE_MIDDLEWARE_ANONYMOUS_ONLY``
for this): a logged-in user's page holds their name, their CSRF token and one-time
flash messages, which a cached copy would replay.

When a note is saved or deleted, the post-commit model signals of the signals plugin
clear the alias: the next visitor gets fresh pages at once, and never after a change
that was rolled back. A browser may still keep a page it got for the page's
``max-age`` (the alias's ``TIMEOUT``, 60 seconds), as with Django's ``cache_page``.
"""

from __future__ import annotations

import functools
import typing as t

from flaskkit.plugins.auth import current_user
from flaskkit.plugins.cache import cache_page
from flaskkit.plugins.cache import caches
from flaskkit.plugins.signals import post_commit_delete
from flaskkit.plugins.signals import post_commit_save
from flaskkit.plugins.signals import receiver

from .models import Note

__all__ = ["PAGES_CACHE", "RECEIVERS_UID", "cache_public_page", "clear_cached_pages", "connect_receivers"]

#: The alias of ``CACHES`` that holds the cached pages.
PAGES_CACHE = "pages"
#: The ``dispatch_uid`` of the receivers.
RECEIVERS_UID = "example_site.clear_cached_pages"

F = t.TypeVar("F", bound=t.Callable[..., t.Any])


def cache_public_page(view: F) -> F:
    """``cache_page`` (the ``pages`` alias's ``TIMEOUT``) for anonymous visitors; logged-in users get the view."""
    cached_view = cache_page(None, cache=PAGES_CACHE)(view)

    @functools.wraps(cached_view)  # keeps cache_page's mark, which the check cache.E002 reads
    def public_page(*args: t.Any, **kwargs: t.Any) -> t.Any:
        if current_user.is_authenticated:
            return view(*args, **kwargs)
        return cached_view(*args, **kwargs)

    return t.cast(F, public_page)


def clear_cached_pages(sender: type[Note], instance: Note, **kwargs: t.Any) -> None:
    """A note was saved or deleted, and that is committed: drop every cached page."""
    caches[PAGES_CACHE].clear()


def connect_receivers() -> None:
    """Connect :func:`clear_cached_pages` to the post-commit signals of ``Note`` (``NotesPlugin.ready``).

    Receivers are process-wide, as in Django; under :data:`RECEIVERS_UID` a second call
    (a second app in the process) connects nothing more.
    """
    receiver([post_commit_save, post_commit_delete], sender=Note, dispatch_uid=RECEIVERS_UID)(clear_cached_pages)
