"""The example site in its production shape, under load, while its services fail: a script, not a test.

Starts everything on 127.0.0.1 and stops it at the end:

* Redis of its own (an append-only file in a temporary folder, so sessions outlive a restart);
* a new database on the PostgreSQL server of ``TEST_DATABASE_URL`` (default
  ``postgresql://postgres@127.0.0.1:5432/test``), reached through a TCP proxy this
  script cuts and restores;
* the site under Gunicorn with ``example_site/gunicorn.conf.py`` (4 gthread workers);

then runs ``--clients`` clients (browsers with their own cookies: visitors reading the
board and notes, users listing their notes, writing and deleting notes) through six
phases of ``--phase`` seconds: baseline, Redis stopped, Redis back, database cut,
database back, one worker SIGKILLed. It prints, per phase, the requests and their
answers (500s, 503s, connection errors), the seconds until the first request that
needs the service succeeded again, and the acknowledged writes that were lost (a note
whose creation was answered with a redirect and is not in the database, or whose
deletion was and still is)::

    python benchmarks/outages.py                 # 16 clients, 10 s phases
    python benchmarks/outages.py --clients 16 --phase 20

Passwords are hashed with MD5PasswordHasher (as in the tests): the site's PBKDF2 takes
half a second of CPU per login, which would measure the hasher.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import http.client
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import typing as t
import urllib.parse
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers import RedisServer  # noqa: E402
from tests.servers import TcpProxy  # noqa: E402
from tests.servers import free_port  # noqa: E402

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
PASSWORD = "correct-horse-battery"
HASHERS = '["flaskkit.plugins.auth.hashers:MD5PasswordHasher"]'
PHASES = ("baseline", "redis stopped", "redis back", "database cut", "database back", "worker killed")
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
_COUNTS = ("requests", "ok", "client_errors", "server_errors", "unavailable", "saved_503", "connection_errors")
_NOTE_LINK = re.compile(r'href="/notes/(\d+)/"')


@dataclass
class Tally:
    requests: int = 0
    ok: int = 0
    client_errors: int = 0
    server_errors: int = 0
    unavailable: int = 0
    saved_503: int = 0
    connection_errors: int = 0
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)


class Load:
    """What the clients did: per-phase tallies, acknowledged writes, recovery times."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.phase = PHASES[0]
        self.tallies = {phase: Tally() for phase in PHASES}
        self.created: set[int] = set()  # acknowledged (302 to the note)
        self.deleted: set[int] = set()  # acknowledged (302 to my notes)
        self.delete_attempted: set[int] = set()  # sent: it may have happened even if not acknowledged
        self.saved_but_503: set[int] = set()
        #: phase -> when the service came back, and when a request needing it first succeeded after that.
        self.restored_at: dict[str, float] = {}
        self.recovered_at: dict[str, float] = {}
        self.stop = threading.Event()

    def record(self, status: int | None, *, needs_services: bool, started: float, saved: bool = False) -> None:
        with self.lock:
            tally = self.tallies[self.phase]
            tally.requests += 1
            if status is None:
                tally.connection_errors += 1
                return
            tally.statuses[status] += 1
            if status < 400:
                tally.ok += 1
                restored = self.restored_at.get(self.phase)
                if (
                    needs_services
                    and restored is not None
                    and started >= restored
                    and self.phase not in self.recovered_at
                ):
                    self.recovered_at[self.phase] = time.monotonic()
            elif status == 503:
                tally.unavailable += 1
                tally.saved_503 += saved
            elif status >= 500:
                tally.server_errors += 1
            else:
                tally.client_errors += 1


class Browser:
    """One client: its own connection and cookies; never follows redirects."""

    def __init__(self, port: int, load: Load) -> None:
        self.port = port
        self.load = load
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None, *, needs_services: bool = True
    ) -> tuple[int | None, str, dict[str, str]]:
        started = time.monotonic()
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            status = response.status
            answer = {k.lower(): v for k, v in response.getheaders()}
            for value in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = value.partition("=")
                cookie_value = rest.split(";", 1)[0]
                if "Max-Age=0" in value or "expires=Thu, 01 Jan 1970" in value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = cookie_value
        except (OSError, http.client.HTTPException):
            self.load.record(None, needs_services=needs_services, started=started)
            return None, "", {}
        finally:
            connection.close()
        self.load.record(status, needs_services=needs_services, started=started, saved="Your change was saved" in text)
        return status, text, answer

    def token(self, path: str) -> str | None:
        status, text, _ = self.request("GET", path)
        if status != 200:
            return None
        found = _TOKEN.search(text)
        return (found.group(1) or found.group(2)) if found else None


def visitor(port: int, load: Load, note_ids: list[int]) -> None:
    browser = Browser(port, load)
    while not load.stop.is_set():
        browser.cookies.clear()
        browser.request("GET", "/", needs_services=False)
        if note_ids:
            browser.request("GET", f"/notes/{secrets.choice(note_ids)}/", needs_services=False)


def writer(port: int, load: Load, username: str) -> None:
    browser = Browser(port, load)
    mine: list[int] = []
    while not load.stop.is_set():
        if "sessionid" not in browser.cookies or browser.request("GET", "/notes/mine/")[0] == 302:
            token = browser.token("/accounts/login/")
            if token is None:
                time.sleep(0.2)
                continue
            browser.request(
                "POST", "/accounts/login/", {"username": username, "password": PASSWORD, "csrf_token": token}
            )
            continue
        token = browser.token("/notes/new/")
        if token is None:
            time.sleep(0.2)
            continue
        status, text, headers = browser.request(
            "POST", "/notes/new/", {"title": f"Note by {username}", "body": "Under load.", "csrf_token": token}
        )
        location = headers.get("location", "")
        found = re.search(r"/notes/(\d+)/", location) if status == 302 else None
        if found:
            with load.lock:
                load.created.add(int(found.group(1)))
            mine.append(int(found.group(1)))
        elif status == 503 and "Your change was saved" in text:
            link = _NOTE_LINK.search(text)
            if link:
                with load.lock:
                    load.saved_but_503.add(int(link.group(1)))
        if len(mine) > 3:
            note = mine.pop(0)
            token = browser.token(f"/notes/{note}/delete/")
            if token is None:
                mine.insert(0, note)
                continue
            with load.lock:
                load.delete_attempted.add(note)
            status, _, headers = browser.request("POST", f"/notes/{note}/delete/", {"csrf_token": token})
            if status == 302:
                with load.lock:
                    load.deleted.add(note)


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                    pids.append(int(entry))
    return pids


def wait_for(port: int, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"127.0.0.1:{port}{path} did not answer within {timeout} s")


def main(argv: t.Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default: %(default)s)")
    parser.add_argument("--phase", type=float, default=10.0, help="seconds per phase (default: %(default)s)")
    args = parser.parse_args(argv)

    import psycopg
    import sqlalchemy as sa

    workdir = Path(tempfile.mkdtemp(prefix="flaskkit-outages-"))
    name = f"outages_{secrets.token_hex(4)}"
    base = POSTGRES_URL.rpartition("/")[0]
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    direct_url = f"{base}/{name}"
    redis = RedisServer("--appendonly", "yes", "--dir", str(workdir))
    redis.start()
    parsed = sa.make_url(direct_url)
    proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
    proxied_url = parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "GUNICORN_", "EXAMPLE_SITE_"))},
        "DATABASE_URL": proxied_url,
        "REDIS_URL": redis.url,
        "REDIS_KEY_PREFIX": f"outages-{secrets.token_hex(3)}",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "EXAMPLE_SITE_INSTANCE_PATH": str(workdir / "instance"),
        "FLASK_PASSWORD_HASHERS": HASHERS,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_LOGLEVEL": "warning",
        "PYTHONUNBUFFERED": "1",
    }
    gunicorn: subprocess.Popen[bytes] | None = None
    log = workdir / "gunicorn.log"
    try:
        # Migrate and make the users, through the app itself (as `flask db upgrade` would).
        setup = f"""
import os
from example_site import create_app
from example_site.seed import migrate, seed_demo_content
from flaskkit.plugins.auth import User
app = create_app()
with app.app_context():
    migrate()
    seed_demo_content({PASSWORD!r})
    for n in range({args.clients}):
        User.objects.create_user(f"user{{n}}", password={PASSWORD!r})
"""
        subprocess.run([sys.executable, "-c", setup], cwd=ROOT, env=env, check=True)
        with log.open("wb") as output:
            gunicorn = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "example_site/gunicorn.conf.py"],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        wait_for(port, "/healthz")
        wait_for(port, "/")
        engine = sa.create_engine(parsed.set(drivername="postgresql+psycopg"))
        with engine.connect() as connection:
            note_ids = list(connection.scalars(sa.text("SELECT id FROM note")))

        load = Load()
        threads = []
        for number in range(args.clients):
            target = writer if number % 2 else visitor
            extra = (f"user{number}",) if number % 2 else (note_ids,)
            thread = threading.Thread(target=target, args=(port, load, *extra), daemon=True)
            thread.start()
            threads.append(thread)

        def enter(phase: str, action: t.Callable[[], object] | None = None, *, restores: bool = False) -> None:
            with load.lock:
                load.phase = phase  # before the action: what fails while it runs counts for this phase
            if action is not None:
                action()
            if restores:
                with load.lock:
                    load.restored_at[phase] = time.monotonic()
            time.sleep(args.phase)

        enter("baseline")
        enter("redis stopped", redis.stop)
        enter("redis back", redis.start, restores=True)
        enter("database cut", proxy.cut)
        enter("database back", proxy.restore, restores=True)
        killed = worker_pids(gunicorn.pid)[:1]
        enter("worker killed", lambda: [os.kill(pid, signal.SIGKILL) for pid in killed])
        load.stop.set()
        for thread in threads:
            thread.join(timeout=60)

        with engine.connect() as connection:
            present = set(connection.scalars(sa.text("SELECT id FROM note")))
        engine.dispose()
        # A creation is lost when it was acknowledged and is not there, unless a deletion of it was sent (one
        # answered 503 "Your change was saved" happened, though it was not acknowledged with a redirect).
        lost_creates = sorted((load.created - load.delete_attempted) - present)
        lost_deletes = sorted(load.deleted & present)
        report(load, args, lost_creates, lost_deletes, present, log)
        return 1 if lost_creates or lost_deletes or any(t.server_errors for t in load.tallies.values()) else 0
    finally:
        if gunicorn is not None and gunicorn.poll() is None:
            gunicorn.send_signal(signal.SIGTERM)
            try:
                gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
                gunicorn.wait()
        proxy.close()
        redis.stop()
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def report(
    load: Load, args: argparse.Namespace, lost_creates: list[int], lost_deletes: list[int], present: set[int], log: Path
) -> None:
    print(f"flaskkit example site under load: gunicorn (4 gthread workers), PostgreSQL, Redis; {args.clients} clients")
    header = (
        f"{'phase':<15} {'requests':>8} {'2xx/3xx':>8} {'4xx':>5} {'500s':>5} {'503s':>6} {'saved':>6} "
        f"{'conn.err':>8}  recovered"
    )
    print(header)
    print("-" * len(header))
    totals = Tally()
    for phase in PHASES:
        tally = load.tallies[phase]
        recovered = ""
        if phase in load.restored_at:
            if phase in load.recovered_at:
                recovered = f"{load.recovered_at[phase] - load.restored_at[phase]:.2f} s"
            else:
                recovered = "not within the phase"
        print(
            f"{phase:<15} {tally.requests:>8} {tally.ok:>8} {tally.client_errors:>5} {tally.server_errors:>5} "
            f"{tally.unavailable:>6} {tally.saved_503:>6} {tally.connection_errors:>8}  {recovered}"
        )
        for name in (
            "requests",
            "ok",
            "client_errors",
            "server_errors",
            "unavailable",
            "saved_503",
            "connection_errors",
        ):
            setattr(totals, name, getattr(totals, name) + getattr(tally, name))
    print(
        f"{'total':<15} {totals.requests:>8} {totals.ok:>8} {totals.client_errors:>5} {totals.server_errors:>5} "
        f"{totals.unavailable:>6} {totals.saved_503:>6} {totals.connection_errors:>8}"
    )
    print(
        f"acknowledged writes: {len(load.created)} notes created, {len(load.deleted)} deleted; lost: "
        f"{len(lost_creates)} creations, {len(lost_deletes)} deletions"
    )
    saved = load.saved_but_503 - load.deleted
    print(
        f"503 answers that said 'Your change was saved': {len(saved)}, of which in the database: {len(saved & present)}"
    )
    print(f"('saved' = 503 answers that said the change was saved; gunicorn's log: {log})")


if __name__ == "__main__":
    sys.exit(main())
