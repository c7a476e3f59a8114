"""Login timing: no kind of account answers faster than the others (Django's CVE-2024-39329 and #20760).

An attacker who times failed logins must not learn which usernames exist, which accounts have
an unusable password (SSO users, ``createsuperuser --noinput`` without a password) or a hash
of a hasher the site no longer lists. The comparison runs the real login view with a real
PBKDF2 hasher, at 100,000 iterations instead of 1,000,000 (``CheapPBKDF2PasswordHasher``,
named in ``PASSWORD_HASHERS``) so that it takes a few seconds, and compares medians over
interleaved rounds, each time relative to its round, as the machine may be busy.
"""

from __future__ import annotations

import random
import statistics
import time

from .conftest import create_user
from .conftest import page_token
from .conftest import set_hash
from .hashers import CHEAP_PBKDF2_PATH

INVALID_LOGIN = "Please enter a correct username and password."
#: A hash of Django's Argon2 hasher, which flaskkit does not ship.
ARGON2_HASH = "argon2$argon2id$v=19$m=102400,t=2,p=8$c29tZXNhbHRzb21lc2FsdA$Q0h1cmNoaWxsIHdhcyByaWdodA"
#: The kinds of accounts, and the username tried for each.
KINDS = {
    "wrong password": "ada",
    "unusable password": "sso-user",
    "unknown algorithm": "legacy",
    "unknown user": "nobody",
}
ROUNDS = 15
#: The largest ratio allowed between the slowest and the fastest median (the issue's 1.5x).
MAX_RATIO = 1.5


def test_every_kind_of_account_takes_as_long_to_refuse(make):
    app = make(PASSWORD_HASHERS=[CHEAP_PBKDF2_PATH], AUTH_THROTTLE_ENABLED=False)
    create_user(app, "ada")
    create_user(app, "sso-user", password=None)
    create_user(app, "legacy")
    set_hash(app, "legacy", ARGON2_HASH)
    client = app.test_client()
    token = page_token(client, "/accounts/login/")

    def attempt(username: str) -> float:
        data = {"username": username, "password": "wrong-password", "csrf_token": token}
        started = time.perf_counter()
        response = client.post("/accounts/login/", data=data)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200 and INVALID_LOGIN in response.text, username
        return elapsed

    for username in KINDS.values():  # warm up: templates compiled, connections open
        attempt(username)
    samples: dict[str, list[float]] = {kind: [] for kind in KINDS}
    relative: dict[str, list[float]] = {kind: [] for kind in KINDS}
    shuffle = random.Random(20760).shuffle
    for _ in range(ROUNDS):
        order = list(KINDS.items())
        shuffle(order)  # interleaved, in a new order each round: a busy moment may hit any kind
        times = {kind: attempt(username) for kind, username in order}
        level = statistics.median(times.values())
        for kind, seconds in times.items():
            samples[kind].append(seconds)
            # Each time against its own round's: a machine that slows down for a while slows
            # every kind of that round, and the comparison stays fair.
            relative[kind].append(seconds / level)
    medians = {kind: statistics.median(values) for kind, values in relative.items()}
    shown = ", ".join(f"{kind} {statistics.median(times) * 1000:.1f} ms" for kind, times in samples.items())
    assert max(medians.values()) / min(medians.values()) < MAX_RATIO, f"median times: {shown}"
