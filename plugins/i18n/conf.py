"""The ``i18n`` plugin's settings (Django's names), read and checked once at boot."""

from __future__ import annotations

import collections.abc as cabc
import typing as t
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from werkzeug.utils import ImportStringError
from werkzeug.utils import import_string

from flaskkit import ConfigurationError

from .languages import language_code_re

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["DEFAULTS", "I18nSettings", "read_settings"]

DEFAULTS: dict[str, t.Any] = {
    "USE_I18N": True,
    "LANGUAGE_CODE": "en-us",
    #: ``None``: every language some catalog of the app has, and ``LANGUAGE_CODE``.
    "LANGUAGES": None,
    "LOCALE_PATHS": [],
    "LANGUAGE_COOKIE_NAME": "language",
    "LANGUAGE_COOKIE_AGE": None,
    "LANGUAGE_COOKIE_DOMAIN": None,
    "LANGUAGE_COOKIE_PATH": "/",
    "LANGUAGE_COOKIE_SECURE": False,
    "LANGUAGE_COOKIE_HTTPONLY": False,
    "LANGUAGE_COOKIE_SAMESITE": "Lax",
    #: Blueprint names or endpoints whose URLs carry the language (Django's ``i18n_patterns``).
    "I18N_PATTERNS": [],
    "PREFIX_DEFAULT_LANGUAGE": True,
    #: Where ``set_language`` is mounted (``<prefix>/setlang/``); ``None``: not mounted.
    "I18N_URL_PREFIX": "/i18n",
    #: A callable (or its import path) returning the time zone to render the request in, or ``None``.
    "TIME_ZONE_SELECTOR": None,
}


@dataclass
class I18nSettings:
    use_i18n: bool
    language_code: str
    #: ``(code, name)`` as written in ``LANGUAGES``, codes lowercased; ``None`` when not set.
    languages: list[tuple[str, str]] | None
    locale_paths: list[Path]
    cookie: dict[str, t.Any]
    cookie_name: str
    patterns: list[str]
    prefix_default_language: bool
    url_prefix: str | None
    timezone_selector: t.Callable[[], t.Any] | None
    extra: dict[str, t.Any] = field(default_factory=dict)


def _fail(setting: str, message: str, hint: str | None = None) -> t.NoReturn:
    raise ConfigurationError(message, setting=setting, hint=hint)


def _language_code(setting: str, value: object) -> str:
    if not isinstance(value, str) or not language_code_re.match(value):
        _fail(
            setting,
            f"{setting} must be a language code such as 'en-us', 'de' or 'zh-hans', not {value!r}.",
            hint="Codes are lowercase with '-' (Django's): 'pt-br', not 'pt_BR'.",
        )
    return value.lower()


def read_settings(app: Flask) -> I18nSettings:
    config = app.config
    use = config["USE_I18N"]
    if not isinstance(use, bool):
        _fail("USE_I18N", f"USE_I18N must be True or False, not {use!r}.")
    code = _language_code("LANGUAGE_CODE", config["LANGUAGE_CODE"])

    languages = None
    raw = config["LANGUAGES"]
    if raw is not None:
        if isinstance(raw, str | bytes) or not isinstance(raw, cabc.Iterable):
            _fail(
                "LANGUAGES",
                f"LANGUAGES must be a list of (code, name) pairs, not {raw!r}.",
                hint='Write LANGUAGES = [("en", "English"), ("de", "German"), ("zh-hans", "Simplified Chinese")].',
            )
        languages = []
        for entry in raw:
            if isinstance(entry, str):
                entry = (entry, entry)
            if not (isinstance(entry, cabc.Sequence) and len(entry) == 2):
                _fail("LANGUAGES", f"Each entry of LANGUAGES must be a (code, name) pair, not {entry!r}.")
            languages.append((_language_code("LANGUAGES", entry[0]), entry[1]))
        if not languages:
            _fail("LANGUAGES", "LANGUAGES is empty: list at least LANGUAGE_CODE's language.")
        codes = [c for c, _ in languages]
        if len(set(codes)) != len(codes):
            _fail("LANGUAGES", f"LANGUAGES lists a language twice: {codes!r}.")

    paths = config["LOCALE_PATHS"]
    if isinstance(paths, str | bytes) or not isinstance(paths, cabc.Iterable):
        _fail("LOCALE_PATHS", f"LOCALE_PATHS must be a list of directories, not {paths!r}.")
    locale_paths = [Path(app.root_path, p) for p in paths]

    name = config["LANGUAGE_COOKIE_NAME"]
    if not isinstance(name, str) or not name:
        _fail("LANGUAGE_COOKIE_NAME", f"LANGUAGE_COOKIE_NAME must be a cookie name, not {name!r}.")
    samesite = config["LANGUAGE_COOKIE_SAMESITE"]
    if samesite not in (None, "Lax", "Strict", "None"):
        _fail(
            "LANGUAGE_COOKIE_SAMESITE",
            f"LANGUAGE_COOKIE_SAMESITE must be 'Lax', 'Strict', 'None' or None, not {samesite!r}.",
        )
    age = config["LANGUAGE_COOKIE_AGE"]
    if age is not None and (isinstance(age, bool) or not isinstance(age, int) or age < 0):
        _fail("LANGUAGE_COOKIE_AGE", f"LANGUAGE_COOKIE_AGE must be a number of seconds or None, not {age!r}.")
    cookie = {
        "max_age": age,
        "domain": config["LANGUAGE_COOKIE_DOMAIN"],
        "path": config["LANGUAGE_COOKIE_PATH"] or "/",
        "secure": bool(config["LANGUAGE_COOKIE_SECURE"]),
        "httponly": bool(config["LANGUAGE_COOKIE_HTTPONLY"]),
        "samesite": samesite,
    }

    patterns = config["I18N_PATTERNS"]
    if isinstance(patterns, str | bytes) or not isinstance(patterns, cabc.Iterable):
        _fail(
            "I18N_PATTERNS",
            f"I18N_PATTERNS must be a list of blueprint names or endpoints, not {patterns!r}.",
            hint='Write I18N_PATTERNS = ["notes", "auth"].',
        )
    prefix_default = config["PREFIX_DEFAULT_LANGUAGE"]
    if not isinstance(prefix_default, bool):
        _fail("PREFIX_DEFAULT_LANGUAGE", f"PREFIX_DEFAULT_LANGUAGE must be True or False, not {prefix_default!r}.")

    url_prefix = config["I18N_URL_PREFIX"]
    if url_prefix is not None and (not isinstance(url_prefix, str) or not url_prefix.startswith("/")):
        _fail("I18N_URL_PREFIX", f"I18N_URL_PREFIX must be a path starting with '/' (or None), not {url_prefix!r}.")

    selector = config["TIME_ZONE_SELECTOR"]
    if isinstance(selector, str):
        try:
            selector = import_string(selector)
        except ImportStringError as exc:
            _fail(
                "TIME_ZONE_SELECTOR",
                f"TIME_ZONE_SELECTOR names {config['TIME_ZONE_SELECTOR']!r}, which cannot "
                f"be imported: {exc.exception}.",
            )
    if selector is not None and not callable(selector):
        _fail("TIME_ZONE_SELECTOR", f"TIME_ZONE_SELECTOR must be a callable or its import path, not {selector!r}.")

    return I18nSettings(
        use_i18n=use,
        language_code=code,
        languages=languages,
        locale_paths=locale_paths,
        cookie=cookie,
        cookie_name=name,
        patterns=[str(p) for p in patterns],
        prefix_default_language=prefix_default,
        url_prefix=url_prefix.rstrip("/") if url_prefix else None,
        timezone_selector=selector,
    )
