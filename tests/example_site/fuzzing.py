"""A seeded generator of bad HTTP requests for the example site, and the check that every answer is clean.

Each :class:`FuzzRequest` belongs to one family (odd paths, query strings, methods, headers,
cookies, urlencoded, multipart, JSON and raw bodies) and is replayed in-process through
Flask's test client (:func:`send_in_process`). ``tests/example_site/test_fuzz.py`` runs a few
thousand of them, and the framing-level ones (:mod:`.raw_http`) against a real server.

A request marked ``auth`` carries the session of a logged-in user and a valid CSRF token
where its family puts one (``__CSRF__`` in a body is replaced by it), so that the bad input
reaches the forms and views behind the login and the CSRF check, not only the check itself.
"""

from __future__ import annotations

import json
import random
import typing as t
from dataclasses import dataclass
from dataclasses import field

#: Replaced, in a body, by the valid CSRF token of the logged-in client.
CSRF_PLACEHOLDER = b"__CSRF__"

FAMILIES = ("path", "query", "method", "header", "cookie", "urlencoded", "multipart", "json", "raw")


@dataclass
class FuzzRequest:
    family: str
    method: str
    #: The path as it goes on the request line: percent-encoded, maybe with odd escapes.
    path: str
    #: The query string as sent (no ``?``), maybe with odd escapes.
    query: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    #: Cookies sent instead of the logged-in client's (``None``: the client's, when ``auth``).
    cookies: dict[str, str] | None = None
    body: bytes = b""
    content_type: str | None = None
    #: Send the logged-in user's cookies (and the CSRF token where the body or headers ask for it).
    auth: bool = False
    #: ``"header"``: the valid token goes in ``X-CSRFToken``; ``"none"``: no token at all.
    csrf: str = "none"

    def describe(self) -> str:
        body = self.body[:120] + (b"..." if len(self.body) > 120 else b"")
        query = f"?{self.query}" if self.query else ""
        return (
            f"[{self.family}] {self.method} {self.path}{query} auth={self.auth} csrf={self.csrf} "
            f"content_type={self.content_type!r} headers={self.headers[:4]!r} cookies={self.cookies!r} body={body!r}"
        )


#: The site's forms: path template, whether it needs a logged-in user, its fields.
FORMS: list[tuple[str, bool, tuple[str, ...]]] = [
    ("/accounts/login/", False, ("username", "password", "next")),
    ("/accounts/register/", False, ("username", "password1", "password2")),
    ("/accounts/password_reset/", False, ("email",)),
    ("/accounts/reset/{uid}/{token}/", False, ("new_password1", "new_password2")),
    ("/notes/new/", True, ("title", "body")),
    ("/notes/{note}/edit/", True, ("title", "body")),
    ("/notes/{note}/delete/", True, ()),
    ("/accounts/password_change/", True, ("old_password", "new_password1", "new_password2")),
    ("/accounts/email_change/", True, ("email", "password")),
    ("/accounts/email_change/confirm/{token}/", True, ()),
    ("/admin/example_site/note/add/", True, ("title", "body", "author")),
    ("/admin/example_site/note/{note}/change/", True, ("title", "body", "author")),
    ("/admin/example_site/note/{note}/delete/", True, ()),
    ("/admin/example_site/note/action/", True, ("action", "_selected_action")),
    ("/admin/auth/user/add/", True, ("username", "password1", "password2")),
]

PAGES = [
    "/",
    "/notes/mine/",
    "/notes/{note}/",
    "/notes/new/",
    "/notes/{note}/edit/",
    "/notes/{note}/delete/",
    "/accounts/login/",
    "/accounts/register/",
    "/accounts/logout/",
    "/accounts/password_change/",
    "/accounts/password_change/done/",
    "/accounts/password_reset/",
    "/accounts/password_reset/done/",
    "/accounts/reset/{uid}/{token}/",
    "/accounts/reset/done/",
    "/accounts/email_change/",
    "/accounts/email_change/confirm/{token}/",
    "/static/site.css",
    "/_flaskkit/messages/messages.css",
    "/admin/",
    "/admin/login/",
    "/admin/example_site/",
    "/admin/example_site/note/",
    "/admin/example_site/note/{note}/",
    "/admin/example_site/note/{note}/change/",
    "/admin/example_site/note/{note}/history/",
    "/admin/example_site/note/export/{token}/",
    "/admin/auth/user/",
    "/feed/",
    "/feed/atom/",
    "/sitemap.xml",
    "/sitemap-{token}.xml",
    "/robots.txt",
]

#: Path segments and values that have broken web apps: escapes, overflows, traversal, encodings.
ODD_SEGMENTS = [
    "%00",
    "a%00b",
    "%ff%fe",
    "%c0%af",
    "%ed%a0%80",
    "%zz",
    "%",
    "..%2f..%2fetc%2fpasswd",
    "..",
    "%2e%2e",
    "-1",
    "0",
    "00001",
    "99999999999999999999",
    "9223372036854775808",
    "2147483648",
    "1e9",
    "NaN",
    "%20",
    "%0d%0aSet-Cookie:%20x=1",
    "%e2%80%ae",
    "%f0%9f%92%a9",
    "x" * 3000,
    "%3Cscript%3E",
    "'%20OR%201=1--",
    "MQ",
    "MQ==",
    "!!!!",
    "set-password",
]

#: Form values, as urlencoded bytes (escapes included) and as text for multipart and JSON.
ODD_VALUES: list[bytes] = [
    b"",
    b"a",
    b"%00",
    b"a%00b",
    b"%ff%fe",
    b"%zz%",
    b"%",
    b"+++",
    b"%ed%a0%80",
    b"%c3%a9t%c3%a9",
    b"x" * 5000,
    b"%3Cscript%3Ealert(1)%3C/script%3E",
    b"'%20OR%201=1%20--",
    b"99999999999999999999",
    b"-1",
    b"1e308",
    b"NaN",
    b"%0d%0a",
    b"%09tab",
    b"https://evil.example/",
    b"//evil.example",
    b"/\\evil.example",
    b"javascript:alert(1)",
    b"a@b",
    b"%40",
    b"correct-horse-battery",
]

ODD_TEXT = [
    "",
    "\x00",
    "a\x00b",
    "é" * 10,
    "\u202e",
    "\U0001f4a9",
    "x" * 5000,
    "<b>bold</b>",
    "99999999999999999999",
    "\r\n",
    "a\tb",
    "ok",
]

ODD_HEADERS: list[tuple[str, str]] = [
    ("Host", "evil.example"),
    ("Host", ""),
    ("Host", "127.0.0.1:99999"),
    ("Host", "[::1"),
    ("Host", "a" * 300),
    ("Accept", "*/*;q=abc"),
    ("Accept", "application/json"),
    ("Accept", "text/html;q=0, application/json;q=0"),
    ("Accept-Language", "xx-YY;q=2, *;q=-1"),
    ("Accept-Encoding", "gzip;q=x, br, " + "a," * 200),
    ("Content-Type", "multipart/form-data"),
    ("Content-Type", "multipart/form-data; boundary="),
    ("Content-Type", "application/x-www-form-urlencoded; charset=utf-99"),
    ("Content-Type", "application/json; charset=latin-1"),
    ("Content-Type", "%%%"),
    ("Content-Length", "-1"),
    ("Content-Length", "abc"),
    ("Content-Length", "99999999999999999999"),
    ("Origin", "null"),
    ("Origin", "http://evil.example"),
    ("Origin", "http://[::1"),
    ("Origin", "%00"),
    ("Referer", "http://[::1"),
    ("Referer", "not a url"),
    ("X-Forwarded-For", "not-an-ip, , 999.1.1.1"),
    ("X-Forwarded-Proto", "gopher"),
    ("X-Forwarded-Host", "evil.example"),
    ("If-Modified-Since", "yesterday"),
    ("If-None-Match", '"' * 50),
    ("Range", "bytes=9-1,abc"),
    ("Authorization", "Basic %%%"),
    ("X-CSRFToken", "garbage"),
    ("X-CSRFToken", "\x7f" * 64),
    ("X-Requested-With", "XMLHttpRequest"),
    ("User-Agent", "\x01\x02" + "z" * 4000),
    ("Cookie", "=;;;=x; sessionid"),
    ("Expect", "100-continue"),
    ("Transfer-Encoding", "gzip"),
]

GARBAGE_COOKIE_VALUES = [
    "",
    "x",
    "../../etc/passwd",
    "a" * 5000,
    '"quoted\\"',
    "\x00",
    "%00",
    "é",
    "0" * 32,
    "f" * 64,
    "None",
    "eyJ4IjoxfQ.garbage.sig",
    "session:other-app",
    "*",
    "?[]{}",
]

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND", "get", "FOO", "G\tT"]


class Generator:
    """Bad requests, reproducible from ``seed``.

    ``notes`` are ids of notes the logged-in user wrote (a few requests change or delete them),
    ``token`` a password-reset or email-change token shape to imitate.
    """

    def __init__(self, seed: int, notes: t.Sequence[int]) -> None:
        self.random = random.Random(seed)
        self.notes = list(notes)

    def __iter__(self) -> t.Iterator[FuzzRequest]:
        while True:
            family = self.random.choice(FAMILIES)
            yield getattr(self, f"_{family}")()

    def take(self, count: int) -> list[FuzzRequest]:
        iterator = iter(self)
        return [next(iterator) for _ in range(count)]

    # -- pieces ------------------------------------------------------------------------------

    def _fill(self, template: str, odd: bool = False) -> str:
        rnd = self.random
        note = rnd.choice(ODD_SEGMENTS) if odd and rnd.random() < 0.5 else str(rnd.choice([*self.notes, 999999]))
        return template.format(
            note=note,
            uid=rnd.choice([*ODD_SEGMENTS, "MQ", "Mg"]),
            token=rnd.choice([*ODD_SEGMENTS, "set-password", "c5v2g1-" + "a" * 32]),
        )

    def _value(self) -> bytes:
        return self.random.choice(ODD_VALUES)

    def _text(self) -> str:
        return self.random.choice(ODD_TEXT)

    def _form(self) -> tuple[str, bool, tuple[str, ...]]:
        template, auth, fields = self.random.choice(FORMS)
        return self._fill(template, odd=self.random.random() < 0.2), auth, fields

    def _csrf_mode(self) -> str:
        return self.random.choices(["body", "header", "none", "garbage"], weights=[6, 2, 1, 1])[0]

    # -- families --------------------------------------------------------------------------------

    def _path(self) -> FuzzRequest:
        rnd = self.random
        template = rnd.choice(PAGES)
        path = self._fill(template, odd=True)
        if rnd.random() < 0.5:
            segments = path.strip("/").split("/")
            segments[rnd.randrange(len(segments))] = rnd.choice(ODD_SEGMENTS)
            path = "/" + "/".join(segments) + rnd.choice(["/", "", "//", "/%00"])
        if rnd.random() < 0.1:
            path = rnd.choice(["//", "/" + "a/" * 500, "/static/..%2f__init__.py", "/static/%00", "/%2e%2e/"])
        return FuzzRequest("path", rnd.choice(["GET", "HEAD", "GET", "POST"]), path, auth=rnd.random() < 0.5)

    def _query(self) -> FuzzRequest:
        rnd = self.random
        path = self._fill(
            rnd.choice(["/", "/notes/mine/", "/accounts/login/", "/notes/{note}/", "/sitemap-notes.xml", "/feed/"])
        )
        names = ["page", "next", "page", "p", "q", "", "%00", "page[]", "x" * 200]
        pairs = [
            f"{rnd.choice(names)}={rnd.choice([*ODD_SEGMENTS, 'last', '1', '2', '0', '-5'])}"
            for _ in range(rnd.randint(1, 4))
        ]
        query = rnd.choice(["&".join(pairs), "&".join(pairs) + "&&&=", "%%%", "=" * 50, "page=1&" * 300])
        return FuzzRequest("query", rnd.choice(["GET", "HEAD"]), path, query=query, auth=rnd.random() < 0.5)

    def _method(self) -> FuzzRequest:
        rnd = self.random
        path = self._fill(rnd.choice(PAGES))
        csrf = rnd.choice(["header", "none"])
        return FuzzRequest("method", rnd.choice(METHODS), path, auth=rnd.random() < 0.5, csrf=csrf)

    def _header(self) -> FuzzRequest:
        rnd = self.random
        headers = rnd.sample(ODD_HEADERS, rnd.randint(1, 3))
        if rnd.random() < 0.5:
            path, auth, fields = self._form()
            body = self._urlencoded_body(fields, csrf=True)
            return FuzzRequest(
                "header",
                "POST",
                path,
                headers=headers,
                body=body,
                content_type="application/x-www-form-urlencoded",
                auth=auth,
                csrf="body",
            )
        return FuzzRequest("header", rnd.choice(["GET", "HEAD"]), self._fill(rnd.choice(PAGES)), headers=headers)

    def _cookie(self) -> FuzzRequest:
        rnd = self.random
        cookies = {
            name: rnd.choice(GARBAGE_COOKIE_VALUES)
            for name in rnd.sample(["sessionid", "csrftoken", "messages", "remember_token", "session"], 2)
        }
        if rnd.random() < 0.5:
            path, _auth, fields = self._form()
            return FuzzRequest(
                "cookie",
                "POST",
                path,
                cookies=cookies,
                body=self._urlencoded_body(fields, csrf=False) + b"&csrf_token=" + rnd.choice(ODD_VALUES),
                content_type="application/x-www-form-urlencoded",
            )
        return FuzzRequest("cookie", "GET", self._fill(rnd.choice(PAGES)), cookies=cookies)

    def _urlencoded_body(self, fields: t.Sequence[str], *, csrf: bool) -> bytes:
        rnd = self.random
        pairs = [(name.encode(), self._value()) for name in fields if rnd.random() < 0.9]
        if rnd.random() < 0.3:
            pairs.append((rnd.choice([b"", b"%00", b"%ff", b"a[]", b"=", b"x" * 100]), self._value()))
        if csrf:
            pairs.insert(rnd.randrange(len(pairs) + 1), (b"csrf_token", CSRF_PLACEHOLDER))
        body = b"&".join(name + b"=" + value for name, value in pairs)
        if rnd.random() < 0.15:
            body = rnd.choice([body + b"\xff\xfe", body + b"&&&", body.replace(b"=", b"", 1), b"\x00" + body])
        return body

    def _urlencoded(self) -> FuzzRequest:
        path, auth, fields = self._form()
        csrf = self._csrf_mode()
        body = self._urlencoded_body(fields, csrf=csrf == "body")
        if csrf == "garbage":
            body += b"&csrf_token=" + self._value()
        return FuzzRequest(
            "urlencoded",
            self.random.choice(["POST", "POST", "POST", "PUT", "DELETE"]),
            path,
            body=body,
            content_type="application/x-www-form-urlencoded",
            auth=auth,
            csrf=csrf if csrf == "header" else "none",
        )

    def _multipart(self) -> FuzzRequest:
        rnd = self.random
        path, auth, fields = self._form()
        boundary = rnd.choice(["XyZ", "----WebKitFormBoundary7MA4YWxkTrZu0gW", "a" * 70, "b c", "é"])
        parts: list[bytes] = []
        csrf = self._csrf_mode()
        if csrf == "body":
            parts.append(b'Content-Disposition: form-data; name="csrf_token"\r\n\r\n' + CSRF_PLACEHOLDER)
        for name in fields:
            kind = rnd.random()
            value = self._text().encode("utf-8", "surrogatepass")
            if kind < 0.25:  # a file under the text field's name
                disposition = f'form-data; name="{name}"; filename="{rnd.choice(["t.txt", "", "../x", "é.bin"])}"'
                parts.append(f"Content-Disposition: {disposition}\r\nContent-Type: text/plain\r\n\r\n".encode() + value)
            elif kind < 0.35:  # a part with a charset, or invalid UTF-8
                header = f'Content-Disposition: form-data; name="{name}"\r\nContent-Type: text/plain; charset=latin-1'
                parts.append(header.encode() + b"\r\n\r\n\xff\xfe" + value)
            else:
                parts.append(f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value)
        for _ in range(rnd.randint(0, 2)):  # parts without a name, or odd ones
            parts.insert(
                rnd.randrange(len(parts) + 1),
                rnd.choice(
                    [
                        b"Content-Disposition: form-data\r\n\r\norphan",
                        b'Content-Disposition: form-data; filename="f.txt"\r\n\r\nfile without a name',
                        b"Content-Disposition: attachment\r\n\r\nx",
                        b"No-Disposition: x\r\n\r\ny",
                        b'Content-Disposition: form-data; name=""\r\n\r\nempty name',
                        b'Content-Disposition: form-data; name="\x00"\r\n\r\nnul name',
                    ]
                ),
            )
        delimiter = b"--" + boundary.encode()
        body = b"".join(delimiter + b"\r\n" + part + b"\r\n" for part in parts) + delimiter + b"--\r\n"
        content_type = f"multipart/form-data; boundary={boundary}"
        damage = rnd.random()
        if damage < 0.08:
            body = body[: rnd.randrange(len(body))]  # cut anywhere
        elif damage < 0.12:
            content_type = "multipart/form-data"  # no boundary parameter
        elif damage < 0.16:
            content_type = "multipart/form-data; boundary=OTHER"
        elif damage < 0.2:
            body = body.replace(b"\r\n", b"\n")
        return FuzzRequest(
            "multipart", "POST", path, body=body, content_type=content_type, auth=auth, csrf=_header_or_none(csrf)
        )

    def _json(self) -> FuzzRequest:
        rnd = self.random
        path, auth, fields = self._form()
        shape = rnd.random()
        value: t.Any
        if shape < 0.6:
            value = {
                name: rnd.choice([self._text(), 5, -1, 1.5, True, None, [self._text(), 2], {"a": [1]}, 10**30])
                for name in fields
            }
        else:
            value = rnd.choice([[], [1, 2], [["title", "x"]], "title", 5, None, True, {"": ""}, {"\x00": "\x00"}])
        body = json.dumps(value).encode()
        if rnd.random() < 0.15:
            body = rnd.choice([b"{", b'{"title": "\xff"}', b"\xef\xbb\xbf{}", b'{"a": NaN}', b"[" * 5000])
        return FuzzRequest(
            "json",
            rnd.choice(["POST", "PUT", "PATCH"]),
            path,
            body=body,
            content_type=rnd.choice(["application/json", "application/json; charset=utf-8", "text/json"]),
            auth=auth,
            csrf=rnd.choice(["header", "header", "none"]),
        )

    def _raw(self) -> FuzzRequest:
        rnd = self.random
        path, auth, _fields = self._form()
        size = rnd.choice([1, 10, 100, 5000])
        body = bytes(rnd.getrandbits(8) for _ in range(size))
        content_type = rnd.choice(
            [
                None,
                "application/octet-stream",
                "text/plain",
                "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x",
                "application/json",
                "image/png",
            ]
        )
        return FuzzRequest("raw", "POST", path, body=body, content_type=content_type, auth=auth, csrf="header")


def _header_or_none(csrf: str) -> str:
    return csrf if csrf == "header" else "none"
