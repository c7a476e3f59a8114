"""The `db` fixture, as a flaskkit user's test suite uses it (pytester)."""

from __future__ import annotations

import pytest

from tests.conftest import SECRET


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.syspathinsert()
    pytester.makepyfile(
        fixture_settings=f"SECRET_KEY = {SECRET!r}\nPLUGINS = ['orm', 'session']\nSESSION_ENGINE = 'db'\n",
        fixture_models="""
        from sqlalchemy import String
        from sqlalchemy.orm import Mapped, mapped_column
        from flaskkit.plugins.orm import IdMixin, Model

        class FixtureNote(IdMixin, Model):
            text: Mapped[str] = mapped_column(String(50))
        """,
    )
    pytester.makeini("[pytest]\nflaskkit_settings = fixture_settings\n")
    return pytester


def test_db_fixture_creates_every_table_and_empties_them_after(project: pytest.Pytester):
    project.makepyfile(
        test_notes="""
        import sqlalchemy as sa
        from fixture_models import FixtureNote

        def test_first(db):
            tables = set(sa.inspect(db.engine).get_table_names())
            assert {"fixture_note", "flaskkit_session", "alembic_version"} <= tables
            db.session.add(FixtureNote(text="one"))
            db.session.commit()
            assert db.session.scalar(sa.select(sa.func.count()).select_from(FixtureNote)) == 1

        def test_second_starts_empty(db):
            assert db.session.scalar(sa.select(sa.func.count()).select_from(FixtureNote)) == 0
        """
    )
    project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_db_fixture_without_the_orm_plugin_says_what_to_add(project: pytest.Pytester):
    project.makepyfile(
        test_no_orm="""
        import pytest

        @pytest.mark.kit_settings(PLUGINS=[])
        def test_needs_db(db):
            pass
        """
    )
    result = project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*The db fixture needs the orm plugin: add 'orm' to PLUGINS*"])
