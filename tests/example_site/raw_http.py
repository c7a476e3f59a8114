"""Bad HTTP at the framing level, as bytes on a socket: what only a real server sees.

Broken chunked encodings, a ``Content-Length`` that lies, both framing headers at once,
malformed request lines and headers. :func:`framing_requests` makes them from a seed;
:func:`exchange` sends one to a server on 127.0.0.1 and reads the status of its answer.
"""

from __future__ import annotations

import random
import re
import socket
import time
from dataclasses import dataclass

#: Seconds a server may take to answer one request (it never needs more than a fraction of it).
ANSWER_TIMEOUT = 10.0

#: The forms anyone may post to: their CSRF check reads the body first.
FORM_PATHS = ["/accounts/login/", "/accounts/register/", "/accounts/password_reset/", "/notes/new/"]


@dataclass
class RawRequest:
    family: str
    data: bytes
    #: Close the writing side after sending: the client sends nothing more, so a server waiting for the
    #: rest of a body (a chunked one without its last chunk, a Content-Length too long) sees it end.
    half_close: bool = True

    def describe(self) -> str:
        shown = self.data[:300] + (b"..." if len(self.data) > 300 else b"")
        return f"[{self.family}] {shown!r}"


def _head(method: str, path: str, headers: list[tuple[str, str]]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", *(f"{k}: {v}" for k, v in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _form_body(rnd: random.Random) -> bytes:
    return rnd.choice([b"username=ada&password=x", b"title=a%00b&body=x", b"csrf_token=zzz&a=" + b"x" * 300])


def framing_requests(seed: int, per_family: int) -> list[RawRequest]:
    """``per_family`` requests of each framing family, in a seeded order."""
    rnd = random.Random(seed)
    requests: list[RawRequest] = []
    urlencoded = ("Content-Type", "application/x-www-form-urlencoded")
    chunked = ("Transfer-Encoding", "chunked")
    for _ in range(per_family):
        path = rnd.choice(FORM_PATHS)
        body = _form_body(rnd)
        good_chunk = f"{len(body):x}\r\n".encode() + body + b"\r\n"
        head = _head("POST", path, [urlencoded, chunked])
        bad_chunks = [
            b"zz\r\n" + body + b"\r\n0\r\n\r\n",  # not a hex size
            b"-5\r\n" + body + b"\r\n0\r\n\r\n",  # negative
            f"{len(body) + 7:x}\r\n".encode() + body + b"\r\n0\r\n\r\n",  # longer than the data
            f"{len(body):x}\r\n".encode() + body + b"XX0\r\n\r\n",  # no CRLF after the data
            f"{len(body):x};\x01=\x02\r\n".encode() + body + b"\r\n0\r\n\r\n",  # garbage extension
            f"{len(body):x} ; a=b\r\n".encode() + body + b"\r\n0\r\n\r\n",  # spaced extension
            b"ffffffffffffffffffffffff\r\n" + body,  # an absurd size
            good_chunk + b"0\r\nX-Trailer\r\n\r\n",  # a malformed trailer
            good_chunk + good_chunk,  # no last chunk (the client stops)
            b"\r\n\r\n",  # an empty size line
            f"{len(body):x}\n".encode() + body + b"\n0\n\n",  # bare LF
        ]
        chunk = rnd.randrange(len(bad_chunks))
        requests.append(RawRequest("chunked", head + bad_chunks[chunk]))
        declared = rnd.choice([len(body) + rnd.randint(1, 500), 10**6])
        requests.append(
            RawRequest(
                "content-length-longer",
                _head("POST", path, [urlencoded, ("Content-Length", str(declared))]) + body,
            )
        )
        requests.append(
            RawRequest(
                "content-length-shorter",
                _head("POST", path, [urlencoded, ("Content-Length", str(rnd.randint(0, len(body) - 1)))])
                + body
                + rnd.choice([b"GARBAGE\r\n\r\n", b"\x00\xff" * 20, b"GET / HTTP/1.1\r\n\r\n"]),
            )
        )
        requests.append(
            RawRequest(
                "content-length-odd",
                _head(
                    "POST",
                    path,
                    [urlencoded, *rnd.choice([[("Content-Length", v)] for v in ("-1", "abc", "1e3", "0x10", "")])],
                )
                + body,
            )
        )
        requests.append(
            RawRequest(
                "both-framings",
                _head("POST", path, [urlencoded, chunked, ("Content-Length", str(len(body)))])
                + good_chunk
                + b"0\r\n\r\n",
            )
        )
        requests.append(
            RawRequest(
                "two-lengths",
                _head("POST", path, [urlencoded, ("Content-Length", str(len(body))), ("Content-Length", "3")]) + body,
            )
        )
        bad_lines = [
            b"GARBAGE\r\n\r\n",
            b"GET\r\n\r\n",
            b"GET /%00 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
            b"GET /\x00 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
            b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nNo-Colon-Here\r\nConnection: close\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Nul: a\x00b\r\nConnection: close\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Folded: a\r\n b\r\nConnection: close\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"b" * 100_000 + b"\r\nConnection: close\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Many: 1\r\n" * 300 + b"Connection: close\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: \xff\xfe\r\nConnection: close\r\n\r\n",
            b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + bytes(range(32)),  # a TLS ClientHello
            b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
            b"Content-Length: 20\r\nConnection: close\r\n\r\n",
        ]
        line = rnd.randrange(len(bad_lines))
        requests.append(RawRequest("request-line-and-headers", bad_lines[line]))
    rnd.shuffle(requests)
    return requests


class NoAnswerInTime(AssertionError):
    """The server kept the connection open without answering."""


def exchange(port: int, request: RawRequest) -> int | None:
    """Send ``request`` to 127.0.0.1:``port``; the status of the answer, or None if the server closed
    the connection without one (:class:`NoAnswerInTime` if it did neither in time)."""
    with socket.create_connection(("127.0.0.1", port), timeout=ANSWER_TIMEOUT) as sock:
        try:
            sock.sendall(request.data)
            if request.half_close:
                sock.shutdown(socket.SHUT_WR)
        except OSError:  # EPIPE, ECONNRESET, ENOTCONN: the server answered and closed before reading it all
            pass  # read what it said
        received = b""
        deadline = time.monotonic() + ANSWER_TIMEOUT
        while b"\r\n" not in received and time.monotonic() < deadline:
            try:
                data = sock.recv(65536)
            except ConnectionResetError:
                break
            except TimeoutError:
                raise NoAnswerInTime(f"no answer within {ANSWER_TIMEOUT} s to {request.describe()}") from None
            if not data:
                break
            received += data
    if not received:
        return None
    old_style = re.search(rb"<p>Error code: (\d{3})</p>", received)
    if not received.startswith(b"HTTP/") and old_style:
        return int(old_style.group(1))  # http.server answers an HTTP/0.9-looking request with a bare page
    status_line = received.split(b"\r\n", 1)[0].split()
    if len(status_line) < 2 or not status_line[0].startswith(b"HTTP/") or not status_line[1].isdigit():
        raise AssertionError(f"not an HTTP answer: {received[:200]!r}")
    return int(status_line[1])
