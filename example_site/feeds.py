"""The site's feeds: the newest notes, in RSS 2.0 and in Atom 1.0 (the syndication plugin's ``Feed``).

The layout links them (``<link rel="alternate">``) so that browsers and feed readers find
them from any page. A note's title and body are the user's text: the title is plain text
in the feed and the body is escaped into the description's HTML, so a note titled
``<script>`` is shown as those characters by every reader.
"""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from flask import url_for
from markupsafe import Markup

from flaskkit.plugins.syndication import Atom1Feed
from flaskkit.plugins.syndication import Feed

from .models import Note

if t.TYPE_CHECKING:
    import datetime as dt

__all__ = ["FEED_DESCRIPTION", "FEED_NOTES", "FEED_TITLE", "LatestNotesAtomFeed", "LatestNotesFeed"]

#: How many notes a feed holds.
FEED_NOTES = 20
#: What a feed reader shows as the feed's name and description (one place, for translation).
FEED_TITLE = "flaskkit notes"
FEED_DESCRIPTION = "The newest notes on the board."


class LatestNotesFeed(Feed):
    """The newest notes, newest first (RSS 2.0, at ``/feed/``)."""

    title = FEED_TITLE
    description = FEED_DESCRIPTION

    def link(self) -> str:
        return url_for("notes.list")

    def items(self) -> sa.Select[tuple[Note]]:
        # One query: the author is joined (Note.author is lazy="joined").
        return sa.select(Note).order_by(Note.created_at.desc(), Note.id.desc()).limit(FEED_NOTES)

    def item_title(self, note: Note) -> str:
        return note.title

    def item_description(self, note: Note) -> Markup:
        # Markup.join and format escape the user's text; the line breaks become <br>.
        return Markup("<p>{}</p>").format(Markup("<br>\n").join(note.body.splitlines()))

    def item_author_name(self, note: Note) -> str:
        return note.author.get_username()

    def item_pubdate(self, note: Note) -> dt.datetime:
        return note.created_at

    def item_updateddate(self, note: Note) -> dt.datetime:
        return note.updated_at


class LatestNotesAtomFeed(LatestNotesFeed):
    """The same notes in Atom 1.0 (at ``/feed/atom/``)."""

    feed_type = Atom1Feed
    subtitle = FEED_DESCRIPTION
