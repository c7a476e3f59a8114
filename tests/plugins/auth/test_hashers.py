"""The hasher registry: Django's formats, Django-made hashes, Werkzeug's hashes, upgrades, constant time.

The second half ports the relevant cases of Django's ``tests/auth_tests/test_hashers.py``
(5.2): ``use_hashers`` stands for its ``override_settings(PASSWORD_HASHERS=...)``.
"""

from __future__ import annotations

import base64
import hashlib
from unittest import mock

import pytest
from werkzeug.security import generate_password_hash

from flaskkit.plugins.auth import check_password
from flaskkit.plugins.auth import hashers
from flaskkit.plugins.auth import identify_hasher
from flaskkit.plugins.auth import is_password_usable
from flaskkit.plugins.auth import make_password
from flaskkit.plugins.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from flaskkit.plugins.auth.hashers import UNUSABLE_PASSWORD_SUFFIX_LENGTH
from flaskkit.plugins.auth.hashers import BasePasswordHasher
from flaskkit.plugins.auth.hashers import HasherRegistry
from flaskkit.plugins.auth.hashers import MD5PasswordHasher
from flaskkit.plugins.auth.hashers import PBKDF2PasswordHasher
from flaskkit.plugins.auth.hashers import PBKDF2SHA1PasswordHasher
from flaskkit.plugins.auth.hashers import ScryptPasswordHasher
from flaskkit.plugins.auth.hashers import WerkzeugPasswordHasher
from flaskkit.plugins.auth.hashers import get_hasher
from flaskkit.plugins.auth.hashers import verify_password

from .hashers import PBKDF2SingleIterationHasher

#: Made by Django 5.2 (``make_password("lètmein", "seasalt", "pbkdf2_sha256")``, its own test suite's value).
DJANGO_52_HASH = "pbkdf2_sha256$1000000$seasalt$r1uLUxoxpP2Ued/qxvmje7UH9PUJBkRrvf9gGPL7Cps="
#: The same call in Django 4.1 (390,000 iterations), from Django's test suite of that version.
DJANGO_41_HASH = "pbkdf2_sha256$390000$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c="
#: Django's MD5PasswordHasher for the same password and salt (its test suite's value).
DJANGO_MD5_HASH = "md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3"


@pytest.fixture
def use_hashers(monkeypatch):
    """``use_hashers(hasher, ...)``: the app's ``PASSWORD_HASHERS`` for this test, preferred first."""

    def use(*chosen: BasePasswordHasher) -> HasherRegistry:
        registry = HasherRegistry(list(chosen))
        monkeypatch.setattr(hashers, "get_hashers", lambda: registry)
        return registry

    return use


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


def test_unusable_passwords(use_hashers):
    use_hashers(PBKDF2SingleIterationHasher())
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
    [
        "",
        "gibberish",
        "pbkdf2_sha256$",
        "pbkdf2_sha256$notanumber$salt$hash",
        "unknown_algo$1$2$3",
        "md5$seasalt$x",
        "pbkdf2:md4:1000$salt$00",  # a Werkzeug method that does not exist
    ],
)
def test_damaged_or_unknown_hashes_are_just_wrong(use_hashers, encoded):
    use_hashers(PBKDF2SingleIterationHasher(), MD5PasswordHasher(), WerkzeugPasswordHasher())
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


# -- every path costs one hash (CVE-2024-39329) ----------------------------------------------------


def counting_make_password():
    """``hashers.make_password`` patched to count its calls (and still hash)."""
    return mock.patch.object(hashers, "make_password", wraps=hashers.make_password)


@pytest.mark.parametrize(
    ("password", "encoded"),
    [
        pytest.param(None, None, id="no password, no hash"),
        pytest.param("lètmein", None, id="a user without a hash"),
        pytest.param(None, "pbkdf2_sha256$1$salt$hash", id="no password"),
        pytest.param("lètmein", make_password(None), id="an unusable password"),  # SSO users, --noinput
        pytest.param(
            "lètmein", "argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$aGFzaA", id="a hasher that is not listed"
        ),
        pytest.param("lètmein", "gibberish", id="gibberish"),
        pytest.param("lètmein", "pbkdf2_sha256$notanumber$salt$hash", id="a damaged hash of a known algorithm"),
    ],
)
def test_nothing_to_check_still_runs_the_default_hasher_once(use_hashers, password, encoded):
    use_hashers(PBKDF2SingleIterationHasher())
    with counting_make_password() as spy:
        assert check_password(password, encoded) is False
    assert spy.call_count == 1
    # A random password of Django's length, with the default hasher (Django's make_password call).
    [(args, kwargs)] = [(call.args, call.kwargs) for call in spy.call_args_list]
    assert len(args[0]) == UNUSABLE_PASSWORD_SUFFIX_LENGTH and kwargs == {}


def test_a_real_check_does_not_add_a_fake_one(use_hashers):
    use_hashers(PBKDF2SingleIterationHasher())
    encoded = make_password("lètmein")
    with counting_make_password() as spy:
        assert check_password("lètmein", encoded) is True
        assert check_password("incorrect", encoded) is False
    assert spy.call_count == 0


def test_check_password_calls_make_password_to_fake_runtime(use_hashers):
    # Django's test of the same name: verify() is never called, make_password gets "x" * 40.
    registry = use_hashers(PBKDF2SingleIterationHasher())
    hasher = registry.preferred
    cases = [
        (None, None, None),  # no plain text password provided
        ("foo", make_password(password=None), None),  # unusable encoded
        ("letmein", make_password(password="letmein"), ValueError),  # valid encoded, hasher no longer listed
    ]
    for password, encoded, identify_side_effect in cases:
        with (
            mock.patch.object(registry, "identify", side_effect=identify_side_effect),
            mock.patch.object(hashers, "make_password") as fake,
            mock.patch.object(hashers, "get_random_string", side_effect=lambda size: "x" * size),
            mock.patch.object(hasher, "verify") as verify,
        ):
            check_password(password, encoded)
            assert verify.call_count == 0, encoded
            assert fake.mock_calls == [mock.call("x" * UNUSABLE_PASSWORD_SUFFIX_LENGTH)], encoded


def test_model_backend_hashes_for_unknown_users_and_unusable_passwords_alike(use_hashers):
    # The user model's check_password goes through the same function.
    from flaskkit.plugins.auth.models import AbstractBaseUser

    use_hashers(PBKDF2SingleIterationHasher())
    user = AbstractBaseUser()
    user.set_unusable_password()
    assert user.has_usable_password() is False
    with counting_make_password() as spy:
        assert user.check_password("anything") is False
    assert spy.call_count == 1


# -- ported from Django's tests/auth_tests/test_hashers.py --------------------------------------------


def test_simple_and_blank_passwords(use_hashers):
    use_hashers(PBKDF2SingleIterationHasher())
    encoded = make_password("lètmein")
    assert encoded.startswith("pbkdf2_sha256$")
    assert is_password_usable(encoded) is True
    assert check_password("lètmein", encoded) is True
    assert check_password("lètmeinz", encoded) is False
    # Blank passwords are passwords.
    blank_encoded = make_password("")
    assert blank_encoded.startswith("pbkdf2_sha256$")
    assert is_password_usable(blank_encoded) is True
    assert check_password("", blank_encoded) is True
    assert check_password(" ", blank_encoded) is False


def test_bytes(use_hashers):
    use_hashers(PBKDF2SingleIterationHasher())
    encoded = make_password(b"bytes_password")
    assert encoded.startswith("pbkdf2_sha256$")
    assert is_password_usable(encoded) is True
    assert check_password(b"bytes_password", encoded) is True


def test_pbkdf2_salt_entropy():
    hasher = PBKDF2PasswordHasher()
    encoded_weak_salt = hasher.encode("lètmein", "iodizedsalt", iterations=1)
    encoded_strong_salt = hasher.encode("lètmein", hasher.salt(), iterations=hasher.iterations)
    assert hasher.must_update(encoded_weak_salt) is True
    assert hasher.must_update(encoded_strong_salt) is False


def test_md5(use_hashers):
    use_hashers(MD5PasswordHasher())
    encoded = make_password("lètmein", "seasalt", "md5")
    assert encoded == DJANGO_MD5_HASH
    assert is_password_usable(encoded) is True
    assert check_password("lètmein", encoded) is True
    assert check_password("lètmeinz", encoded) is False
    assert identify_hasher(encoded).algorithm == "md5"
    blank_encoded = make_password("", "seasalt", "md5")
    assert blank_encoded.startswith("md5$")
    assert check_password("", blank_encoded) is True
    assert check_password(" ", blank_encoded) is False
    hasher = get_hasher("md5")
    assert hasher.must_update(make_password("lètmein", "iodizedsalt", "md5")) is True
    assert hasher.must_update(make_password("lètmein", hasher.salt(), "md5")) is False


def test_unusable_as_django(use_hashers):
    use_hashers(PBKDF2SingleIterationHasher())
    encoded = make_password(None)
    assert len(encoded) == len(UNUSABLE_PASSWORD_PREFIX) + UNUSABLE_PASSWORD_SUFFIX_LENGTH
    assert is_password_usable(encoded) is False
    for password in (None, encoded, UNUSABLE_PASSWORD_PREFIX, "", "lètmein", "lètmeinz"):
        assert check_password(password, encoded) is False, password
    with pytest.raises(ValueError, match="Unknown password hashing algorith"):
        identify_hasher(encoded)
    assert encoded != make_password(None), "Random password collision?"


def test_unspecified_password(use_hashers):
    use_hashers(PBKDF2SingleIterationHasher())
    assert check_password(None, make_password("lètmein")) is False


def test_bad_algorithm():
    message = r"Unknown password hashing algorithm 'lolcat'\. Did you specify it in the PASSWORD_HASHERS setting\?"
    with pytest.raises(ValueError, match=message):
        make_password("lètmein", hasher="lolcat")
    with pytest.raises(ValueError, match=message):
        identify_hasher("lolcat$salt$hash")


@pytest.mark.parametrize("encoded", ["lètmein_badencoded", "", None])
def test_is_password_usable(encoded):
    assert is_password_usable(encoded) is True


@pytest.mark.parametrize("algorithm", ["pbkdf2_sha1", "md5"])
def test_upgrade(use_hashers, algorithm):
    use_hashers(PBKDF2SingleIterationHasher(), PBKDF2SHA1PasswordHasher(), MD5PasswordHasher())
    assert get_hasher("default").algorithm == "pbkdf2_sha256"
    if algorithm == "md5":
        encoded = make_password("lètmein", hasher=algorithm)
    else:
        hasher = get_hasher(algorithm)
        encoded = hasher.encode("lètmein", hasher.salt(), iterations=1)
    upgraded = []
    assert check_password("lètmein", encoded, upgraded.append) is True
    assert upgraded == ["lètmein"]


@pytest.mark.parametrize("algorithm", ["pbkdf2_sha256", "md5"])
def test_no_upgrade_on_incorrect_pass(use_hashers, algorithm):
    use_hashers(PBKDF2SingleIterationHasher(), MD5PasswordHasher())
    encoded = make_password("lètmein", hasher=algorithm)
    upgraded = []
    assert check_password("WRONG", encoded, upgraded.append) is False
    assert upgraded == []


def test_pbkdf2_upgrade(use_hashers, monkeypatch):
    registry = use_hashers(PBKDF2PasswordHasher())
    hasher = registry.preferred
    monkeypatch.setattr(hasher, "iterations", 1)
    encoded = make_password("letmein")
    assert encoded.split("$", 3)[1] == "1"
    upgraded = []
    assert check_password("letmein", encoded, upgraded.append) is True
    assert upgraded == []  # no upgrade
    monkeypatch.setattr(hasher, "iterations", 2)  # the work factor goes up...
    assert check_password("letmein", encoded, upgraded.append) is True
    assert upgraded == ["letmein"]  # ... so the hash is redone


def test_pbkdf2_upgrade_new_hasher(use_hashers):
    upgraded = []
    use_hashers(PBKDF2SingleIterationHasher())
    encoded = make_password("letmein")
    assert encoded.split("$", 3)[1] == "1"
    assert check_password("letmein", encoded, upgraded.append) is True
    assert upgraded == []
    use_hashers(PBKDF2PasswordHasher(), PBKDF2SingleIterationHasher())
    assert check_password("letmein", encoded, upgraded.append) is True
    assert upgraded == ["letmein"]


def test_pbkdf2_harden_runtime(monkeypatch):
    hasher = PBKDF2PasswordHasher()
    monkeypatch.setattr(hasher, "iterations", 1)
    encoded = hasher.encode("letmein", hasher.salt())
    monkeypatch.setattr(hasher, "iterations", 6)
    with mock.patch.object(hasher, "encode", side_effect=hasher.encode) as encode:
        hasher.harden_runtime("wrong_password", encoded)
    # Once, with the original salt and the 5 missing iterations.
    salt = encoded.split("$", 3)[2]
    assert encode.call_args_list == [mock.call("wrong_password", salt, 5)]


def test_check_password_calls_harden_runtime(use_hashers):
    registry = use_hashers(PBKDF2SingleIterationHasher())
    hasher = registry.preferred
    encoded = make_password("letmein")
    with (
        mock.patch.object(hasher, "harden_runtime") as harden,
        mock.patch.object(hasher, "must_update", return_value=True),
    ):
        check_password("letmein", encoded)  # correct: no hardening needed
        assert harden.call_count == 0
        check_password("wrong_password", encoded)  # wrong: hardening needed
        assert harden.call_count == 1


@pytest.mark.parametrize(
    "hasher_class", [MD5PasswordHasher, PBKDF2PasswordHasher, PBKDF2SHA1PasswordHasher, ScryptPasswordHasher]
)
@pytest.mark.parametrize("salt", [None, "", "sea$salt"])
def test_encode_invalid_salt(hasher_class, salt):
    with pytest.raises(ValueError, match=r"^salt must be provided and cannot contain \$\.$"):
        hasher_class().encode("password", salt)


@pytest.mark.parametrize(
    "hasher_class", [MD5PasswordHasher, PBKDF2PasswordHasher, PBKDF2SHA1PasswordHasher, ScryptPasswordHasher]
)
def test_encode_password_required(hasher_class):
    with pytest.raises(TypeError, match=r"^password must be provided\.$"):
        hasher_class().encode(None, "seasalt")


def test_base_password_hasher():
    hasher = BasePasswordHasher()
    assert hasher.must_update("encoded") is False
    for call in (
        lambda: hasher.encode("password", "salt"),
        lambda: hasher.decode("encoded"),
        lambda: hasher.verify("password", "encoded"),
    ):
        with pytest.raises(NotImplementedError, match=r"^BasePasswordHasher must define "):
            call()


#: Django 4.2's ``make_password("lètmein", "seasalt", "scrypt")`` (parallelism 1, its default then).
DJANGO_42_SCRYPT_HASH = (
    "scrypt$16384$seasalt$8$1$Qj3+9PPyRjSJIebHnG81TMjsqtaIGxNQG/aEB/NYafTJ7tibgfYz71m0ldQESkXFRkdVCBhhY8mx7rQwite/Pw=="
)


def test_scrypt_verifies_djangos_hash_and_decodes_it(use_hashers):
    use_hashers(PBKDF2SingleIterationHasher(), ScryptPasswordHasher())
    hasher = ScryptPasswordHasher()
    assert hasher.encode("lètmein", "seasalt", p=1) == DJANGO_42_SCRYPT_HASH
    assert check_password("lètmein", DJANGO_42_SCRYPT_HASH) is True
    assert check_password("lètmeinz", DJANGO_42_SCRYPT_HASH) is False
    assert identify_hasher(DJANGO_42_SCRYPT_HASH).algorithm == "scrypt"
    decoded = hasher.decode(DJANGO_42_SCRYPT_HASH)
    assert (decoded["block_size"], decoded["parallelism"], decoded["salt"], decoded["work_factor"]) == (
        8,
        1,
        "seasalt",
        2**14,
    )
    blank_encoded = hasher.encode("", "seasalt", n=2**4)
    assert hasher.verify("", blank_encoded) is True
    assert hasher.verify(" ", blank_encoded) is False


@pytest.mark.parametrize(
    ("attribute", "summary_key", "value"),
    [("work_factor", "work factor", 2**11), ("block_size", "block size", 10), ("parallelism", "parallelism", 2)],
)
def test_scrypt_upgrade(use_hashers, monkeypatch, attribute, summary_key, value):
    registry = use_hashers(ScryptPasswordHasher())
    hasher = registry.preferred
    old = getattr(hasher, attribute)
    monkeypatch.setattr(hasher, attribute, value)
    encoded = make_password("lètmein", "seasalt", "scrypt")
    assert hasher.safe_summary(encoded)[summary_key] == value
    upgraded = []
    assert check_password("lètmein", encoded, upgraded.append, "scrypt") is True
    assert upgraded == []
    monkeypatch.setattr(hasher, attribute, old)
    assert check_password("lètmein", encoded, upgraded.append, "scrypt") is True
    assert upgraded == ["lètmein"]
