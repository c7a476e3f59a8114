"""Small helpers for the wording of messages."""

from __future__ import annotations

import difflib
import typing as t


def did_you_mean(word: str, candidates: t.Iterable[str], *, cutoff: float = 0.6) -> str:
    """Return ``" Did you mean 'x'?"`` (or ``'x' or 'y'``), or ``""`` when nothing is close."""
    pool = sorted(set(candidates))
    matches = difflib.get_close_matches(word, pool, n=3, cutoff=cutoff)
    if not matches and word.lower() != word:
        matches = difflib.get_close_matches(word.lower(), pool, n=3, cutoff=cutoff)
    if not matches:
        return ""
    return f" Did you mean {join_or([repr(m) for m in matches])}?"


def join_or(words: t.Sequence[str]) -> str:
    """``["a"]`` -> ``a``; ``["a", "b", "c"]`` -> ``a, b or c``."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} or {words[-1]}"


def quoted_list(words: t.Iterable[str]) -> str:
    """``["a", "b"]`` -> ``'a', 'b'``; an empty iterable gives ``(none)``."""
    items = [repr(w) for w in words]
    return ", ".join(items) if items else "(none)"
