"""Django's tests/auth_tests/test_tokens.py, ported: PasswordResetTokenGenerator."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from flaskkit.plugins.auth import PasswordResetTokenGenerator
from flaskkit.plugins.auth import get_user_model
from flaskkit.plugins.auth.models import save
from flaskkit.plugins.auth.tokens import base36_to_int
from flaskkit.plugins.auth.tokens import int_to_base36
from flaskkit.plugins.auth.tokens import urlsafe_base64_decode
from flaskkit.plugins.auth.tokens import urlsafe_base64_encode
from flaskkit.plugins.orm import db


class MockedPasswordResetTokenGenerator(PasswordResetTokenGenerator):
    def __init__(self, now: datetime) -> None:
        self._now_val = now

    def _now(self) -> datetime:
        return self._now_val


@pytest.fixture
def ctx(site):
    with site.app_context():
        yield site


def new_user(username: str = "tokentestuser", email: str | None = "test2@example.com"):
    return get_user_model().objects.create_user(username, email, "testpw")


def test_make_token(ctx):
    user = new_user()
    p0 = PasswordResetTokenGenerator()
    tk1 = p0.make_token(user)
    assert p0.check_token(user, tk1) is True


def test_10265(ctx):
    """The token generated for a user created in the same request works correctly."""
    user = new_user("comebackkid", "test3@example.com")
    db.session.expire_all()
    user_reload = db.session.get(get_user_model(), user.pk)
    p0 = MockedPasswordResetTokenGenerator(datetime.now(UTC))
    assert p0.make_token(user) == p0.make_token(user_reload)


@pytest.mark.parametrize("email", [None, "test4@example.com"])
def test_token_with_different_email(ctx, email):
    """Updating the user email address invalidates the token."""
    user = new_user("changeemailuser", email)
    p0 = PasswordResetTokenGenerator()
    tk1 = p0.make_token(user)
    assert p0.check_token(user, tk1) is True
    user.email = "test4new@example.com"
    save(user)
    assert p0.check_token(user, tk1) is False


def test_timeout(ctx):
    """The token is valid after n seconds, but no greater."""
    user = new_user()
    now = datetime.now(UTC)
    p0 = MockedPasswordResetTokenGenerator(now)
    tk1 = p0.make_token(user)
    timeout = ctx.config["PASSWORD_RESET_TIMEOUT"]
    assert timeout == 60 * 60 * 24 * 3  # Django's default: 3 days
    assert MockedPasswordResetTokenGenerator(now + timedelta(seconds=timeout)).check_token(user, tk1) is True
    assert MockedPasswordResetTokenGenerator(now + timedelta(seconds=timeout + 1)).check_token(user, tk1) is False
    ctx.config["PASSWORD_RESET_TIMEOUT"] = 60 * 60
    assert MockedPasswordResetTokenGenerator(now + timedelta(seconds=3600)).check_token(user, tk1) is True
    assert MockedPasswordResetTokenGenerator(now + timedelta(seconds=3601)).check_token(user, tk1) is False


def test_check_token_with_nonexistent_token_and_user(ctx):
    user = new_user()
    p0 = PasswordResetTokenGenerator()
    tk1 = p0.make_token(user)
    assert p0.check_token(None, tk1) is False
    assert p0.check_token(user, None) is False


@pytest.mark.parametrize("token", ["", "nodash", "a-b-c", "zzzzzzzzzzzzzzzz-abc", "!!-abc", "1-"])
def test_malformed_tokens_are_refused(ctx, token):
    assert PasswordResetTokenGenerator().check_token(new_user(), token) is False


def test_token_with_different_secret(ctx):
    """A valid token can be created with a secret other than SECRET_KEY."""
    user = new_user()
    new_secret = "abcdefghijkl"
    p0 = PasswordResetTokenGenerator()
    p0.secret = new_secret
    tk0 = p0.make_token(user)
    assert p0.check_token(user, tk0) is True
    p1 = PasswordResetTokenGenerator()
    assert p1.secret == ctx.config["SECRET_KEY"]
    assert p1.secret != new_secret
    tk1 = p1.make_token(user)
    assert p0.check_token(user, tk1) is False
    assert p1.check_token(user, tk0) is False


def test_token_with_different_secret_subclass(ctx):
    class CustomPasswordResetTokenGenerator(PasswordResetTokenGenerator):
        _secret = "test-secret"

    user = new_user()
    custom = CustomPasswordResetTokenGenerator()
    default = PasswordResetTokenGenerator()
    token = custom.make_token(user)
    assert custom.check_token(user, token) is True
    assert default.check_token(user, token) is False


def test_secret_lazy_validation(ctx):
    ctx.config["SECRET_KEY"] = ""
    with pytest.raises(RuntimeError, match=r"The PasswordResetTokenGenerator\.secret setting must not be empty"):
        PasswordResetTokenGenerator().secret  # noqa: B018


def test_check_token_secret_fallbacks(ctx):
    user = new_user()
    p1 = PasswordResetTokenGenerator()
    p1.secret = "secret"
    tk = p1.make_token(user)
    p2 = PasswordResetTokenGenerator()
    p2.secret = "newsecret"
    p2.secret_fallbacks = ["secret"]
    assert p1.check_token(user, tk) is True
    assert p2.check_token(user, tk) is True


def test_check_token_secret_key_fallbacks_setting(ctx):
    user = new_user()
    old = PasswordResetTokenGenerator().make_token(user)
    ctx.config["SECRET_KEY_FALLBACKS"] = [ctx.config["SECRET_KEY"]]
    ctx.config["SECRET_KEY"] = "a-new-secret-key-after-rotation"
    assert PasswordResetTokenGenerator().check_token(user, old) is True
    ctx.config["SECRET_KEY_FALLBACKS"] = []
    assert PasswordResetTokenGenerator().check_token(user, old) is False


def test_token_dies_when_the_password_changes_or_the_user_logs_in(ctx):
    user = new_user()
    generator = PasswordResetTokenGenerator()
    token = generator.make_token(user)
    user.last_login = datetime.now(UTC) + timedelta(seconds=5)
    save(user)
    assert generator.check_token(user, token) is False
    token = generator.make_token(user)
    user.set_password("another-password")
    save(user)
    assert generator.check_token(user, token) is False


def test_base36_and_base64_helpers():
    for value in (0, 1, 35, 36, 10**12, 2**62):
        assert base36_to_int(int_to_base36(value)) == value
    with pytest.raises(ValueError, match="Base36 input too large"):
        base36_to_int("z" * 14)
    for data in (b"1", b"42", b"12345678901234567890", b"\xff\xfe"):
        assert urlsafe_base64_decode(urlsafe_base64_encode(data)) == data
    assert "=" not in urlsafe_base64_encode(b"1")
    with pytest.raises(ValueError, match=r"ordinal not in range|non-ASCII"):
        urlsafe_base64_decode("é")
