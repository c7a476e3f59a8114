"""Catalogs: each plugin's, the app's winning, LOCALE_PATHS first; the checks."""

from __future__ import annotations

from pathlib import Path

from flask import render_template_string

from flaskkit.plugins.i18n import catalogs
from flaskkit.translation import gettext
from flaskkit.translation import override

from .conftest import write_catalog

AUTH_PLUGINS = ["orm", "session", "cache", "forms", "auth", "i18n"]


def test_the_kit_ships_german_and_chinese_for_the_auth_pages(make):
    app = make(PLUGINS=AUTH_PLUGINS, DATABASE_URL="sqlite://")
    with app.test_request_context():
        with override("de"):
            assert gettext("Log in") == "Anmelden"
            assert gettext("This field is required.") == "Dieses Feld ist zwingend erforderlich."
        with override("zh-hans"):
            assert gettext("Log in") == "登录"


def test_the_merge_order(make):
    app = make(PLUGINS=AUTH_PLUGINS, DATABASE_URL="sqlite://")
    sources = app.extensions["flaskkit.i18n"].sources
    origins = [source.origin for source in sources]
    assert origins[0] == "wtforms"
    assert origins.index("plugin 'forms'") < origins.index("plugin 'auth'") < origins.index("app")


def test_the_apps_catalog_overrides_a_plugins_string(tmp_path):
    from flaskkit import create_app
    from tests.conftest import settings

    root = tmp_path / "site"
    write_catalog(root / "translations", "de", {"Log in": "Einloggen"})
    app = create_app(
        settings(
            PLUGINS=AUTH_PLUGINS,
            DATABASE_URL="sqlite://",
            LANGUAGES=[("en", "English"), ("de", "German")],
        ),
        import_name="site_overrides",
        root_path=str(root),
        instance_path=str(tmp_path / "instance"),
    )
    with app.test_request_context(), override("de"):
        assert gettext("Log in") == "Einloggen"  # the app's word wins over the auth plugin's
        assert gettext("Password") == "Passwort"  # the plugin's catalog still answers the rest
    page = app.test_client().get("/accounts/login/", headers={"Accept-Language": "de"}).text
    assert "<h1>Einloggen</h1>" in page and ">Passwort</label>" in page


def test_the_first_locale_path_wins(make, tmp_path):
    write_catalog(tmp_path / "a", "de", {"Hello": "Hallo (a)"})
    write_catalog(tmp_path / "b", "de", {"Hello": "Hallo (b)", "Bye": "Tschüss (b)"})
    app = make(LOCALE_PATHS=[str(tmp_path / "a"), str(tmp_path / "b")])
    with app.test_request_context(), override("de"):
        assert gettext("Hello") == "Hallo (a)"
        assert gettext("Bye") == "Tschüss (b)"


def test_the_apps_own_translations_folder(make):
    app = make()
    write_catalog(Path(app.root_path) / "translations", "de", {"Hello": "Hallo"})
    # catalogs are found at boot: a new app over the same root
    from flaskkit import create_app
    from tests.conftest import settings

    again = create_app(
        settings(PLUGINS=["i18n"], LANGUAGES=[("en", "English"), ("de", "German")]),
        import_name="same_root",
        root_path=app.root_path,
        instance_path=app.instance_path,
    )
    with again.test_request_context(), override("de"):
        assert render_template_string("{{ _('Hello') }}") == "Hallo"


def test_a_language_without_a_catalog_is_reported(make, tmp_path):
    write_catalog(tmp_path / "locale", "fr", {"Hello": "Bonjour"}, compiled=False)
    app = make(
        LANGUAGES=[("en", "English"), ("de", "German"), ("fr", "French"), ("it", "Italian")],
        LOCALE_PATHS=[str(tmp_path / "locale")],
        SILENCED_CHECKS=["i18n.W001", "i18n.W002"],
    )
    app.config["SILENCED_CHECKS"] = []
    report = app.extensions["flaskkit"].run_checks(app)
    found = {(m.id, m.msg.split("'")[1]) for m in report.messages if m.id.startswith("i18n")}
    # de has the kit's catalog (the i18n plugin's own); fr is not compiled; it has none.
    assert found == {("i18n.W002", "fr"), ("i18n.W001", "it")}
    w001 = next(m for m in report.messages if m.id == "i18n.W001")
    assert "flask kit makemessages -l it" in w001.hint


def test_language_code_must_be_offered(make):
    import pytest

    from flaskkit import ConfigurationError

    with pytest.raises(ConfigurationError, match=r"i18n\.E001"):
        make(LANGUAGE_CODE="fr", LANGUAGES=[("en", "English"), ("de", "German")])


def test_bad_settings_fail_at_boot(make):
    import pytest

    from flaskkit import ConfigurationError

    with pytest.raises(ConfigurationError, match="LANGUAGE_CODE must be a language code") as info:
        make(LANGUAGE_CODE="de_DE")
    assert info.value.setting == "LANGUAGE_CODE"
    with pytest.raises(ConfigurationError, match="LANGUAGES must be a list"):
        make(LANGUAGES="de")
    with pytest.raises(ConfigurationError, match="LANGUAGE_COOKIE_SAMESITE"):
        make(LANGUAGE_COOKIE_SAMESITE="lax")
    with pytest.raises(ConfigurationError, match=r"TIME_ZONE_SELECTOR names 'nope\.nothing:here'"):
        make(TIME_ZONE_SELECTOR="nope.nothing:here")


def test_languages_default_to_the_catalogs(make):
    app = make(LANGUAGES=None, PLUGINS=AUTH_PLUGINS, DATABASE_URL="sqlite://")
    plugin = app.extensions["flaskkit.i18n"]
    assert [code for code, _ in plugin.languages] == ["en", "de", "zh-hans"]
    assert catalogs.DOMAIN == "messages"
