"""A real SMTP server for the tests: aiosmtpd in a subprocess on 127.0.0.1, stopped by its PID.

::

    with smtp_server(tmp_path) as server:          # server.port, server.messages()
        ...

Each message it receives is written to a Maildir (``server.maildir``); with
``auth=("user", "password")`` it requires that login (AUTH PLAIN/LOGIN, allowed
without TLS, as on a test bench). Run as a script, it is the server itself.
"""

from __future__ import annotations

import argparse
import contextlib
import email
import email.policy
import mailbox
import os
import signal
import socket
import subprocess
import sys
import time
import typing as t
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
#: Seconds the server may take to start, and to stop after SIGTERM.
START_TIMEOUT = 20
STOP_TIMEOUT = 10


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SMTPServer:
    process: subprocess.Popen[bytes]
    port: int
    maildir: Path

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def messages(self) -> list[email.message.EmailMessage]:
        """The messages received so far, oldest first."""
        box = mailbox.Maildir(self.maildir, create=False)
        found = [
            email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
            for key in box.keys()  # noqa: SIM118  (iterating a Maildir yields messages, not keys)
        ]
        found.sort(key=lambda message: str(message["X-Sequence"] or ""))
        return t.cast("list[email.message.EmailMessage]", found)

    def wait_for(self, count: int, timeout: float = 10) -> list[email.message.EmailMessage]:
        """The messages, once there are at least ``count`` (or after ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.messages()
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=STOP_TIMEOUT)


@contextlib.contextmanager
def smtp_server(directory: Path, *, auth: tuple[str, str] | None = None) -> t.Iterator[SMTPServer]:
    """Start the server on a free port, wait until it answers, yield it, then stop it by its PID."""
    port = free_port()
    maildir = directory / f"maildir-{port}"
    command = [sys.executable, "-m", "tests.plugins.mail.smtp_server", "--port", str(port), "--maildir", str(maildir)]
    if auth:
        command += ["--auth", f"{auth[0]}:{auth[1]}"]
    log = directory / f"smtp-{port}.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    server = SMTPServer(process, port, maildir)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"The SMTP server exited with status {process.returncode}:\n{log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    if sock.recv(100).startswith(b"220"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"The SMTP server did not answer on 127.0.0.1:{port}:\n{log.read_text()}")
            time.sleep(0.05)
        yield server
    finally:
        server.stop()


def main() -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Mailbox
    from aiosmtpd.smtp import AuthResult

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--auth", default=None)
    args = parser.parse_args()
    counter = iter(range(1, 1_000_000))

    class NumberedMailbox(Mailbox):
        def prepare_message(self, session: t.Any, envelope: t.Any) -> t.Any:
            message = super().prepare_message(session, envelope)
            message["X-Sequence"] = f"{next(counter):06d}"
            return message

    options: dict[str, t.Any] = {}
    if args.auth:
        user, _, password = args.auth.partition(":")

        def authenticator(server: t.Any, session: t.Any, envelope: t.Any, mechanism: str, data: t.Any) -> AuthResult:
            ok = data.login.decode() == user and data.password.decode() == password
            return AuthResult(success=ok, handled=False)

        options = {"authenticator": authenticator, "auth_required": True, "auth_require_tls": False}
    controller = Controller(NumberedMailbox(args.maildir), hostname="127.0.0.1", port=args.port, **options)
    controller.start()
    stopped = False

    def stop(signum: int, frame: t.Any) -> None:
        nonlocal stopped
        stopped = True

    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopped:
            time.sleep(0.1)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
