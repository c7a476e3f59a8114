"""The static plugin: WhiteNoise, flask kit collectstatic and hashed URLs."""

from __future__ import annotations

import gzip
import json
import typing as t
from pathlib import Path

import pytest
from flask import Blueprint
from flask import render_template_string

from flaskkit import ConfigurationError
from tests.conftest import settings

if t.TYPE_CHECKING:
    from flask import Flask

CSS = "body { color: #222; }\n" * 40


def make_app(tmp_path: Path, **extra: t.Any) -> Flask:
    app_dir = tmp_path / "site"
    (app_dir / "static").mkdir(parents=True, exist_ok=True)
    (app_dir / "static" / "site.css").write_text("/* shadowed: STATICFILES_DIRS come first, as in Django */")
    (app_dir / "static" / "app.js").write_text("console.log('app');\n")
    (app_dir / "bp_static").mkdir(exist_ok=True)
    (app_dir / "bp_static" / "widget.js").write_text("console.log('widget');\n")
    (tmp_path / "assets").mkdir(exist_ok=True)
    (tmp_path / "assets" / "site.css").write_text(CSS)
    (tmp_path / "assets" / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    from flask import Flask as _Flask

    from flaskkit import Kit

    app = _Flask("site", root_path=str(app_dir), static_folder="static")
    app.config.update(settings(**{"PLUGINS": ["static"], "STATICFILES_DIRS": [str(tmp_path / "assets")], **extra}))
    app.register_blueprint(
        Blueprint(
            "widgets", __name__, static_folder=str(app_dir / "bp_static"), static_url_path="/static", url_prefix="/w"
        )
    )

    @app.get("/")
    def home() -> str:
        return render_template_string(
            "{{ url_for('static', filename='site.css') }} {{ url_for('widgets.static', filename='widget.js') }}"
        )

    Kit(app)
    return app


def test_in_development_flask_serves_the_static_folders_and_whitenoise_the_extra_dirs(tmp_path):
    client = make_app(tmp_path).test_client()
    assert client.get("/").text == "/static/site.css /w/static/widget.js"
    assert client.get("/static/site.css", buffered=True).text == CSS  # STATICFILES_DIRS first, as Django's finders
    assert client.get("/static/app.js", buffered=True).text == "console.log('app');\n"  # then the app's folder
    logo = client.get("/static/logo.svg", buffered=True)  # STATICFILES_DIRS, under STATIC_URL
    assert logo.status_code == 200 and logo.headers["X-Content-Type-Options"] == "nosniff"


def test_collectstatic_then_hashed_urls_compressed_and_cached_forever(tmp_path):
    root = tmp_path / "collected"
    app = make_app(tmp_path, STATIC_ROOT=str(root))
    result = app.test_cli_runner().invoke(args=["kit", "collectstatic"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"4 static files copied to {root}, with hashed names and compressed copies; 1 skipped (another folder "
        "has a file at the same URL).\n"
    )
    manifest = json.loads((root / "staticfiles.json").read_text())["paths"]
    assert sorted(manifest) == ["static/app.js", "static/logo.svg", "static/site.css", "w/static/widget.js"]
    hashed_css = manifest["static/site.css"]
    assert (root / hashed_css).read_text() == CSS
    assert gzip.decompress((root / (hashed_css + ".gz")).read_bytes()).decode() == CSS

    app = make_app(tmp_path, STATIC_ROOT=str(root))  # a new process: it reads the manifest at boot
    client = app.test_client()
    home = client.get("/").text
    assert home == f"/{hashed_css} /{manifest['w/static/widget.js']}"
    response = client.get(f"/{hashed_css}", headers={"Accept-Encoding": "gzip"}, buffered=True)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert gzip.decompress(response.data).decode() == CSS
    plain = client.get("/static/site.css", buffered=True)  # the unhashed name still works, cached briefly
    assert plain.headers["Cache-Control"] == "max-age=60, public"


def test_collectstatic_needs_static_root(tmp_path):
    result = make_app(tmp_path).test_cli_runner().invoke(args=["kit", "collectstatic"])
    assert result.exit_code == 1
    assert "STATIC_ROOT is not set" in result.output


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("STATIC_URL", "static/"),
        ("STATIC_ROOT", "relative/path"),
        ("STATICFILES_DIRS", "assets"),
        ("STATIC_MAX_AGE", -1),
    ],
)
def test_bad_settings_stop_the_boot(tmp_path, setting, value):
    with pytest.raises(ConfigurationError) as raised:
        make_app(tmp_path, **{setting: value})
    assert raised.value.setting == setting
