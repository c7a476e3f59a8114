"""``lazy_url_for``: a URL built when it is used, for class attributes (Django's ``reverse_lazy``)."""

from __future__ import annotations

import typing as t

from flask import url_for

__all__ = ["LazyURL", "lazy_url_for"]


class LazyURL:
    """``url_for(endpoint, **values)``, called each time the URL is turned into a string."""

    def __init__(self, endpoint: str, values: dict[str, t.Any]) -> None:
        self.endpoint = endpoint
        self.values = values

    def __str__(self) -> str:
        return url_for(self.endpoint, **self.values)

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        shown = "".join(f", {k}={v!r}" for k, v in self.values.items())
        return f"lazy_url_for({self.endpoint!r}{shown})"


def lazy_url_for(endpoint: str, **values: t.Any) -> LazyURL:
    """A URL for a class attribute, built at request time (``url_for`` needs an app)::

        class PostDelete(DeleteView):
            model = Post
            success_url = lazy_url_for("post_list")

    Works wherever the views take a URL: ``success_url``, ``RedirectView.url``.
    """
    return LazyURL(endpoint, values)
