"""What a request gets when the session store cannot be reached (Redis stopped, the database gone).

* **Reading** the session fails with :class:`~flaskkit.services.ServiceUnavailable`:
  a 503 with ``Retry-After`` (as Django's cache-backed sessions fail, but never a
  500). For the rest of that request the session reads as empty and is never
  written, so the error page renders as for an anonymous visitor, and the
  user's cookie is kept: their session is still there once the store is back.
* **Saving** the session fails after the view has run. If the view committed a
  change (``flaskkit.services.saved_change()``, set by the orm plugin after a
  commit that wrote something), the answer must not hide that it happened: the
  response becomes a 503 that says **"Your change was saved"**, with a link to
  where the view was sending the user (its redirect). Keeping the redirect with
  the session unsaved would lose what the session carried (the flash message
  telling the user it worked, a login just made) and land the user on a page that
  needs the same session, hence a bare 503 that says nothing of the change; a 500
  would say the change failed. With nothing committed, the response is the plain
  503: the view's work stayed in the session, which was not saved.
"""

from __future__ import annotations

import typing as t

from flask import has_request_context
from flask import request

from flaskkit.services import ServiceUnavailable
from flaskkit.services import replace_response
from flaskkit.services import saved_change
from flaskkit.services import unavailable_response

if t.TYPE_CHECKING:
    from flask import Flask
    from werkzeug.wrappers import Response

__all__ = ["failed_save", "store_unavailable", "unavailable_in_request"]

#: ``request.environ`` key: the session store could not be reached in this request.
_UNAVAILABLE = "flaskkit.session.unavailable"


def store_unavailable() -> None:
    """Note that the store failed in this request: the session is empty and never saved from now on."""
    if has_request_context():
        request.environ[_UNAVAILABLE] = True


def unavailable_in_request() -> bool:
    """Whether the store failed earlier in this request (then nothing more is asked of it)."""
    return has_request_context() and bool(request.environ.get(_UNAVAILABLE))


def failed_save(app: Flask, response: Response, error: ServiceUnavailable) -> None:
    """Turn ``response`` (in place: Flask saves the session on the final response) into the 503 of a failed save."""
    store_unavailable()
    continue_url = response.location if 300 <= response.status_code < 400 else None
    page = error.after_commit(saved=saved_change(), continue_url=continue_url)
    replace_response(response, unavailable_response(page))
