"""Settings of the example site: every built-in plugin, with the embedded defaults.

With nothing set, the site needs no server: SQLite in the instance folder, sessions in
files there, and an in-process cache. Two environment variables move it to production
services, with the same code:

* ``DATABASE_URL=postgresql://user:password@host:5432/name``: PostgreSQL (psycopg 3);
* ``REDIS_URL=redis://host:6379/0``: sessions, the caches and the task queue (RQ) in Redis.

The app factory (``example_site.create_app``) reads this file each time it makes an
app, so the environment is read then, not once per process.
"""

from __future__ import annotations

import os

from flaskkit.plugins.middleware import CSP

# Every built-in plugin, and the site's own (plugin.py), as a Django project lists its
# INSTALLED_APPS. The order does not matter: each plugin boots after those it requires.
PLUGINS = [
    "orm",
    "session",
    "cache",
    "forms",
    "middleware",
    "signals",
    "auth",
    "views",
    "admin",
    "mail",
    "messages",
    "tasks",
    "syndication",
    "sitemaps",
    "ops",
    "static",
    "i18n",
    "example_site.plugin:NotesPlugin",
]

# None here: the factory then uses the key that the first run wrote into the instance
# folder (instance/secret_key). In production set SECRET_KEY (or FLASK_SECRET_KEY).
SECRET_KEY = os.environ.get("SECRET_KEY") or None

# -- database -------------------------------------------------------------------------

# The orm plugin reads DATABASE_URL from the environment by itself; the default file
# name is given here so the site's database is easy to find (instance/example-site.db).
DATABASE_URL = os.environ.get("DATABASE_URL") or "sqlite:///example-site.db"

# Each view runs in one transaction: committed when it returns, rolled back when it raises.
ATOMIC_REQUESTS = True

# -- sessions and caches ----------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL") or None

# Put before every key the site writes to Redis. Two sites that share a Redis server must
# use different prefixes (the tests set one per test).
REDIS_KEY_PREFIX = os.environ.get("REDIS_KEY_PREFIX") or "example-site"

if REDIS_URL:
    SESSION_ENGINE = "redis"
    SESSION_KEY_PREFIX = f"{REDIS_KEY_PREFIX}:session:"
    CACHES = {
        # Also where the auth plugin counts failed logins, so throttling holds across workers.
        "default": {"BACKEND": "redis", "KEY_PREFIX": f"{REDIS_KEY_PREFIX}:default"},
        # Whole pages (example_site.caching): kept apart so that clearing them drops nothing else.
        "pages": {"BACKEND": "redis", "KEY_PREFIX": f"{REDIS_KEY_PREFIX}:pages", "TIMEOUT": 60},
    }
else:
    SESSION_ENGINE = "file"  # <instance folder>/sessions/
    CACHES = {
        "default": {"BACKEND": "locmem"},
        "pages": {"BACKEND": "locmem", "TIMEOUT": 60},
    }

SESSION_COOKIE_NAME = "sessionid"  # Django's name

# -- mail ------------------------------------------------------------------------------

# With nothing set, mail (the password reset links) is printed where the site runs: the
# console backend. EMAIL_URL=smtp+tls://user:password@host:587 (read by the mail plugin
# from the environment) or EMAIL_HOST=host (with EMAIL_PORT...) sends it for real.
if not os.environ.get("EMAIL_URL"):
    EMAIL_HOST = os.environ.get("EMAIL_HOST") or None
    if EMAIL_HOST:
        EMAIL_BACKEND = "smtp"
        EMAIL_PORT = int(os.environ.get("EMAIL_PORT") or 25)
        EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
        EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
        EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "").lower() in ("1", "true", "yes")
        EMAIL_TIMEOUT = 10
    else:
        EMAIL_BACKEND = "console"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or "flaskkit notes <noreply@notes.example>"
SITE_NAME = "flaskkit notes"

# -- background tasks ---------------------------------------------------------------------

# Without Redis, tasks run at once in the web process; with it, they go to RQ and a worker
# runs them: `flask --app example_site kit worker` (docs/example-site.md).
if REDIS_URL:
    TASKS = {"default": {"BACKEND": "rq", "OPTIONS": {"PREFIX": f"{REDIS_KEY_PREFIX}:tasks:"}}}
else:
    TASKS = {"default": {"BACKEND": "immediate"}}

# -- middleware -----------------------------------------------------------------------

# The onion, outermost first: Django's security middleware around the site's own.
MIDDLEWARE = [
    "flaskkit.plugins.middleware:SecurityMiddleware",
    "flaskkit.plugins.middleware:ContentSecurityPolicyMiddleware",
    "example_site.middleware:ServerTimingMiddleware",
    "flaskkit.plugins.middleware:XFrameOptionsMiddleware",
]

# Django 6.0's Content-Security-Policy, strict: everything from the site itself, no inline
# style at all, and an inline script only with the nonce of its response ({{ csp_nonce }},
# used by the note form). No plugin, CDN or framing.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# The development server answers on 127.0.0.1; list your host names here (or in the
# environment, comma-separated) to serve the site under another name.
ALLOWED_HOSTS = [host.strip() for host in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")]
ALLOWED_HOSTS = [host for host in ALLOWED_HOSTS if host]

# The site's address in the feeds, the sitemap and robots.txt (https://notes.example). Unset, they use
# the request's host, which ALLOWED_HOSTS has validated.
SITE_URL = os.environ.get("SITE_URL") or None

# -- production ----------------------------------------------------------------------------

# /healthz and /readyz (the ops plugin) and one access-log line per request, as JSON lines when
# ACCESS_LOG_FORMAT=json. `flask kit collectstatic` fills STATIC_ROOT; WhiteNoise then serves the
# hashed, compressed files before the app (docs/deployment.md; example_site/gunicorn.conf.py).
ACCESS_LOG = os.environ.get("ACCESS_LOG", "").lower() in ("1", "true", "yes")
ACCESS_LOG_FORMAT = os.environ.get("ACCESS_LOG_FORMAT") or "text"
STATIC_ROOT = os.environ.get("STATIC_ROOT") or None

# -- authentication --------------------------------------------------------------------

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# -- templates -------------------------------------------------------------------------

# The pages of the auth plugin (log in, register...) and the views plugin's fallbacks
# extend the site's own layout (templates/base.html: blocks "title" and "content");
# the auth pages through templates/account.html, which puts them in a narrow card.
AUTH_BASE_TEMPLATE = "account.html"
VIEWS_BASE_TEMPLATE = "base.html"

# -- languages ---------------------------------------------------------------------------

# The site in English, German and Simplified Chinese (its own strings are translated in
# example_site/translations/, the plugins' in their own catalogs). A visitor gets the
# language of the URL prefix (/de/..., /zh-hans/...), else of the language cookie
# (the switcher in the footer), else of the browser's Accept-Language.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("zh-hans", "简体中文")]

# -- the site ----------------------------------------------------------------------------

#: Notes per page on the public lists.
NOTES_PER_PAGE = 9

# -- the admin ----------------------------------------------------------------------------

# /admin/: the notes and the accounts (example_site/admin.py), for the staff account of the demo.
ADMIN_SITE_HEADER = "flaskkit notes administration"
ADMIN_SITE_TITLE = "flaskkit notes admin"
