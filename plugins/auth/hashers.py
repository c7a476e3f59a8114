"""Password hashing: Django's hasher registry, with Django's hash formats.

``make_password``, ``check_password``, ``identify_hasher`` and the hasher
classes behave as ``django.contrib.auth.hashers`` does in Django 5.2, so a
database of users can move between a Django site and a flaskkit one with
their passwords:

* the default is ``pbkdf2_sha256`` with 1,000,000 iterations
  (``pbkdf2_sha256$1000000$<salt>$<base64 hash>``);
* ``check_password(raw, encoded, setter)`` calls ``setter(raw)`` when the
  hash should be redone (another algorithm than the preferred one, an
  outdated work factor, a salt with too little entropy): the user model
  saves the new hash at a successful login;
* Werkzeug's own format (``pbkdf2:sha256:600000$salt$hex``,
  ``scrypt:32768:8:1$...``, what ``werkzeug.security.generate_password_hash``
  writes) is verified too, by Werkzeug, and upgraded at the next login;
* every check costs the time of one hash (Django's fix for CVE-2024-39329):
  an unusable password, a hash of an algorithm the app does not list, a
  damaged hash and a missing password run the default hasher on a random
  password, and a wrong password against an outdated hash runs the missing
  work (``harden_runtime``), so the response time of a login does not tell
  which accounts exist, which have a password, or how old their hash is.

The cryptography is the standard library's (``hashlib.pbkdf2_hmac``,
``hashlib.scrypt``) and Werkzeug's; this module only reads and writes the
formats. Werkzeug's ``generate_password_hash`` is not the default because its
format is not Django's and it has no "needs upgrade" answer
(django-parity.md §7).

The hashers an app uses are its ``PASSWORD_HASHERS`` setting (the first one
makes new hashes); outside an app, the defaults.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import math
import secrets
import string
import typing as t

from flask import current_app
from flask import has_app_context

__all__ = [
    "DEFAULT_PASSWORD_HASHERS",
    "UNUSABLE_PASSWORD_PREFIX",
    "UNUSABLE_PASSWORD_SUFFIX_LENGTH",
    "BasePasswordHasher",
    "HasherRegistry",
    "MD5PasswordHasher",
    "PBKDF2PasswordHasher",
    "PBKDF2SHA1PasswordHasher",
    "ScryptPasswordHasher",
    "WerkzeugPasswordHasher",
    "check_password",
    "get_hasher",
    "get_hashers",
    "identify_hasher",
    "is_password_usable",
    "make_password",
    "verify_password",
]

#: A hash that starts with this is no password at all (``set_unusable_password()``).
UNUSABLE_PASSWORD_PREFIX = "!"
#: Random characters after the prefix, so unusable hashes differ (as Django).
UNUSABLE_PASSWORD_SUFFIX_LENGTH = 40

#: The characters of salts and random strings (Django's ``RANDOM_STRING_CHARS``).
RANDOM_STRING_CHARS = string.ascii_letters + string.digits

#: ``PASSWORD_HASHERS`` when the app does not set it: Django 5.2's list, less the
#: hashers that need a library flaskkit does not install (Argon2, bcrypt), plus
#: Werkzeug's format (verified and upgraded, never written).
DEFAULT_PASSWORD_HASHERS: tuple[str, ...] = (
    "flaskkit.plugins.auth.hashers:PBKDF2PasswordHasher",
    "flaskkit.plugins.auth.hashers:PBKDF2SHA1PasswordHasher",
    "flaskkit.plugins.auth.hashers:ScryptPasswordHasher",
    "flaskkit.plugins.auth.hashers:WerkzeugPasswordHasher",
)

Password = str | bytes


def get_random_string(length: int, allowed_chars: str = RANDOM_STRING_CHARS) -> str:
    """``length`` characters of ``allowed_chars``, from the ``secrets`` generator."""
    return "".join(secrets.choice(allowed_chars) for _ in range(length))


def _text(value: Password) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _bytes(value: Password) -> bytes:
    return value if isinstance(value, bytes) else value.encode()


def mask_hash(value: str, show: int = 6, char: str = "*") -> str:
    """The first ``show`` characters of ``value``, the rest masked (for ``safe_summary``)."""
    return value[:show] + char * len(value[show:])


def must_update_salt(salt: str, expected_entropy: int) -> bool:
    """Whether ``salt`` has less entropy than ``expected_entropy`` bits (Django's rule)."""
    return len(salt) * math.log2(len(RANDOM_STRING_CHARS)) < expected_entropy


class BasePasswordHasher:
    """The hasher API of Django: subclass it for another algorithm.

    A hasher writes ``<algorithm>$...`` strings; :attr:`algorithm` is the part
    before the first ``$`` and must be unique among the app's hashers.
    """

    #: The identifier at the start of every hash this hasher writes.
    algorithm: t.ClassVar[str] = ""
    #: Bits of entropy a salt must have; fewer makes :meth:`must_update` true.
    salt_entropy: t.ClassVar[int] = 128

    def salt(self) -> str:
        """A random salt with at least :attr:`salt_entropy` bits."""
        count = math.ceil(self.salt_entropy / math.log2(len(RANDOM_STRING_CHARS)))
        return get_random_string(count)

    def verify(self, password: Password, encoded: str) -> bool:
        """Whether ``password`` matches ``encoded`` (in constant time)."""
        raise NotImplementedError(f"{type(self).__name__} must define verify().")

    def encode(self, password: Password, salt: str) -> str:
        """Hash ``password`` with ``salt``: the string to store."""
        raise NotImplementedError(f"{type(self).__name__} must define encode().")

    def decode(self, encoded: str) -> dict[str, t.Any]:
        """The parts of ``encoded``: at least ``algorithm``, ``hash`` and ``salt``."""
        raise NotImplementedError(f"{type(self).__name__} must define decode().")

    def safe_summary(self, encoded: str) -> dict[str, t.Any]:
        """The parts of ``encoded`` for display, with the salt and hash masked."""
        decoded = self.decode(encoded)
        return {
            "algorithm": decoded["algorithm"],
            "salt": mask_hash(decoded.get("salt") or "", show=2),
            "hash": mask_hash(decoded["hash"]),
        }

    def must_update(self, encoded: str) -> bool:
        """Whether ``encoded`` should be redone with this hasher's current settings."""
        return False

    def harden_runtime(self, password: Password, encoded: str) -> None:
        """Spend the time a current hash would take, for a wrong password checked against an
        outdated hash: the response time must not tell which users have old hashes."""

    def _check_encode_args(self, password: Password | None, salt: str) -> None:
        if password is None:
            raise TypeError("password must be provided.")
        if not salt or "$" in salt:
            raise ValueError("salt must be provided and cannot contain $.")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.algorithm!r}>"


class PBKDF2PasswordHasher(BasePasswordHasher):
    """``pbkdf2_sha256``: PBKDF2-HMAC-SHA256, 1,000,000 iterations (Django 5.2's default)."""

    algorithm = "pbkdf2_sha256"
    #: The work factor of new hashes; a hash with another count is redone at login.
    iterations: t.ClassVar[int] = 1_000_000
    digest: t.ClassVar[t.Callable[..., t.Any]] = hashlib.sha256

    def encode(self, password: Password, salt: str, iterations: int | None = None) -> str:
        self._check_encode_args(password, salt)
        iterations = iterations or self.iterations
        name = self.digest().name
        raw = hashlib.pbkdf2_hmac(name, _bytes(password), _bytes(salt), iterations)
        digest = base64.b64encode(raw).decode("ascii").strip()
        return f"{self.algorithm}${iterations}${_text(salt)}${digest}"

    def decode(self, encoded: str) -> dict[str, t.Any]:
        algorithm, iterations, salt, digest = encoded.split("$", 3)
        if algorithm != self.algorithm:
            raise ValueError(f"{encoded[:20]!r}... is not a {self.algorithm} hash.")
        return {"algorithm": algorithm, "hash": digest, "iterations": int(iterations), "salt": salt}

    def verify(self, password: Password, encoded: str) -> bool:
        decoded = self.decode(encoded)
        again = self.encode(password, decoded["salt"], decoded["iterations"])
        return hmac.compare_digest(encoded.encode(), again.encode())

    def safe_summary(self, encoded: str) -> dict[str, t.Any]:
        decoded = self.decode(encoded)
        return {
            "algorithm": decoded["algorithm"],
            "iterations": decoded["iterations"],
            "salt": mask_hash(decoded["salt"], show=2),
            "hash": mask_hash(decoded["hash"]),
        }

    def must_update(self, encoded: str) -> bool:
        decoded = self.decode(encoded)
        return decoded["iterations"] != self.iterations or must_update_salt(decoded["salt"], self.salt_entropy)

    def harden_runtime(self, password: Password, encoded: str) -> None:
        decoded = self.decode(encoded)
        extra = self.iterations - decoded["iterations"]
        if extra > 0:
            self.encode(password, decoded["salt"], extra)


class PBKDF2SHA1PasswordHasher(PBKDF2PasswordHasher):
    """``pbkdf2_sha1``: Django's PBKDF2 with SHA1, for hashes from older Django sites."""

    algorithm = "pbkdf2_sha1"
    digest = hashlib.sha1


class ScryptPasswordHasher(BasePasswordHasher):
    """``scrypt``: Django's scrypt format (``scrypt$<n>$<salt>$<r>$<p>$<hash>``), ``hashlib.scrypt``."""

    algorithm = "scrypt"
    block_size: t.ClassVar[int] = 8
    #: ``hashlib.scrypt``'s ``maxmem``; 0 is OpenSSL's default (32 MiB).
    maxmem: t.ClassVar[int] = 0
    parallelism: t.ClassVar[int] = 5
    work_factor: t.ClassVar[int] = 2**14

    def encode(
        self, password: Password, salt: str, n: int | None = None, r: int | None = None, p: int | None = None
    ) -> str:
        self._check_encode_args(password, salt)
        n = n or self.work_factor
        r = r or self.block_size
        p = p or self.parallelism
        raw = hashlib.scrypt(_bytes(password), salt=_bytes(salt), n=n, r=r, p=p, maxmem=self.maxmem, dklen=64)
        digest = base64.b64encode(raw).decode("ascii").strip()
        return f"{self.algorithm}${n}${_text(salt)}${r}${p}${digest}"

    def decode(self, encoded: str) -> dict[str, t.Any]:
        algorithm, work_factor, salt, block_size, parallelism, digest = encoded.split("$", 6)
        if algorithm != self.algorithm:
            raise ValueError(f"{encoded[:20]!r}... is not a {self.algorithm} hash.")
        return {
            "algorithm": algorithm,
            "work_factor": int(work_factor),
            "salt": salt,
            "block_size": int(block_size),
            "parallelism": int(parallelism),
            "hash": digest,
        }

    def verify(self, password: Password, encoded: str) -> bool:
        decoded = self.decode(encoded)
        again = self.encode(
            password, decoded["salt"], decoded["work_factor"], decoded["block_size"], decoded["parallelism"]
        )
        return hmac.compare_digest(encoded.encode(), again.encode())

    def safe_summary(self, encoded: str) -> dict[str, t.Any]:
        decoded = self.decode(encoded)
        return {
            "algorithm": decoded["algorithm"],
            "work factor": decoded["work_factor"],
            "block size": decoded["block_size"],
            "parallelism": decoded["parallelism"],
            "salt": mask_hash(decoded["salt"], show=2),
            "hash": mask_hash(decoded["hash"]),
        }

    def must_update(self, encoded: str) -> bool:
        decoded = self.decode(encoded)
        return (
            decoded["work_factor"] != self.work_factor
            or decoded["block_size"] != self.block_size
            or decoded["parallelism"] != self.parallelism
        )


class MD5PasswordHasher(BasePasswordHasher):
    """``md5``: salted MD5. **Insecure**: only to make test suites fast, as Django's documentation advises."""

    algorithm = "md5"

    def encode(self, password: Password, salt: str) -> str:
        self._check_encode_args(password, salt)
        digest = hashlib.md5(_bytes(_text(salt) + _text(password)), usedforsecurity=False).hexdigest()
        return f"{self.algorithm}${_text(salt)}${digest}"

    def decode(self, encoded: str) -> dict[str, t.Any]:
        algorithm, salt, digest = encoded.split("$", 2)
        if algorithm != self.algorithm:
            raise ValueError(f"{encoded[:20]!r}... is not a {self.algorithm} hash.")
        return {"algorithm": algorithm, "hash": digest, "salt": salt}

    def verify(self, password: Password, encoded: str) -> bool:
        decoded = self.decode(encoded)
        return hmac.compare_digest(encoded.encode(), self.encode(password, decoded["salt"]).encode())

    def must_update(self, encoded: str) -> bool:
        return must_update_salt(self.decode(encoded)["salt"], self.salt_entropy)


class WerkzeugPasswordHasher(BasePasswordHasher):
    """Hashes written by ``werkzeug.security.generate_password_hash`` (Flask apps' usual choice).

    Verified by Werkzeug's ``check_password_hash``; never written (it cannot be
    the first of ``PASSWORD_HASHERS``): :meth:`must_update` is always true, so a
    user's hash becomes the preferred hasher's at their next login.
    """

    algorithm = "werkzeug"
    #: The method prefixes Werkzeug writes: ``pbkdf2:sha256:600000``, ``scrypt:32768:8:1``.
    prefixes: t.ClassVar[tuple[str, ...]] = ("pbkdf2:", "scrypt:")

    def handles(self, algorithm: str) -> bool:
        """Whether the part of a hash before its first ``$`` is one of Werkzeug's methods."""
        return algorithm.startswith(self.prefixes)

    def verify(self, password: Password, encoded: str) -> bool:
        from werkzeug.security import check_password_hash

        # A method Werkzeug does not know raises ValueError: verify_password() then spends the
        # time of a real check, as for any hash it cannot verify.
        return check_password_hash(encoded, _text(password))

    def encode(self, password: Password, salt: str) -> str:
        raise NotImplementedError(
            "WerkzeugPasswordHasher only verifies Werkzeug's hashes; put another hasher first in PASSWORD_HASHERS."
        )

    def decode(self, encoded: str) -> dict[str, t.Any]:
        method, salt, digest = encoded.split("$", 2)
        return {"algorithm": method, "salt": salt, "hash": digest}

    def must_update(self, encoded: str) -> bool:
        return True


# -- the registry ---------------------------------------------------------------------------------


class HasherRegistry:
    """An app's hashers, in ``PASSWORD_HASHERS`` order: the first one makes new hashes."""

    def __init__(self, hashers: t.Sequence[BasePasswordHasher]) -> None:
        if not hashers:
            raise ValueError("A HasherRegistry needs at least one hasher.")
        #: The hashers, preferred first.
        self.hashers: tuple[BasePasswordHasher, ...] = tuple(hashers)
        self._by_algorithm = {hasher.algorithm: hasher for hasher in self.hashers}

    @property
    def preferred(self) -> BasePasswordHasher:
        """The hasher that makes new hashes (the first of ``PASSWORD_HASHERS``)."""
        return self.hashers[0]

    def get(self, algorithm: str | BasePasswordHasher = "default") -> BasePasswordHasher:
        """The hasher of ``algorithm`` (``"default"``: the preferred one); ``ValueError`` when there is none."""
        if isinstance(algorithm, BasePasswordHasher):
            return algorithm
        if algorithm == "default":
            return self.preferred
        hasher = self._by_algorithm.get(algorithm)
        if hasher is None:
            for candidate in self.hashers:
                handles = getattr(candidate, "handles", None)
                if handles is not None and handles(algorithm):
                    return candidate
            raise ValueError(
                f"Unknown password hashing algorithm {algorithm!r}. Did you specify it in the PASSWORD_HASHERS setting?"
            )
        return hasher

    def identify(self, encoded: str) -> BasePasswordHasher:
        """The hasher that wrote ``encoded`` (from the part before its first ``$``)."""
        return self.get(encoded.split("$", 1)[0])


@functools.cache
def _default_registry() -> HasherRegistry:
    # A constant (the default classes, built once), not app state: every app with its own
    # PASSWORD_HASHERS has its own registry on its auth plugin.
    return HasherRegistry(
        [PBKDF2PasswordHasher(), PBKDF2SHA1PasswordHasher(), ScryptPasswordHasher(), WerkzeugPasswordHasher()]
    )


def get_hashers() -> HasherRegistry:
    """The current app's hashers (its ``PASSWORD_HASHERS``), or the defaults outside an app."""
    if has_app_context():
        plugin = current_app.extensions.get("flaskkit.auth")
        if plugin is not None:
            return t.cast(HasherRegistry, plugin.hashers)
    return _default_registry()


def get_hasher(algorithm: str | BasePasswordHasher = "default") -> BasePasswordHasher:
    """The hasher of ``algorithm`` among the current app's; ``"default"`` is the preferred one."""
    return get_hashers().get(algorithm)


def identify_hasher(encoded: str) -> BasePasswordHasher:
    """The hasher that wrote ``encoded``; ``ValueError`` if none of the app's hashers did."""
    return get_hashers().identify(encoded)


def is_password_usable(encoded: str | None) -> bool:
    """False for a hash made by ``make_password(None)`` (``set_unusable_password()``)."""
    return encoded is None or not encoded.startswith(UNUSABLE_PASSWORD_PREFIX)


def make_password(
    password: Password | None, salt: str | None = None, hasher: str | BasePasswordHasher = "default"
) -> str:
    """Hash ``password`` for storage; ``None`` gives an unusable password (nobody can log in with it)."""
    if password is None:
        return UNUSABLE_PASSWORD_PREFIX + get_random_string(UNUSABLE_PASSWORD_SUFFIX_LENGTH)
    if not isinstance(password, bytes | str):
        raise TypeError(f"Password must be a string or bytes, got {type(password).__qualname__}.")
    chosen = get_hasher(hasher)
    return chosen.encode(password, salt or chosen.salt())


def verify_password(
    password: Password | None, encoded: str | None, preferred: str | BasePasswordHasher = "default"
) -> tuple[bool, bool]:
    """``(is_correct, must_update)`` for ``password`` against ``encoded``.

    A malformed hash, or one written by a hasher the app does not list, is
    simply not correct (never an exception). Every path costs one run of a
    hasher (Django's fix for CVE-2024-39329): when there is nothing to verify
    (no password, an unusable or unknown hash), the default hasher hashes a
    random password instead, so the response time does not tell these
    accounts from the others.
    """
    registry = get_hashers()
    best = registry.get(preferred)
    hasher: BasePasswordHasher | None = None
    if password is not None and encoded is not None and is_password_usable(encoded):
        try:
            hasher = registry.identify(encoded)
        except ValueError:  # gibberish, or a hasher that is no longer listed
            hasher = None
    if hasher is None:
        _fake_runtime()
        return False, False
    try:
        changed = hasher.algorithm != best.algorithm
        must_update = changed or best.must_update(encoded)  # type: ignore[arg-type]
        correct = hasher.verify(password, encoded)  # type: ignore[arg-type]
    except (ValueError, TypeError):  # a damaged hash of a known algorithm: as long as any other check
        _fake_runtime()
        return False, False
    # Only when the algorithm is the same (otherwise timing tells nothing more than the
    # hash does): a wrong password against an outdated hash takes as long as a current one.
    if not correct and not changed and must_update:
        hasher.harden_runtime(password, encoded)  # type: ignore[arg-type]
    return correct, must_update


def _fake_runtime() -> None:
    # Django's verify_password does exactly this: one hash of a random password with the
    # default hasher, the cost of checking a password against a current hash.
    make_password(get_random_string(UNUSABLE_PASSWORD_SUFFIX_LENGTH))


def check_password(
    password: Password | None,
    encoded: str | None,
    setter: t.Callable[[Password], t.Any] | None = None,
    preferred: str | BasePasswordHasher = "default",
) -> bool:
    """Whether ``password`` matches ``encoded``; calls ``setter(password)`` when it does and the
    hash should be redone with the preferred hasher (the user model saves it)."""
    correct, must_update = verify_password(password, encoded, preferred)
    if setter is not None and correct and must_update:
        setter(t.cast(Password, password))
    return correct
