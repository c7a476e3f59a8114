"""Adding an entry to the ``PLUGINS`` list of a settings file, changing nothing else in it.

The list is found with :mod:`ast`: one top-level ``PLUGINS = [...]`` (or a tuple) of literals. The new
entry goes after the last one, in the list's own style (one entry per line with a trailing comma, or all
on one line; the same quotes); every other byte of the file stays as it was. The result is parsed again
and must hold the old entries plus the new one, or nothing is written.
"""

from __future__ import annotations

import ast
import os
import tempfile
from pathlib import Path

from .errors import ScaffoldError

__all__ = ["add_to_plugins", "plugins_in", "write_atomically"]

SETTING = "PLUGINS"


def plugins_in(source: str, filename: str = "settings.py") -> list[object]:
    """The entries of the ``PLUGINS`` list literal in ``source`` (:class:`ScaffoldError` if there is none)."""
    node, _ = _find_list(source, filename)
    return [ast.literal_eval(element) for element in node.elts]


def add_to_plugins(source: str, entry: str, filename: str = "settings.py") -> str:
    """``source`` with ``entry`` appended to its ``PLUGINS`` list (:class:`ScaffoldError` when it cannot be)."""
    node, before = _find_list(source, filename)
    if entry in before:
        raise ScaffoldError(f"{entry!r} is already in {SETTING} in {filename}.")
    lines = source.splitlines(keepends=True)
    quote = _quote_of(lines, node)
    literal = quote + entry + quote if quote not in entry and "\\" not in entry else repr(entry)
    opening = (node.lineno, node.col_offset)
    closing = (node.end_lineno or node.lineno, (node.end_col_offset or 0) - 1)  # the "]"
    if not node.elts:
        if opening[0] != closing[0] and _blank_before(lines, closing):  # [\n] -> [\n    "entry",\n]
            indent = _indent_of(lines[opening[0] - 1]) + "    "
            edited = _insert(lines, (closing[0], 0), f"{indent}{literal},\n")
        else:  # [] -> ["entry"]
            edited = _insert(lines, closing, literal + ("," if isinstance(node, ast.Tuple) else ""))
    else:
        last = node.elts[-1]
        last_end = (last.end_lineno or last.lineno, last.end_col_offset or 0)
        if last_end[0] < closing[0] and _blank_before(lines, closing):
            # One entry per line: a new line after the last entry (and its comma and comment).
            indent = _line_indent(lines, last)
            text = lines[last_end[0] - 1]
            column = _char_column(text, last_end[1])
            rest = text[column:]
            if not rest.lstrip().startswith(","):
                lines[last_end[0] - 1] = text[:column] + "," + rest
            lines.insert(last_end[0], f"{indent}{literal},\n")
            edited = lines
        else:
            edited = _insert(lines, last_end, ", " + literal)
    result = "".join(edited)
    try:
        after = plugins_in(result, filename)
    except ScaffoldError as exc:  # pragma: no cover - the edit above keeps the list valid
        raise ScaffoldError(f"Adding {entry!r} to {SETTING} in {filename} would break it: {exc}") from exc
    if after != [*before, entry]:  # pragma: no cover - idem
        raise ScaffoldError(f"Adding {entry!r} to {SETTING} in {filename} went wrong; add it yourself.")
    return result


def _find_list(source: str, filename: str) -> tuple[ast.List | ast.Tuple, list[object]]:
    how = f"Add it to {SETTING} in {filename} yourself, or write {SETTING} as one list of strings."
    try:
        tree = ast.parse(source, filename)
    except SyntaxError as exc:
        raise ScaffoldError(f"{filename} has a syntax error (line {exc.lineno}): {exc.msg}.") from exc
    found = [value for value in map(_assigned, tree.body) if value is not None]
    stores = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and node.id == SETTING and isinstance(node.ctx, ast.Store)
    ]
    if len(stores) > len(found):
        line = next(node.lineno for node in stores if node.lineno not in {value.lineno for value in found})
        raise ScaffoldError(f"{filename} also sets {SETTING} on line {line}, besides {SETTING} = [...]. {how}")
    if not found:
        raise ScaffoldError(f"{filename} has no {SETTING} = [...] at its top level. {how}")
    if len(found) > 1:
        raise ScaffoldError(f"{filename} sets {SETTING} {len(found)} times. {how}")
    node = found[0]
    if not isinstance(node, ast.List | ast.Tuple):
        raise ScaffoldError(f"{SETTING} in {filename} is not a list written out ({ast.unparse(node)[:60]}). {how}")
    try:
        entries = [ast.literal_eval(element) for element in node.elts]
    except ValueError as exc:
        raise ScaffoldError(f"{SETTING} in {filename} holds something other than plain values. {how}") from exc
    if isinstance(node, ast.Tuple) and not _parenthesised(source, node):
        raise ScaffoldError(f"{SETTING} in {filename} is a tuple without parentheses. {how}")
    return node, entries


def _assigned(statement: ast.stmt) -> ast.expr | None:
    """The value ``statement`` gives ``PLUGINS`` (``PLUGINS = ...`` or ``PLUGINS: list[str] = ...``)."""
    if isinstance(statement, ast.Assign):
        return statement.value if any(_is_setting(target) for target in statement.targets) else None
    if isinstance(statement, ast.AnnAssign):
        return statement.value if _is_setting(statement.target) else None
    return None


def _is_setting(target: ast.expr) -> bool:
    return isinstance(target, ast.Name) and target.id == SETTING


def _parenthesised(source: str, node: ast.Tuple) -> bool:
    line = source.splitlines()[node.lineno - 1]
    return line[_char_column(line, node.col_offset) :].startswith("(")


def _char_column(line: str, byte_offset: int) -> int:
    """ast's columns count UTF-8 bytes; this is the index in the str."""
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


def _insert(lines: list[str], at: tuple[int, int], text: str) -> list[str]:
    line = lines[at[0] - 1]
    column = _char_column(line, at[1])
    lines[at[0] - 1] = line[:column] + text + line[column:]
    return lines


def _blank_before(lines: list[str], closing: tuple[int, int]) -> bool:
    """Whether the closing bracket is the first thing on its line."""
    line = lines[closing[0] - 1]
    return not line[: _char_column(line, closing[1])].strip()


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _line_indent(lines: list[str], element: ast.expr) -> str:
    line = lines[element.lineno - 1]
    column = _char_column(line, element.col_offset)
    return line[:column] if not line[:column].strip() else _indent_of(line)


def _quote_of(lines: list[str], node: ast.List | ast.Tuple) -> str:
    for element in node.elts:
        if isinstance(element, ast.Constant) and isinstance(element.value, str):
            line = lines[element.lineno - 1]
            char = line[_char_column(line, element.col_offset) :][:1]
            if char in ("'", '"'):
                return char
    return '"'


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path``'s content with ``text`` in one step (a new file renamed over it), keeping its mode."""
    mode = path.stat().st_mode
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        os.chmod(temporary, mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
