from __future__ import annotations

import importlib
import sys
import textwrap
import typing as t
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

#: The files that take longest (seconds of subprocesses, servers and browsers each), longest first. With
#: ``-n``, they are handed to the workers first: at the end of a run (xdist's default order puts a file of
#: one or two tests last) one of them would keep a worker busy while the others had nothing left to do.
#: Times from ``--durations`` on 2 cores; a file missing here only runs later.
SLOW_FILES = (
    "tests/scaffold/test_fresh_venv.py",
    "tests/scaffold/test_project_runs.py",
    "tests/example_site/test_tutorial.py",
    "tests/e2e/test_browser.py",
    "tests/e2e/test_password_reset.py",
    "tests/plugins/orm/test_migrations.py",
    "tests/core/test_packaging.py",
    "tests/example_site/test_fuzz.py",
    "tests/plugins/tasks/test_rq.py",
    "tests/plugins/tasks/test_celery.py",
    "tests/plugins/orm/test_pytest_entry_point.py",
    "tests/example_site/test_bad_input.py",
    "tests/example_site/test_production.py",
    "tests/plugins/admin/test_browser.py",
    "tests/example_site/test_migrations.py",
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In an xdist worker: :data:`SLOW_FILES` first, then the other files, most tests first (what xdist
    does with ``--loadscope-reorder``, which pyproject.toml turns off so that this order is kept). The
    tests of a file keep their order; a run without ``-n`` keeps pytest's."""
    if not hasattr(config, "workerinput"):
        return
    files: dict[str, list[pytest.Item]] = {}
    for item in items:
        files.setdefault(item.nodeid.partition("::")[0], []).append(item)
    rank = {path: index for index, path in enumerate(SLOW_FILES)}
    order = sorted(files, key=lambda path: (rank.get(path, len(rank)), -len(files[path])))
    items[:] = [item for path in order for item in files[path]]


class DistributionFactory:
    """Writes real distributions (a ``.dist-info`` with METADATA and entry points,
    plus their modules) into a directory on ``sys.path``, as pip would install them."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root = root
        self.modules: set[str] = set()
        root.mkdir(parents=True, exist_ok=True)
        monkeypatch.syspath_prepend(str(root))

    def __call__(
        self,
        name: str,
        *,
        version: str = "1.0",
        plugins: t.Mapping[str, str] | None = None,
        modules: t.Mapping[str, str] | None = None,
        requires: t.Sequence[str] = (),
        extras: t.Sequence[str] = (),
    ) -> Path:
        dist_info = self.root / f"{name.replace('-', '_')}-{version}.dist-info"
        dist_info.mkdir()
        metadata = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
        metadata += [f"Provides-Extra: {extra}" for extra in extras]
        metadata += [f"Requires-Dist: {req}" for req in requires]
        (dist_info / "METADATA").write_text("\n".join(metadata) + "\n")
        if plugins:
            lines = ["[flaskkit.plugins]"] + [f"{key} = {value}" for key, value in plugins.items()]
            (dist_info / "entry_points.txt").write_text("\n".join(lines) + "\n")
        record: list[str] = []
        for module, source in (modules or {}).items():
            path = self.root / Path(*module.split("."))
            if module.count(".") == 0:
                path = path.with_suffix(".py")
            else:
                path = path.with_suffix(".py")
                for parent in list(path.relative_to(self.root).parents)[:-1]:
                    init = self.root / parent / "__init__.py"
                    init.parent.mkdir(parents=True, exist_ok=True)
                    init.touch()
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(source))
            self.modules.add(module.partition(".")[0])
            record.append(f"{path.relative_to(self.root).as_posix()},,")
        (dist_info / "RECORD").write_text("\n".join(record) + "\n")
        importlib.invalidate_caches()
        return dist_info

    def cleanup(self) -> None:
        for name in list(sys.modules):
            if name.partition(".")[0] in self.modules:
                del sys.modules[name]


@pytest.fixture
def make_distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> t.Iterator[DistributionFactory]:
    factory = DistributionFactory(tmp_path / "site-packages", monkeypatch)
    yield factory
    factory.cleanup()


@pytest.fixture
def make_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> t.Iterator[t.Callable[[str, str], None]]:
    """Write a module (``"pkg.mod"`` creates the package) onto ``sys.path``; removed after the test."""
    root = tmp_path / "modules"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    created: set[str] = set()

    def write(module: str, source: str) -> None:
        parts = module.split(".")
        for i in range(1, len(parts)):
            package = root.joinpath(*parts[:i])
            package.mkdir(exist_ok=True)
            (package / "__init__.py").touch()
        root.joinpath(*parts[:-1], parts[-1] + ".py").write_text(textwrap.dedent(source))
        created.add(parts[0])
        importlib.invalidate_caches()

    yield write
    for name in list(sys.modules):
        if name.partition(".")[0] in created:
            del sys.modules[name]


@pytest.fixture
def signers_built(monkeypatch: pytest.MonkeyPatch) -> list[tuple[t.Any, ...]]:
    """The signers Flask's cookie-session interfaces build from now on (each call of
    ``flask.sessions.URLSafeTimedSerializer`` is recorded with its arguments)."""
    import flask.sessions

    made: list[tuple[t.Any, ...]] = []
    real = flask.sessions.URLSafeTimedSerializer

    def counting(*args: t.Any, **kwargs: t.Any) -> t.Any:
        made.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(flask.sessions, "URLSafeTimedSerializer", counting)
    return made


SECRET = "test-only-secret-key-that-is-long-enough-for-the-deploy-check-0123456789"


def settings(**values: t.Any) -> dict[str, t.Any]:
    """Settings for create_app() in tests: a valid SECRET_KEY plus ``values``."""
    return {"SECRET_KEY": SECRET, **values}


from tests.browser import browser  # noqa: E402,F401  (headless Chromium, one per test process)
from tests.browser import chromium  # noqa: E402,F401
from tests.browser import chromium_process  # noqa: E402,F401
from tests.browser import screenshots  # noqa: E402,F401
from tests.servers import own_memcached  # noqa: E402,F401  (a memcached server of the test's own)
from tests.servers import own_redis  # noqa: E402,F401  (a Redis server of the test's own)
from tests.services import postgres_url  # noqa: E402,F401  (fixtures for every test package)
from tests.services import redis_prefix  # noqa: E402,F401
from tests.services import redis_url  # noqa: E402,F401
