"""The random strings of CSRF secrets and masks: Django's alphabet and length, every character equally likely."""

from __future__ import annotations

import collections

from flaskkit.plugins.forms.csrf_tokens import CSRF_ALLOWED_CHARS
from flaskkit.plugins.forms.csrf_tokens import CSRF_SECRET_LENGTH
from flaskkit.plugins.forms.csrf_tokens import get_new_csrf_string
from flaskkit.plugins.forms.csrf_tokens import mask_cipher_secret
from flaskkit.plugins.forms.csrf_tokens import unmask_cipher_token


def test_a_new_string_has_djangos_length_and_alphabet():
    strings = {get_new_csrf_string() for _ in range(200)}
    assert len(strings) == 200
    assert all(len(s) == CSRF_SECRET_LENGTH == 32 for s in strings)
    assert set("".join(strings)) <= set(CSRF_ALLOWED_CHARS)


def test_every_character_is_equally_likely():
    """62 characters from bytes: a plain ``byte % 62`` would make the first eight twice as common
    as they should be in the top range (256 = 4 * 62 + 8); those bytes are dropped instead."""
    counts = collections.Counter("".join(get_new_csrf_string() for _ in range(8000)))
    expected = 8000 * 32 / len(CSRF_ALLOWED_CHARS)  # about 4129 each
    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    low, high = min(counts.values()), max(counts.values())
    assert 0.9 * expected < low and high < 1.1 * expected, (low, high, expected)
    first_eight = sum(counts[c] for c in CSRF_ALLOWED_CHARS[:8]) / 8
    others = sum(counts[c] for c in CSRF_ALLOWED_CHARS[8:]) / (len(CSRF_ALLOWED_CHARS) - 8)
    assert abs(first_eight / others - 1) < 0.05  # with the bias, about 1.12


def test_a_masked_token_unmasks_to_its_secret():
    secret = get_new_csrf_string()
    tokens = {mask_cipher_secret(secret) for _ in range(20)}
    assert len(tokens) == 20 and all(len(token) == 64 for token in tokens)
    assert {unmask_cipher_token(token) for token in tokens} == {secret}
