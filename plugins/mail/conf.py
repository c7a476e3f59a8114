"""The mail settings: Django's names, Flask-Mailman's as aliases, and ``EMAIL_URL``.

Each value is looked up in this order:

1. ``EMAIL_URL`` (the setting, else the environment variable of that name; the
   variable is ignored while ``TESTING``, so a shell's production URL never gets
   a test suite's mail) gives the backend, host, port, user, password and TLS;
2. Django's setting (``EMAIL_HOST``...);
3. Flask-Mailman's own key (``MAIL_SERVER``...), for apps that used Flask-Mailman;
4. Django's default.

Two sources that disagree (``EMAIL_URL`` names one host, ``EMAIL_HOST`` another)
stop the boot with a :class:`~flaskkit.ConfigurationError` naming both. The
resolved values are written back under both names, so ``app.config["EMAIL_HOST"]``
is what the app uses and Flask-Mailman's documentation still applies.
"""

from __future__ import annotations

import collections.abc as cabc
import os
import typing as t
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import formataddr
from email.utils import parseaddr
from urllib.parse import parse_qsl
from urllib.parse import unquote
from urllib.parse import urlsplit

from werkzeug.utils import ImportStringError
from werkzeug.utils import import_string

from flaskkit import ConfigurationError
from flaskkit._text import did_you_mean

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["BACKENDS", "DJANGO_BACKENDS", "MailSettings", "parse_email_url", "read_settings"]

#: The built-in backends by their friendly names.
BACKENDS: dict[str, str] = {
    "smtp": "flaskkit.plugins.mail.backends:SMTPBackend",
    "console": "flaskkit.plugins.mail.backends:ConsoleBackend",
    "file": "flaskkit.plugins.mail.backends:FileBackend",
    "locmem": "flaskkit.plugins.mail.backends:LocmemBackend",
    "dummy": "flaskkit.plugins.mail.backends:DummyBackend",
}

#: Django's and Flask-Mailman's dotted paths of the same backends, so settings can be copied over.
DJANGO_BACKENDS: dict[str, str] = {
    **{f"django.core.mail.backends.{name}.EmailBackend": name for name in BACKENDS},
    **{f"flask_mailman.backends.{name}.EmailBackend": name for name in BACKENDS},
    **{f"flask_mailman.backends.{name}": name for name in BACKENDS},
}

#: Django's default sender addresses; the deploy checks warn when they are left as they are.
DJANGO_DEFAULT_FROM_EMAIL = "webmaster@localhost"
DJANGO_SERVER_EMAIL = "root@localhost"

#: ``(Django's setting, Flask-Mailman's key, default)``.
_SETTINGS: tuple[tuple[str, str | None, t.Any], ...] = (
    ("EMAIL_BACKEND", "MAIL_BACKEND", None),
    ("EMAIL_HOST", "MAIL_SERVER", "localhost"),
    ("EMAIL_PORT", "MAIL_PORT", 25),
    ("EMAIL_HOST_USER", "MAIL_USERNAME", ""),
    ("EMAIL_HOST_PASSWORD", "MAIL_PASSWORD", ""),
    ("EMAIL_USE_TLS", "MAIL_USE_TLS", False),
    ("EMAIL_USE_SSL", "MAIL_USE_SSL", False),
    ("EMAIL_TIMEOUT", "MAIL_TIMEOUT", None),
    ("EMAIL_SSL_KEYFILE", "MAIL_SSL_KEYFILE", None),
    ("EMAIL_SSL_CERTFILE", "MAIL_SSL_CERTFILE", None),
    ("EMAIL_FILE_PATH", "MAIL_FILE_PATH", None),
    ("EMAIL_USE_LOCALTIME", "MAIL_USE_LOCALTIME", False),
    ("DEFAULT_CHARSET", "MAIL_DEFAULT_CHARSET", "utf-8"),
    ("DEFAULT_FROM_EMAIL", "MAIL_DEFAULT_SENDER", DJANGO_DEFAULT_FROM_EMAIL),
    ("SERVER_EMAIL", None, DJANGO_SERVER_EMAIL),
    ("EMAIL_SUBJECT_PREFIX", None, "[flaskkit] "),
    ("ADMINS", None, []),
    ("MANAGERS", None, []),
    ("EMAIL_ADMINS_ON_ERROR", None, True),
)

#: ``EMAIL_URL`` schemes: backend, default port, STARTTLS, implicit TLS.
_URL_SCHEMES: dict[str, tuple[str, int | None, bool, bool]] = {
    "smtp": ("smtp", 25, False, False),
    "smtp+tls": ("smtp", 587, True, False),
    "submission": ("smtp", 587, True, False),
    "smtps": ("smtp", 465, False, True),
    "smtp+ssl": ("smtp", 465, False, True),
    "console": ("console", None, False, False),
    "file": ("file", None, False, False),
    "locmem": ("locmem", None, False, False),
    "memory": ("locmem", None, False, False),
    "dummy": ("dummy", None, False, False),
}

_URL_HINT = (
    "Write it as smtp://USER:PASSWORD@HOST:25, smtp+tls://USER:PASSWORD@HOST:587 (STARTTLS), "
    "smtps://USER:PASSWORD@HOST:465 (TLS from the start), console://, file:///path/to/folder, locmem:// or "
    "dummy://; escape '@', ':' and '/' in the user or password as %40, %3A and %2F."
)


@dataclass(frozen=True)
class MailSettings:
    """The mail settings of one app, validated."""

    #: The friendly name of a built-in backend, or the import path of another.
    backend_name: str
    #: The backend class.
    backend: type[t.Any]
    host: str
    port: int
    username: str
    password: str
    use_tls: bool
    use_ssl: bool
    timeout: float | None
    ssl_keyfile: str | None
    ssl_certfile: str | None
    file_path: str
    use_localtime: bool
    charset: str
    default_from_email: str
    server_email: str
    subject_prefix: str
    #: ``ADMINS`` and ``MANAGERS`` as address strings (``"Ada <ada@example.com>"``).
    admins: tuple[str, ...]
    managers: tuple[str, ...]
    admins_on_error: bool
    #: ``"the EMAIL_URL setting"``, ``"the EMAIL_URL environment variable"`` or ``None``.
    url_source: str | None

    @property
    def builtin(self) -> str | None:
        """The friendly name when the backend is a built-in one, else ``None``."""
        return self.backend_name if self.backend_name in BACKENDS else None

    def describe_server(self) -> str:
        """``EMAIL_HOST='mail.example.com', EMAIL_PORT=587`` (for error messages)."""
        return f"EMAIL_HOST={self.host!r}, EMAIL_PORT={self.port}"


def parse_email_url(url: str, source: str = "EMAIL_URL") -> dict[str, t.Any]:
    """The ``EMAIL_*`` settings an ``EMAIL_URL`` gives.

    ::

        >>> parse_email_url("smtp+tls://ada:s%40cret@mail.example.com:587?timeout=10")
        {'EMAIL_BACKEND': 'smtp', 'EMAIL_HOST': 'mail.example.com', 'EMAIL_PORT': 587,
         'EMAIL_HOST_USER': 'ada', 'EMAIL_HOST_PASSWORD': 's@cret', 'EMAIL_USE_TLS': True,
         'EMAIL_USE_SSL': False, 'EMAIL_TIMEOUT': 10.0}

    ``smtps://`` is TLS from the first byte (port 465, ``EMAIL_USE_SSL``) and
    ``smtp+tls://`` is STARTTLS (port 587, ``EMAIL_USE_TLS``); ``?tls=true``,
    ``?ssl=true`` and ``?timeout=SECONDS`` work on any SMTP URL.
    """
    shown = _hide_password(url)
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise ConfigurationError(
            f"{source} is not a valid URL ({exc}): {shown!r}.", setting="EMAIL_URL", hint=_URL_HINT
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in _URL_SCHEMES:
        raise ConfigurationError(
            f"{source} has the scheme {scheme!r}, which is not a mail backend: {shown!r}."
            + did_you_mean(scheme, _URL_SCHEMES),
            setting="EMAIL_URL",
            hint=_URL_HINT,
        )
    backend, default_port, starttls, implicit_tls = _URL_SCHEMES[scheme]
    values: dict[str, t.Any] = {"EMAIL_BACKEND": backend}
    if backend == "file":
        path = unquote(parts.netloc + parts.path)
        if not path:
            raise ConfigurationError(
                f"{source} names the file backend without a folder: {shown!r}.",
                setting="EMAIL_URL",
                hint="Write file:///absolute/path/to/folder (or leave EMAIL_URL out and set EMAIL_FILE_PATH).",
            )
        values["EMAIL_FILE_PATH"] = path
        return values
    if backend != "smtp":
        return values
    if not parts.hostname:
        raise ConfigurationError(f"{source} names no host: {shown!r}.", setting="EMAIL_URL", hint=_URL_HINT)
    values.update(
        EMAIL_HOST=parts.hostname,
        EMAIL_PORT=port or default_port,
        EMAIL_HOST_USER=unquote(parts.username or ""),
        EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
        EMAIL_USE_TLS=starttls,
        EMAIL_USE_SSL=implicit_tls,
    )
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        name = key.lower()
        if name in ("tls", "ssl"):
            flag = value.lower() in ("1", "true", "yes", "on")
            if value.lower() not in ("0", "1", "true", "false", "yes", "no", "on", "off"):
                raise ConfigurationError(
                    f"{source} has ?{key}={value}, which is not true or false.", setting="EMAIL_URL", hint=_URL_HINT
                )
            values["EMAIL_USE_TLS" if name == "tls" else "EMAIL_USE_SSL"] = flag
        elif name == "timeout":
            try:
                values["EMAIL_TIMEOUT"] = float(value)
            except ValueError:
                raise ConfigurationError(
                    f"{source} has ?timeout={value}, which is not a number of seconds.", setting="EMAIL_URL"
                ) from None
        else:
            raise ConfigurationError(
                f"{source} has the parameter {key!r}, which flaskkit does not know: {shown!r}.",
                setting="EMAIL_URL",
                hint="The parameters are tls, ssl and timeout.",
            )
    return values


def _hide_password(url: str) -> str:
    try:
        parts = urlsplit(url)
        if parts.password:
            return url.replace(f":{parts.password}@", ":********@", 1)
    except ValueError:
        pass
    return url


def read_settings(app: Flask) -> MailSettings:
    """Validate the mail settings of ``app`` and write the resolved ones back (``EMAIL_*`` and ``MAIL_*``)."""
    config = app.config
    from_url: dict[str, t.Any] = {}
    url_source = None
    url = config.get("EMAIL_URL")
    if url:
        url_source = "the EMAIL_URL setting"
    elif not app.testing and os.environ.get("EMAIL_URL", "").strip():
        url = os.environ["EMAIL_URL"]
        url_source = "the EMAIL_URL environment variable"
    if url:
        if not isinstance(url, str):
            raise ConfigurationError(f"EMAIL_URL must be a URL string, not {url!r}.", setting="EMAIL_URL")
        label = "EMAIL_URL" if url_source == "the EMAIL_URL setting" else "The EMAIL_URL environment variable"
        from_url = parse_email_url(url, label)

    values: dict[str, t.Any] = {}
    for name, alias, default in _SETTINGS:
        given = {label: config[key] for label, key in ((name, name), (alias, alias)) if key and key in config}
        given = {label: value for label, value in given.items() if value is not None}
        if name in from_url:
            given = {f"EMAIL_URL ({url_source})": from_url[name], **given}
        distinct = {repr(v) for v in given.values()}
        if len(distinct) > 1:
            shown = ", ".join(f"{label} gives {_shown(name, value)}" for label, value in given.items())
            raise ConfigurationError(
                f"The mail setting {name} is given twice, with different values: {shown}.",
                setting=name,
                hint="Keep one of them (EMAIL_URL holds the backend, host, port, user, password and TLS together).",
            )
        values[name] = next(iter(given.values())) if given else default

    backend_name, backend = _backend(values["EMAIL_BACKEND"], app.testing)
    port = values["EMAIL_PORT"]
    if isinstance(port, str) and port.isdigit():
        port = int(port)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise ConfigurationError(f"EMAIL_PORT must be a port number (1-65535), not {port!r}.", setting="EMAIL_PORT")
    flags = {name: _flag(values, name) for name in ("EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_USE_LOCALTIME")}
    flags["EMAIL_ADMINS_ON_ERROR"] = _flag(values, "EMAIL_ADMINS_ON_ERROR")
    if flags["EMAIL_USE_TLS"] and flags["EMAIL_USE_SSL"]:
        raise ConfigurationError(
            "EMAIL_USE_TLS and EMAIL_USE_SSL are both True, but they are mutually exclusive: set only one of them.",
            setting="EMAIL_USE_TLS",
            hint="EMAIL_USE_TLS is STARTTLS (port 587 usually), EMAIL_USE_SSL is TLS from the start (port 465).",
        )
    timeout = values["EMAIL_TIMEOUT"]
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0):
        raise ConfigurationError(
            f"EMAIL_TIMEOUT must be a number of seconds greater than 0 (or None), not {timeout!r}.",
            setting="EMAIL_TIMEOUT",
        )
    for name in ("EMAIL_HOST", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_SUBJECT_PREFIX", "DEFAULT_CHARSET"):
        if not isinstance(values[name], str):
            raise ConfigurationError(f"{name} must be a string, not {values[name]!r}.", setting=name)
    file_path = values["EMAIL_FILE_PATH"] or os.path.join(app.instance_path, "sent-mail")
    if not isinstance(file_path, str | os.PathLike):
        raise ConfigurationError(
            f"EMAIL_FILE_PATH must be a folder path, not {file_path!r}.", setting="EMAIL_FILE_PATH"
        )
    file_path = os.path.join(app.instance_path, os.fspath(file_path))  # a relative path is in the instance folder

    settings = MailSettings(
        backend_name=backend_name,
        backend=backend,
        host=values["EMAIL_HOST"],
        port=port,
        username=values["EMAIL_HOST_USER"],
        password=values["EMAIL_HOST_PASSWORD"],
        use_tls=flags["EMAIL_USE_TLS"],
        use_ssl=flags["EMAIL_USE_SSL"],
        timeout=timeout,
        ssl_keyfile=values["EMAIL_SSL_KEYFILE"],
        ssl_certfile=values["EMAIL_SSL_CERTFILE"],
        file_path=file_path,
        use_localtime=flags["EMAIL_USE_LOCALTIME"],
        charset=values["DEFAULT_CHARSET"],
        default_from_email=_address(values["DEFAULT_FROM_EMAIL"], "DEFAULT_FROM_EMAIL"),
        server_email=_address(values["SERVER_EMAIL"], "SERVER_EMAIL"),
        subject_prefix=values["EMAIL_SUBJECT_PREFIX"],
        admins=_address_list(values["ADMINS"], "ADMINS"),
        managers=_address_list(values["MANAGERS"], "MANAGERS"),
        admins_on_error=flags["EMAIL_ADMINS_ON_ERROR"],
        url_source=url_source,
    )
    _write_back(app, settings)
    return settings


def _shown(name: str, value: t.Any) -> str:
    return "a password" if name == "EMAIL_HOST_PASSWORD" else repr(value)


def _flag(values: t.Mapping[str, t.Any], name: str) -> bool:
    value = values[name]
    if not isinstance(value, bool):
        raise ConfigurationError(
            f"{name} must be True or False, not {value!r}.",
            setting=name,
            hint=f"From the environment: FLASK_{name}=true",
        )
    return value


def _backend(value: object, testing: bool) -> tuple[str, type[t.Any]]:
    """``(friendly name or path, class)`` for ``EMAIL_BACKEND``; unset: locmem in tests, else smtp (Django's)."""
    if value is None or value == "":
        value = "locmem" if testing else "smtp"
    if isinstance(value, type):
        return f"{value.__module__}:{value.__qualname__}", value
    if not isinstance(value, str):
        raise ConfigurationError(
            f"EMAIL_BACKEND must be a backend name or an import path, not {value!r}.", setting="EMAIL_BACKEND"
        )
    name = DJANGO_BACKENDS.get(value.strip(), value.strip())
    if name in BACKENDS:
        return name, import_string(BACKENDS[name])
    if "." not in name and ":" not in name:
        raise ConfigurationError(
            f"EMAIL_BACKEND is {value!r}, which is not a mail backend." + did_you_mean(name, BACKENDS),
            setting="EMAIL_BACKEND",
            hint="Use one of 'smtp', 'console', 'file', 'locmem', 'dummy', or the import path of a backend class "
            "('myapp.mail:Backend', a subclass of flask_mailman.backends.base.BaseEmailBackend).",
        )
    try:
        backend = import_string(name)
    except ImportStringError as exc:
        raise ConfigurationError(
            f"EMAIL_BACKEND names {value!r}, which cannot be imported: {exc.exception}",
            setting="EMAIL_BACKEND",
            hint="Write the backend as 'package.module:ClassName'.",
        ) from exc
    if isinstance(backend, type) is False and hasattr(backend, "EmailBackend"):
        backend = backend.EmailBackend  # a module, as Flask-Mailman allows
    if not isinstance(backend, type) or not callable(getattr(backend, "send_messages", None)):
        raise ConfigurationError(
            f"EMAIL_BACKEND names {value!r}, which is not a mail backend class (it needs send_messages()).",
            setting="EMAIL_BACKEND",
        )
    return name, backend


def _address(value: object, setting: str) -> str:
    """One address (``"a@example.com"``, ``"Ada <a@example.com>"`` or ``("Ada", "a@example.com")``), validated."""
    if isinstance(value, tuple | list) and len(value) == 2 and all(isinstance(v, str) for v in value):
        value = formataddr((value[0], value[1]))
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"{setting} must be an email address, not {value!r}.", setting=setting)
    if "\n" in value or "\r" in value:
        raise ConfigurationError(
            f"{setting} contains a line break ({value!r}): mail headers cannot hold one.", setting=setting
        )
    name, address = parseaddr(value)
    try:
        username, _, domain = address.rpartition("@")
        if not username or not domain:
            raise ValueError
        Address(display_name=name, username=username, domain=domain)
    except (ValueError, IndexError):
        raise ConfigurationError(
            f"{setting} contains {value!r}, which is not an email address.",
            setting=setting,
            hint="Write 'ada@example.com' or 'Ada Lovelace <ada@example.com>'.",
        ) from None
    return value.strip()


def _address_list(value: object, setting: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, cabc.Iterable):
        raise ConfigurationError(
            f"{setting} must be a list of email addresses, not {value!r}.",
            setting=setting,
            hint=f"Write {setting} = ['ada@example.com'] (or [('Ada', 'ada@example.com')], Django's older form).",
        )
    return tuple(_address(entry, setting) for entry in value)


def _write_back(app: Flask, settings: MailSettings) -> None:
    """The resolved values under Django's names and Flask-Mailman's keys."""
    config = app.config
    resolved = {
        "EMAIL_BACKEND": settings.backend_name,
        "EMAIL_HOST": settings.host,
        "EMAIL_PORT": settings.port,
        "EMAIL_HOST_USER": settings.username,
        "EMAIL_HOST_PASSWORD": settings.password,
        "EMAIL_USE_TLS": settings.use_tls,
        "EMAIL_USE_SSL": settings.use_ssl,
        "EMAIL_TIMEOUT": settings.timeout,
        "EMAIL_SSL_KEYFILE": settings.ssl_keyfile,
        "EMAIL_SSL_CERTFILE": settings.ssl_certfile,
        "EMAIL_FILE_PATH": settings.file_path,
        "EMAIL_USE_LOCALTIME": settings.use_localtime,
        "DEFAULT_CHARSET": settings.charset,
        "DEFAULT_FROM_EMAIL": settings.default_from_email,
        "SERVER_EMAIL": settings.server_email,
        "EMAIL_SUBJECT_PREFIX": settings.subject_prefix,
        "ADMINS": list(settings.admins),
        "MANAGERS": list(settings.managers),
        "EMAIL_ADMINS_ON_ERROR": settings.admins_on_error,
    }
    config.update(resolved)
    for name, alias, _ in _SETTINGS:
        if alias is not None:
            config[alias] = resolved[name]
    config["MAIL_BACKEND"] = settings.backend
