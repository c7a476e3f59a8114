"""Gunicorn's settings for the example site in production: ``gunicorn -c example_site/gunicorn.conf.py``.

The site runs **behind a buffering reverse proxy** (nginx; docs/deployment.md has its
configuration), which is how it is protected from slow and incomplete requests: nginx
reads each request whole and sends it on quickly, and reads each response whole, so
a client that trickles its headers or body, or never reads the answer, holds one of
nginx's cheap connections, never a worker. That is why Gunicorn listens on the
loopback interface only (``GUNICORN_BIND`` to change it): nothing but the proxy
can reach it. The ``gthread`` workers then let each process serve a few requests at
once while others wait on PostgreSQL or Redis, and ``timeout`` bounds what is left.

Every value can be changed from the environment (``GUNICORN_WORKERS=8``...).
"""

from __future__ import annotations

import os

#: The app factory (nothing touches the database when it runs).
wsgi_app = "example_site:create_app()"

#: Loopback only: the buffering proxy in front is the only client (see above).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
#: The proxy whose X-Forwarded-* headers Gunicorn trusts; the app reads them with PROXY_FIX
#: (FLASK_PROXY_FIX='{"x_for": 1, "x_proto": 1}' in the environment).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

#: A worker silent for this long is killed and replaced (a request stuck on a hung service).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
#: Seconds a worker gets to finish its requests after SIGTERM (a deploy, a scale-down).
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
#: Seconds an idle keep-alive connection from the proxy stays open.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))

#: Replace each worker after this many requests (a leak cannot grow forever); jittered, so not all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "1000"))

#: Refuse oversized request lines and headers (414, 431, 400) before the app sees them.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

#: The heartbeat file of each worker in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

#: Gunicorn's own messages on stderr; the site logs its access lines itself (ACCESS_LOG, with request ids).
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
accesslog = None
