"""Rendering a template tree into a new folder, all or nothing (Django's ``TemplateCommand``).

A template is a folder (or a ``.zip``/``.tar.gz`` archive of one) whose tree is copied with these rules:

* a path component ``project_name`` (``app_name``) is replaced by the name given on the command line;
* a file whose name ends in ``-tpl`` is rendered with Jinja (``{{ project_name }}``...) and loses the
  suffix (``settings.py-tpl`` -> ``settings.py``, as Django's ``.py-tpl``); every other file is copied
  byte for byte, so the new project's own Jinja templates are not touched;
* a name starting with ``dot-`` starts with a dot instead (``dot-gitignore`` -> ``.gitignore``), so a
  template keeps no hidden file;
* hidden folders, ``__pycache__`` and compiled files (``.pyc``, ``.pyo``) are skipped.

Everything is written into a staging folder beside the destination first and moved into place at the
end, so a failure (a template error, a full disk) leaves nothing behind.
"""

from __future__ import annotations

import collections.abc as cabc
import contextlib
import os
import posixpath
import shutil
import stat
import tarfile
import tempfile
import typing as t
import zipfile
from pathlib import Path

import jinja2

from .errors import ScaffoldError

__all__ = [
    "DOT_PREFIX",
    "TEMPLATE_SUFFIX",
    "Staging",
    "check_destination",
    "locate_template",
    "render_file",
    "render_tree",
]

#: A file whose name ends with this is rendered with Jinja, and the suffix removed.
TEMPLATE_SUFFIX = "-tpl"
#: A name that starts with this starts with a dot once rendered.
DOT_PREFIX = "dot-"

_ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
_SKIPPED_FILE_SUFFIXES = (".pyc", ".pyo", ".py.class")


def locate_template(template: str | os.PathLike[str] | None, builtin: Path, stack: contextlib.ExitStack) -> Path:
    """The folder to render: ``builtin``, the ``template`` folder, or the ``template`` archive extracted
    into a temporary folder that ``stack`` removes."""
    if template is None:
        return builtin
    text = os.fspath(template)
    if text.startswith("file://"):
        text = text[len("file://") :]
    if "://" in text:
        raise ScaffoldError(
            f"The template {text!r} is a URL: download it first, then give the path of the folder or archive."
        )
    path = Path(text).expanduser()
    if path.is_dir():
        return path.resolve()
    if not path.exists():
        raise ScaffoldError(
            f"The template {text!r} does not exist: give a folder, or a .zip or .tar.gz archive of one."
        )
    if not path.name.lower().endswith(_ARCHIVE_SUFFIXES):
        raise ScaffoldError(
            f"The template {text!r} is neither a folder nor an archive ({', '.join(_ARCHIVE_SUFFIXES)})."
        )
    destination = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="flaskkit-template-")))
    try:
        _extract(path, destination)
    except (OSError, tarfile.TarError, zipfile.BadZipFile) as exc:
        raise ScaffoldError(f"Cannot extract the template archive {text!r}: {exc}") from exc
    # Like Django: an archive that holds one folder (project-template-main/...) is that folder.
    entries = [entry for entry in destination.iterdir() if entry.name not in ("__MACOSX",)]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return destination


def _extract(archive: Path, destination: Path) -> None:
    if archive.name.lower().endswith(".zip"):
        with zipfile.ZipFile(archive) as zipped:
            for name in zipped.namelist():
                _refuse_unsafe_member(archive, name)
            zipped.extractall(destination)
        return
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            _refuse_unsafe_member(archive, member.name)
            if not (member.isfile() or member.isdir()):
                raise ScaffoldError(
                    f"The template archive {str(archive)!r} holds {member.name!r}, which is not a file or a folder "
                    "(a link or a device): a template holds files and folders only."
                )
        # The "data" filter also drops set-uid bits and refuses what slipped past the checks above.
        tar.extractall(destination, filter="data")


def _refuse_unsafe_member(archive: Path, name: str) -> None:
    normal = posixpath.normpath(name.replace("\\", "/"))
    if normal.startswith(("/", "../")) or normal == ".." or (len(normal) > 1 and normal[1] == ":"):
        raise ScaffoldError(
            f"The template archive {str(archive)!r} holds the path {name!r}, which points outside the archive's "
            "folder: it is not extracted."
        )


def render_tree(
    source: Path, destination: Path, context: cabc.Mapping[str, t.Any], names: cabc.Mapping[str, str]
) -> list[Path]:
    """Render the template folder ``source`` into the existing empty folder ``destination``.

    ``names`` maps path components to replace (``{"project_name": "mysite"}``). Returns the relative paths
    written, files and folders, in order.
    """
    environment = _environment(source)
    written: list[Path] = []
    for root, folders, files in os.walk(source):
        folders[:] = sorted(f for f in folders if not f.startswith(".") and f != "__pycache__")
        relative_root = Path(root).relative_to(source)
        target_root = destination / _rename(relative_root, names)
        if relative_root != Path("."):
            target_root.mkdir(exist_ok=True)
            written.append(target_root.relative_to(destination))
        for filename in sorted(files):
            if filename.endswith(_SKIPPED_FILE_SUFFIXES):
                continue
            source_file = Path(root) / filename
            target_name = _rename(Path(filename), names).name
            rendered = target_name.endswith(TEMPLATE_SUFFIX)
            if rendered:
                target_name = target_name[: -len(TEMPLATE_SUFFIX)]
            target = target_root / target_name
            if target.exists():
                raise ScaffoldError(
                    f"The template writes {target.relative_to(destination)} twice: rename one of its files."
                )
            if rendered:
                target.write_text(_render(environment, source, source_file, context), encoding="utf-8")
            else:
                shutil.copyfile(source_file, target)
            shutil.copymode(source_file, target)
            mode = target.stat().st_mode
            if not mode & stat.S_IWUSR:  # a read-only template (an installed package) gives writable files
                target.chmod(mode | stat.S_IWUSR)
            written.append(target.relative_to(destination))
    return written


def render_file(path: Path, context: cabc.Mapping[str, t.Any]) -> str:
    """One template file rendered (the same Jinja settings as :func:`render_tree`)."""
    return _render(_environment(path.parent), path.parent, path, context)


def _environment(source: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(source),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )


def _render(environment: jinja2.Environment, source: Path, file: Path, context: cabc.Mapping[str, t.Any]) -> str:
    name = file.relative_to(source).as_posix()
    try:
        return environment.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise ScaffoldError(f"The template file {name} has a syntax error on line {exc.lineno}: {exc.message}") from exc
    except jinja2.UndefinedError as exc:
        available = ", ".join(sorted(k for k in context if not k.startswith("_")))
        raise ScaffoldError(
            f"The template file {name} cannot be rendered: {exc.message}. The variables are: {available}."
        ) from exc
    except UnicodeDecodeError as exc:
        raise ScaffoldError(
            f"The template file {name} is not UTF-8 text: only text files may end in {TEMPLATE_SUFFIX!r}."
        ) from exc


def _rename(path: Path, names: cabc.Mapping[str, str]) -> Path:
    parts = []
    for part in path.parts:
        for placeholder, name in names.items():
            part = part.replace(placeholder, name)
        if part.startswith(DOT_PREFIX):
            part = "." + part[len(DOT_PREFIX) :]
        parts.append(part)
    return Path(*parts) if parts else Path(".")


def check_destination(destination: Path, *, existing_ok: bool, kind: str) -> None:
    """Refuse a destination that exists (or, with ``existing_ok``, one that holds anything but hidden
    entries), or whose parent folder does not exist. Nothing in it is ever overwritten."""
    if destination.exists() or destination.is_symlink():
        if not destination.is_dir():
            raise ScaffoldError(f"{destination} already exists and is not a folder: nothing was written.")
        if not existing_ok:
            raise ScaffoldError(
                f"{destination} already exists: nothing was written. Choose another name, remove the folder, "
                f"or give an empty folder as the {kind}'s directory."
            )
        visible = sorted(entry.name for entry in destination.iterdir() if not entry.name.startswith("."))
        if visible:
            shown = ", ".join(visible[:5]) + (", ..." if len(visible) > 5 else "")
            raise ScaffoldError(
                f"{destination} is not empty ({shown}): nothing was written. A new {kind} goes into a new or "
                "empty folder (hidden entries such as .git or .venv may be there)."
            )
        return
    if not destination.parent.is_dir():
        raise ScaffoldError(f"The folder {destination.parent} does not exist: create it first.")


class Staging:
    """A staging folder beside ``destination``, moved into place by :meth:`commit` (removed otherwise)."""

    def __init__(self, destination: Path, stack: contextlib.ExitStack) -> None:
        self.destination = destination
        # Inside an existing destination, else beside it: on the same file system, so that moves are renames.
        where = destination if destination.is_dir() else destination.parent
        try:
            self.path = Path(tempfile.mkdtemp(prefix=f".{destination.name}-", suffix=".staging", dir=where))
        except OSError as exc:
            raise ScaffoldError(f"Cannot write in {where}: {exc.strerror or exc}. Nothing was written.") from exc
        stack.callback(shutil.rmtree, self.path, ignore_errors=True)
        # mkdtemp makes it private (0700); the folder it becomes gets the mode of any new folder.
        umask = os.umask(0)
        os.umask(umask)
        self.path.chmod(0o777 & ~umask)

    def commit(self) -> list[Path]:
        """Move the staged tree to the destination: a rename of the folder when the destination does not
        exist; otherwise each entry, after checking that none exists there (undone if a move fails).
        Returns what was created: the destination, or the entries moved into it."""
        destination = self.destination
        if not destination.exists():
            try:
                os.rename(self.path, destination)
            except OSError as exc:
                message = f"Cannot create {destination}: {exc.strerror or exc}. Nothing was written."
                raise ScaffoldError(message) from exc
            return [destination]
        entries = sorted(self.path.iterdir())
        clashes = [entry.name for entry in entries if (destination / entry.name).exists()]
        if clashes:
            raise ScaffoldError(
                f"{destination} already has {', '.join(clashes)}, which the new files would replace: nothing was "
                "written."
            )
        moved: list[Path] = []
        try:
            for entry in entries:
                os.rename(entry, destination / entry.name)
                moved.append(destination / entry.name)
        except OSError as exc:
            for path in reversed(moved):
                with contextlib.suppress(OSError):
                    os.rename(path, self.path / path.name)
            message = f"Cannot write into {destination}: {exc.strerror or exc}. Nothing was written."
            raise ScaffoldError(message) from exc
        return moved
