"""`flask kit signals`: every signal, its receivers as dotted paths, and their sender filters."""

from __future__ import annotations

import gc

import pytest
from flask import signals as flask_signals

from flaskkit import create_app
from flaskkit.plugins.signals import SignalWarning
from flaskkit.plugins.signals import post_commit_save
from flaskkit.plugins.signals import post_save
from flaskkit.plugins.signals import receiver
from flaskkit.plugins.signals import registry
from flaskkit.plugins.signals import user_logged_in
from tests.conftest import settings


class Post:
    pass


class Tag:
    pass


def notify(sender, **kwargs):
    return None


def audit(sender, **kwargs):
    return None


def run(app, *args):
    return app.test_cli_runner().invoke(args=["kit", "signals", *args])


@pytest.fixture
def signals_app():
    return create_app(settings(PLUGINS=["signals"]), import_name="shop")


def test_lists_every_signal_with_its_receivers_and_senders(signals_app):
    receiver(post_save, sender=Post, dispatch_uid="notify-post")(notify)
    post_save.connect(notify, sender=Tag)
    post_save.connect(audit, weak=False)
    post_commit_save.connect(audit, sender=Post, propagate=True)
    result = run(signals_app)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Signals and their receivers (receivers are process-wide), in registry order:"
    assert lines[1].split() == ["signal", "origin", "receiver", "sender", "notes"]
    assert lines[2].split() == ["request_started", "flask", "-"]
    rows = [line.split(None, 4) for line in lines]
    post_save_row = next(i for i, row in enumerate(rows) if row[0] == "post_save")
    assert rows[post_save_row] == [
        "post_save",
        "models",
        "tests.plugins.signals.test_cli.notify",
        "tests.plugins.signals.test_cli.Post,",
        "tests.plugins.signals.test_cli.Tag  weak, dispatch_uid='notify-post'",
    ]
    assert rows[post_save_row + 1] == ["tests.plugins.signals.test_cli.audit", "any", "strong"]
    assert lines[post_save_row + 1].startswith(" " * 20)
    [commit_row] = [row for row in rows if row[0] == "post_commit_save"]
    assert commit_row == [
        "post_commit_save",
        "models",
        "tests.plugins.signals.test_cli.audit",
        "tests.plugins.signals.test_cli.Post",
        "weak, and subclasses",
    ]
    assert lines[-1] == "The app 'shop' sends no model signals: add 'orm' to PLUGINS."


def test_connected_only_and_named_signals(signals_app):
    def connected() -> list[str]:
        rows = run(signals_app, "--connected").output.splitlines()[2:-1]
        # A signal's row has its name in the first column; the lines of its next receivers leave it blank.
        return [row.split()[0] for row in rows if row[:3].strip()]

    # Alone, nothing is connected; after other packages' tests, receivers of their apps may still be.
    before = connected()
    user_logged_in.connect(audit)
    receiver(flask_signals.template_rendered)(notify)
    after = connected()
    assert set(after) == {*before, "template_rendered", "user_logged_in"}
    assert after == [name for name in registry if name in after]  # in the listing's order
    lines = run(signals_app, "user_logged_in", "pre_save").output.splitlines()
    assert [line.split()[:3] for line in lines[2:-1]] == [
        ["user_logged_in", "auth", "tests.plugins.signals.test_cli.audit"],
        ["pre_save", "models", "-"],
    ]


def test_an_unknown_signal_name_suggests_the_close_one(signals_app):
    result = run(signals_app, "post_saved")
    assert result.exit_code == 2
    assert result.output.endswith(
        "Error: There is no signal 'post_saved'. Did you mean 'post_save', 'post_commit_save' or 'pre_save'? "
        "`flask kit signals` lists them all.\n"
    )


def test_a_dead_receiver_is_shown_and_counted(signals_app):
    with pytest.warns(SignalWarning):
        post_save.connect(lambda sender, **kwargs: None)
    gc.collect()
    lines = run(signals_app, "post_save").output.splitlines()
    assert lines[2].split(None, 4)[3:] == ["any", "weak, DEAD: garbage-collected, never called"]
    assert lines[3] == (
        "1 receiver connected weakly was garbage-collected: connect with weak=False, or define the receiver at "
        "module level."
    )


def test_with_orm_the_app_says_it_sends_model_signals(tmp_path):
    app = create_app(
        settings(PLUGINS=["orm", "signals"], DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}"), import_name="shop"
    )
    assert run(app, "pre_save").output.splitlines()[-1] == (
        "The app 'shop' sends the model signals (orm and signals are in PLUGINS)."
    )


def report(sender, **extra):
    """A module-level receiver, connected per app with blinker's own connect()."""


def test_a_receiver_connected_for_another_app_or_a_gone_one_is_not_listed(signals_app):
    other = create_app(settings(PLUGINS=["signals"]), import_name="other")
    flask_signals.got_request_exception.connect(report, other, weak=False)
    try:
        assert run(signals_app, "got_request_exception").output.splitlines()[2].split()[:3] == [
            "got_request_exception",
            "flask",
            "-",
        ]
        assert "test_cli.report" in run(other, "got_request_exception").output
        del other
        gc.collect()
        assert "test_cli.report" not in run(signals_app, "--connected").output
    finally:
        flask_signals.got_request_exception.disconnect(report)
