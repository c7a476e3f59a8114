"""The hasher registry: Django's formats, Django-made hashes, Werkzeug's hashes, upgrades."""

from __future__ import annotations

import base64
import hashlib

import pytest
from werkzeug.security import generate_password_hash

from flaskkit.plugins.auth import check_password
from flaskkit.plugins.auth import identify_hasher
from flaskkit.plugins.auth import is_password_usable
from flaskkit.plugins.auth import make_password
from flaskkit.plugins.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from flaskkit.plugins.auth.hashers import MD5PasswordHasher
from flaskkit.plugins.auth.hashers import PBKDF2PasswordHasher
from flaskkit.plugins.auth.hashers import PBKDF2SHA1PasswordHasher
from flaskkit.plugins.auth.hashers import ScryptPasswordHasher
from flaskkit.plugins.auth.hashers import get_hasher
from flaskkit.plugins.auth.hashers import verify_password

#: Made by Django 5.2 (``make_password("lètmein", "seasalt", "pbkdf2_sha256")``, its own test suite's value).
DJANGO_52_HASH = "pbkdf2_sha256$1000000$seasalt$r1uLUxoxpP2Ued/qxvmje7UH9PUJBkRrvf9gGPL7Cps="
#: The same call in Django 4.1 (390,000 iterations), from Django's test suite of that version.
DJANGO_41_HASH = "pbkdf2_sha256$390000$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c="
#: Django's MD5PasswordHasher for the same password and salt (its test suite's value).
DJANGO_MD5_HASH = "md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3"


def django_pbkdf2(password: str, salt: str, iterations: int) -> str:
    """A Django pbkdf2_sha256 hash made without Django: its documented format over hashlib."""
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(digest).decode()}"


def test_the_default_is_djangos_pbkdf2_sha256_with_a_million_iterations():
    encoded = make_password("lètmein")
    algorithm, iterations, salt, _digest = encoded.split("$")
    assert (algorithm, iterations) == ("pbkdf2_sha256", "1000000")
    assert len(salt) == 22  # 128 bits of [a-zA-Z0-9]
    assert verify_password("lètmein", encoded) == (True, False)
    assert identify_hasher(encoded).algorithm == "pbkdf2_sha256"


def test_the_same_salt_gives_djangos_exact_hash():
    assert make_password("lètmein", "seasalt", "pbkdf2_sha256") == DJANGO_52_HASH


def test_django_made_hashes_verify():
    assert check_password("lètmein", DJANGO_52_HASH) is True
    assert check_password("lètmein", DJANGO_41_HASH) is True
    assert check_password("letmein", DJANGO_41_HASH) is False


def test_a_hash_generated_as_django_does_verifies():
    encoded = django_pbkdf2("s3cret-Passw0rd", "Ab3dEf7hIj1lMn5pQr9tUv", 1_000_000)
    # Correct, and with a current iteration count and a salt of 128 bits: nothing to upgrade.
    assert verify_password("s3cret-Passw0rd", encoded) == (True, False)


def test_outdated_hashes_must_be_upgraded_and_the_setter_gets_the_password():
    calls = []
    assert check_password("lètmein", DJANGO_41_HASH, setter=calls.append) is True
    assert calls == ["lètmein"]
    # Fewer iterations, or a salt with too little entropy ("seasalt"), or another algorithm.
    hasher = PBKDF2PasswordHasher()
    assert hasher.must_update(django_pbkdf2("pw", "Ab3dEf7hIj1lMn5pQr9tUv", 600_000)) is True
    assert hasher.must_update(django_pbkdf2("pw", "seasalt", 1_000_000)) is True
    assert hasher.must_update(django_pbkdf2("pw", "Ab3dEf7hIj1lMn5pQr9tUv", 1_000_000)) is False
    # A wrong password never calls the setter.
    check_password("wrong", generate_password_hash("right", method="pbkdf2:sha256:1000"), setter=calls.append)
    assert calls == ["lètmein"]


def test_a_wrong_password_against_an_outdated_hash_costs_the_current_work_factor(monkeypatch):
    counted = []
    original = PBKDF2PasswordHasher.encode

    def counting(self, password, salt, iterations=None):
        counted.append(iterations)
        return original(self, password, salt, iterations)

    monkeypatch.setattr(PBKDF2PasswordHasher, "encode", counting)
    fast = django_pbkdf2("pw", "Ab3dEf7hIj1lMn5pQr9tUv", 1000)
    assert check_password("wrong", fast) is False
    assert counted == [1000, 1_000_000 - 1000]  # verify, then harden_runtime's remainder


def test_werkzeug_hashes_verify_and_are_upgraded():
    for method in ("pbkdf2:sha256:1000", "scrypt"):
        encoded = generate_password_hash("flask-pass", method=method)
        assert identify_hasher(encoded).algorithm == "werkzeug"
        assert verify_password("flask-pass", encoded) == (True, True)
        assert verify_password("other", encoded) == (False, True)


def test_scrypt_round_trip():
    hasher = ScryptPasswordHasher()
    encoded = make_password("pässword", hasher=hasher)
    assert encoded.startswith("scrypt$16384$")
    assert verify_password("pässword", encoded, preferred=hasher) == (True, False)
    assert check_password("password", encoded) is False
    assert hasher.must_update(hasher.encode("pw", "salt", n=2**4)) is True


def test_pbkdf2_sha1_round_trip():
    hasher = PBKDF2SHA1PasswordHasher()
    encoded = hasher.encode("pässword", hasher.salt(), iterations=1000)
    assert encoded.startswith("pbkdf2_sha1$1000$")
    assert verify_password("pässword", encoded) == (True, True)  # not the preferred algorithm


def test_md5_hasher_matches_django():
    hasher = MD5PasswordHasher()
    assert hasher.encode("lètmein", "seasalt") == DJANGO_MD5_HASH
    assert hasher.verify("lètmein", DJANGO_MD5_HASH) is True


def test_unusable_passwords():
    encoded = make_password(None)
    assert encoded.startswith(UNUSABLE_PASSWORD_PREFIX)
    assert len(encoded) == 41
    assert make_password(None) != encoded
    assert is_password_usable(encoded) is False
    assert check_password(None, encoded) is False
    assert check_password(encoded, encoded) is False
    assert check_password("", encoded) is False


@pytest.mark.parametrize(
    "encoded",
    ["", "gibberish", "pbkdf2_sha256$", "pbkdf2_sha256$notanumber$salt$hash", "unknown_algo$1$2$3", "md5$seasalt$x"],
)
def test_damaged_or_unknown_hashes_are_just_wrong(encoded):
    assert check_password("lètmein", encoded) is False


def test_make_password_refuses_what_is_not_text():
    with pytest.raises(TypeError, match=r"^Password must be a string or bytes, got int\.$"):
        make_password(1)  # type: ignore[arg-type]


def test_unknown_algorithm_names_the_setting():
    with pytest.raises(ValueError, match=r"Unknown password hashing algorithm 'argon2'\. Did you specify it in the"):
        get_hasher("argon2")


def test_safe_summary_masks_salt_and_hash():
    summary = PBKDF2PasswordHasher().safe_summary(DJANGO_52_HASH)
    assert summary == {
        "algorithm": "pbkdf2_sha256",
        "iterations": 1000000,
        "salt": "se*****",
        "hash": "r1uLUx" + "*" * 38,
    }
