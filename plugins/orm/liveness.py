"""A pooled PostgreSQL connection checked without a round trip when nothing says it died.

SQLAlchemy's ``pool_pre_ping`` runs ``SELECT 1`` on the server each time a connection
leaves the pool: once per request, a round trip that costs a tenth of a short request
on a local server (more across a network). What it guards against is a connection the
server closed while it sat in the pool (a restart, ``pg_terminate_backend``, an idle
timeout, a proxy that dropped it); in each of those the server sends its ``FATAL``
message and closes the socket, so the socket has something to read. This ``checkout``
listener (SQLAlchemy's documented "custom pessimistic" disconnect handling) asks the
socket first, with a zero-timeout ``poll``: a connection whose socket has nothing to
read and that sits idle is handed out as it is; any other (something came from the
server, an unfinished transaction, a closed connection) is pinged for real, and one that
fails is replaced: :class:`sqlalchemy.exc.DisconnectionError` makes the pool open a new
connection and try again, as ``pool_pre_ping`` does. A request never gets a connection
the server announced it closed.

Used for the ``psycopg`` driver unless the settings give ``pool_pre_ping`` themselves
(then SQLAlchemy's ping runs as they say). A host that vanished without closing the
socket (a cut cable) is not detected by either check before TCP gives up.
"""

from __future__ import annotations

import select
import typing as t

import sqlalchemy as sa

__all__ = ["checked_checkout", "wants_checked_checkout"]


def wants_checked_checkout(url: sa.URL, options: t.Mapping[str, t.Any]) -> bool:
    """Whether an engine on ``url``, made with ``options``, gets :func:`checked_checkout`."""
    return (
        url.get_backend_name() == "postgresql"
        and url.get_driver_name() == "psycopg"
        and ("pool_pre_ping" not in options)
    )


def checked_checkout(dbapi_connection: t.Any, connection_record: t.Any, connection_proxy: t.Any) -> None:
    """The pool's ``checkout`` listener: ping only a connection that may be dead (see the module)."""
    import psycopg

    if dbapi_connection.closed:
        raise sa.exc.DisconnectionError("The connection was closed.")
    try:
        quiet = dbapi_connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE and not _readable(
            dbapi_connection.pgconn.socket
        )
    except (psycopg.Error, OSError, ValueError) as exc:
        raise sa.exc.DisconnectionError(f"The connection's socket cannot be read: {exc}") from exc
    if quiet:
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT 1")
    except psycopg.OperationalError as exc:
        raise sa.exc.DisconnectionError(f"The server closed the connection: {exc}") from exc
    finally:
        cursor.close()


def _readable(fd: int) -> bool:
    poller = getattr(select, "poll", None)
    if poller is None:  # Windows: select() takes sockets there
        readable, _, _ = select.select([fd], [], [], 0)
        return bool(readable)
    watch = poller()
    watch.register(fd, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(watch.poll(0))
