"""The ``flaskkit_orm`` pytest plugin in a core-only install: pytest works, and imports no SQLAlchemy."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib.metadata import entry_points

import pytest

#: Runs pytest on the test file given, with the orm stack missing as in ``pip install flaskkit`` alone.
CORE_ONLY = """
import sys
for name in ("sqlalchemy", "flask_sqlalchemy", "flask_migrate", "alembic"):
    sys.modules[name] = None  # an import fails, and find_spec() says "not installed", as without the extra
import pytest
status = pytest.main(["-p", "no:cacheprovider", "-W", "error", "-q", sys.argv[1]])
print("orm imported:", any(name.startswith("sqlalchemy.") for name in sys.modules))
sys.exit(status)
"""


def test_the_entry_point_is_the_module_outside_the_orm_package():
    [entry] = [e for e in entry_points(group="pytest11") if e.name == "flaskkit_orm"]
    assert entry.value == "flaskkit.plugins.orm_pytest"


def test_pytest_works_in_a_core_only_install(tmp_path):
    (tmp_path / "settings.py").write_text('SECRET_KEY = "' + "k" * 60 + '"\n')
    (tmp_path / "pytest.ini").write_text("[pytest]\nflaskkit_settings = settings\n")
    test_file = tmp_path / "test_plain.py"
    test_file.write_text(
        textwrap.dedent(
            """
            def test_plain(app, client):
                assert client.get("/nothing-here").status_code == 404
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-c", CORE_ONLY, str(test_file)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    assert "orm imported: False" in result.stdout


def test_with_the_orm_stack_the_db_fixture_is_there(pytester: pytest.Pytester):
    pytester.makepyfile(test_fixture="def test_nothing(): pass")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--fixtures")
    result.stdout.fnmatch_lines(["*fixtures defined from flaskkit.plugins.orm.pytest_plugin*", "db -- *"])
