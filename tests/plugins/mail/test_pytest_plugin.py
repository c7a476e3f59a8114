"""The ``mailoutbox`` fixture, as a flaskkit user's test suite uses it (pytester)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tests.conftest import SECRET


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.delenv("EMAIL_URL", raising=False)
    pytester.syspathinsert()
    pytester.makepyfile(fixture_settings=f"SECRET_KEY = {SECRET!r}\nPLUGINS = ['mail']\n")
    pytester.makeini("[pytest]\nflaskkit_settings = fixture_settings\n")
    return pytester


def test_mailoutbox_holds_each_tests_mail(project: pytest.Pytester):
    project.makepyfile(
        test_mail="""
        from flask import current_app
        from flaskkit.plugins.mail import send_mail

        def test_first(app, mailoutbox):
            with app.app_context():
                send_mail("Hello", "Body", None, ["ada@example.com"])
            assert len(mailoutbox) == 1
            assert mailoutbox[0].subject == "Hello" and mailoutbox[0].to == ["ada@example.com"]

        def test_second_starts_empty(mailoutbox):
            assert mailoutbox == []
        """
    )
    project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_mailoutbox_without_the_plugin_says_what_to_add(project: pytest.Pytester):
    project.makepyfile(
        test_no_mail="""
        import pytest

        @pytest.mark.kit_settings(PLUGINS=[])
        def test_needs_mail(mailoutbox):
            pass
        """
    )
    result = project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*The mailoutbox fixture needs the mail plugin: add 'mail' to PLUGINS*"])


def test_mailoutbox_with_another_backend_says_why(project: pytest.Pytester):
    project.makepyfile(
        test_console="""
        import pytest

        @pytest.mark.kit_settings(EMAIL_BACKEND="console")
        def test_needs_locmem(mailoutbox):
            pass
        """
    )
    result = project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*The mailoutbox fixture needs the locmem backend, but EMAIL_BACKEND is 'console'*"])


def test_the_pytest_plugin_imports_nothing_of_the_mail_stack():
    code = "import sys, flaskkit.plugins.mail_pytest; print('flask_mailman' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "False"


def test_pytest_works_without_flask_mailman_installed(pytester: pytest.Pytester):
    # A package that fails to import as a missing one does: a core-only install.
    pytester.mkpydir("flask_mailman").joinpath("__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'flask_mailman'\", name='flask_mailman')\n"
    )
    pytester.makepyfile(
        test_plain=textwrap.dedent(
            """
            def test_plain():
                assert True
            """
        )
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=1)
