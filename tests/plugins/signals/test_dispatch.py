"""Django's signal API over blinker: @receiver, dispatch_uid, send_robust, weak-reference warnings."""

from __future__ import annotations

import functools
import gc
import logging

import pytest
from flask import signals as flask_signals

from flaskkit import signals as kit_signals
from flaskkit.plugins.signals import Signal
from flaskkit.plugins.signals import SignalWarning
from flaskkit.plugins.signals import connect
from flaskkit.plugins.signals import receiver
from flaskkit.plugins.signals import registry
from flaskkit.plugins.signals import send_robust
from flaskkit.plugins.signals.checks import check_dead_receivers
from flaskkit.plugins.signals.dispatch import receiver_infos

calls: list[str] = []


@pytest.fixture(autouse=True)
def _reset_calls():
    calls.clear()


class Post:
    pass


class Tag:
    pass


class DraftPost(Post):
    pass


def on_any(sender, **kwargs):
    calls.append(f"any:{getattr(sender, '__name__', sender)}")


def on_post(sender, **kwargs):
    calls.append(f"post:{sender.__name__}")


def test_receiver_with_a_sender_filter_gets_only_that_senders_signals():
    signal = Signal("saved")
    receiver(signal, sender=Post)(on_post)
    signal.send(Post, instance=Post())
    signal.send(Tag, instance=Tag())
    signal.send(DraftPost, instance=DraftPost())  # a subclass is another sender, as in Django
    assert calls == ["post:Post"]


def test_receiver_on_a_list_of_signals():
    saved, deleted = Signal("saved"), Signal("deleted")

    @receiver([saved, deleted], sender=Post, weak=False)
    def both(sender, **kwargs):
        calls.append(kwargs["what"])

    saved.send(Post, what="saved")
    deleted.send(Post, what="deleted")
    assert calls == ["saved", "deleted"]


def test_propagate_delivers_a_subclasss_signals():
    signal = Signal("saved")
    signal.connect(on_post, sender=Post, propagate=True)
    signal.send(DraftPost)
    signal.send(Tag)
    assert calls == ["post:DraftPost"]
    [info] = receiver_infos(signal)
    assert (info.receiver, info.senders, info.propagate) == (
        "tests.plugins.signals.test_dispatch.on_post",
        ("tests.plugins.signals.test_dispatch.Post",),
        True,
    )


def test_receivers_run_in_the_order_they_were_connected():
    signal = Signal("ordered")
    order = []
    receivers = []
    for number in range(8):

        def make(n):
            def recv(sender, **kwargs):
                order.append(n)

            return recv

        receivers.append(make(number))
        signal.connect(receivers[-1], weak=False)
    signal.send(None)
    assert order == list(range(8))


def test_dispatch_uid_connects_a_reimported_receiver_once():
    signal = Signal("saved")

    def first_import(sender, **kwargs):
        calls.append("first")

    def second_import(sender, **kwargs):  # the same receiver from a module imported twice
        calls.append("second")

    signal.connect(first_import, sender=Post, weak=False, dispatch_uid="notify")
    signal.connect(second_import, sender=Post, weak=False, dispatch_uid="notify")
    signal.send(Post)
    assert calls == ["first"]
    # another sender is another key, as in Django
    signal.connect(second_import, sender=Tag, weak=False, dispatch_uid="notify")
    signal.send(Tag)
    assert calls == ["first", "second"]


def test_disconnect_by_dispatch_uid_then_connect_again():
    signal = Signal("saved")

    def a(sender, **kwargs):
        calls.append("a")

    def b(sender, **kwargs):
        calls.append("b")

    signal.connect(a, weak=False, dispatch_uid="uid")
    assert signal.disconnect(dispatch_uid="uid") is True
    assert signal.disconnect(dispatch_uid="uid") is False
    signal.connect(b, weak=False, dispatch_uid="uid")
    signal.send(None)
    assert calls == ["b"]


def test_the_same_function_twice_runs_once():
    signal = Signal("saved")
    signal.connect(on_any)
    signal.connect(on_any)
    signal.send(Post)
    assert calls == ["any:Post"]


def test_send_robust_runs_every_receiver_and_returns_the_exception(caplog):
    signal = Signal("saved")
    error = ValueError("mail server down")

    def raising(sender, **kwargs):
        calls.append("raising")
        raise error

    def later(sender, **kwargs):
        calls.append("later")
        return "done"

    signal.connect(raising, weak=False)
    signal.connect(later, weak=False)
    with caplog.at_level(logging.ERROR, logger="flaskkit.signals"):
        results = signal.send_robust(Post, instance=None)
    assert calls == ["raising", "later"]
    assert results == [(raising, error), (later, "done")]
    assert caplog.records[0].getMessage() == (
        "The receiver tests.plugins.signals.test_dispatch."
        "test_send_robust_runs_every_receiver_and_returns_the_exception.<locals>.raising of the signal 'saved' "
        "raised ValueError('mail server down')"
    )
    assert caplog.records[0].exc_info is not None


def test_send_lets_the_exception_propagate():
    signal = Signal("saved")

    def raising(sender, **kwargs):
        raise ValueError("boom")

    signal.connect(raising, weak=False)
    signal.connect(on_any)
    with pytest.raises(ValueError, match="boom"):
        signal.send(Post)


def test_send_robust_on_a_flask_signal():
    def raising(sender, **kwargs):
        raise RuntimeError("x")

    with flask_signals.message_flashed.connected_to(raising):
        [(func, result)] = send_robust(flask_signals.message_flashed, "app", message="m", category="c")
    assert func is raising
    assert isinstance(result, RuntimeError)


def test_connecting_a_lambda_weakly_warns_that_it_would_never_be_called():
    signal = Signal("saved")
    with pytest.warns(SignalWarning) as record:
        signal.connect(lambda sender, **kwargs: None)
    message = str(record[0].message)
    assert message == (
        "The receiver tests.plugins.signals.test_dispatch."
        "test_connecting_a_lambda_weakly_warns_that_it_would_never_be_called.<locals>.<lambda> of the signal "
        "'saved' is a lambda, connected weakly: blinker keeps only a weak reference, so it is garbage-collected as "
        "soon as the code that connected it returns, and it will never be called. Connect it with weak=False, or "
        "define it at module level."
    )
    assert record[0].filename == __file__  # points at the user's line
    gc.collect()
    assert not signal.receivers  # blinker did drop it


def test_a_closure_and_a_partial_warn_too_but_not_when_strong():
    signal = Signal("saved")

    def local(sender, **kwargs):
        return None

    with pytest.warns(SignalWarning, match="is a function defined inside another function, connected weakly"):
        receiver(signal)(local)
    with pytest.warns(SignalWarning, match="is a functools.partial object, connected weakly"):
        signal.connect(functools.partial(on_any))
    with pytest.warns(SignalWarning, match="connected weakly"):
        connect(flask_signals.request_started, lambda sender, **kwargs: None)
    signal.connect(lambda sender, **kwargs: calls.append("strong"), weak=False)  # no warning
    signal.connect(on_any)  # a module-level function: no warning
    signal.send(Post)
    assert calls == ["strong", "any:Post"]


def test_a_dead_receiver_is_reported_by_the_registry_and_the_check(app):
    post_save = registry["post_save"]
    with pytest.warns(SignalWarning):
        post_save.connect(lambda sender, **kwargs: None, sender=Post, dispatch_uid="lost")
    gc.collect()
    [info] = registry.receivers("post_save")
    assert (info.signal, info.dead, info.weak, info.dispatch_uid, info.senders) == (
        "post_save",
        True,
        True,
        "lost",
        ("tests.plugins.signals.test_dispatch.Post",),
    )
    assert info.receiver.endswith("<locals>.<lambda>")

    [message] = check_dead_receivers(app, registry)
    assert message.id == "signals.W001"
    assert message.msg.endswith(
        "<lambda> of the signal 'post_save' was connected weakly and has been garbage-collected: "
        "it will never be called."
    )
    assert registry.forget_dead() == 1
    assert registry.receivers("post_save") == []


def test_receivers_must_accept_kwargs_and_be_synchronous():
    signal = Signal("saved")

    def strict(sender, instance):
        return None

    with pytest.raises(TypeError) as info:
        signal.connect(strict, weak=False)
    assert str(info.value) == (
        "The receiver tests.plugins.signals.test_dispatch.test_receivers_must_accept_kwargs_and_be_synchronous."
        "<locals>.strict(sender, instance) of the signal 'saved' must accept keyword arguments (**kwargs): "
        "signals may send more arguments in later versions, as in Django."
    )

    async def later(sender, **kwargs):
        return None

    with pytest.raises(TypeError, match=r"is a coroutine function \(async def\); the signal 'saved' is sent"):
        signal.connect(later, weak=False)
    assert not signal.receivers


def test_propagate_needs_a_class_and_a_flaskkit_signal():
    with pytest.raises(TypeError, match="propagate=True needs a class as sender"):
        Signal("s").connect(on_any, sender="name", propagate=True)
    with pytest.raises(TypeError, match="propagate=True needs one of flaskkit's signals"):
        connect(flask_signals.request_started, on_any, sender=Post, propagate=True)


def test_has_listeners():
    signal = Signal("saved")
    assert not signal.has_listeners()
    signal.connect(on_post, sender=Post)
    assert signal.has_listeners()
    assert signal.has_listeners(Post)
    assert not signal.has_listeners(Tag)


def test_the_registry_holds_flasks_the_kits_the_model_and_the_auth_signals():
    assert list(registry) == [
        "request_started",
        "request_finished",
        "request_tearing_down",
        "got_request_exception",
        "appcontext_pushed",
        "appcontext_popped",
        "appcontext_tearing_down",
        "before_render_template",
        "template_rendered",
        "message_flashed",
        "plugin_ready",
        "kit_ready",
        "pre_save",
        "post_save",
        "pre_delete",
        "post_delete",
        "post_commit_save",
        "post_commit_delete",
        "bulk_update",
        "bulk_delete",
        "user_logged_in",
        "user_logged_out",
        "user_login_failed",
    ]
    assert registry["request_started"] is flask_signals.request_started
    assert registry["kit_ready"] is kit_signals.kit_ready
    assert registry.origin("template_rendered") == "flask"
    assert registry.origin("user_login_failed") == "auth"
    with pytest.raises(ValueError, match="The signal name 'post_save' is already registered by models"):
        registry.register("post_save", Signal("post_save"), origin="shop")


def test_receiver_and_dispatch_uid_on_a_flask_signal(app):
    @receiver(flask_signals.request_started, weak=False, dispatch_uid="count-requests")
    def counted(sender, **kwargs):
        calls.append("started")

    receiver(flask_signals.request_started, dispatch_uid="count-requests")(on_any)  # ignored: same uid
    app.get("/")(lambda: "hello")
    app.test_client().get("/")
    assert calls == ["started"]
    [info] = registry.receivers("request_started")
    assert info.receiver == (
        "tests.plugins.signals.test_dispatch.test_receiver_and_dispatch_uid_on_a_flask_signal.<locals>.counted"
    )
    assert info.dispatch_uid == "count-requests"


def test_disconnecting_the_last_sender_by_dispatch_uid_forgets_the_receiver():
    signal = Signal("disconnect-by-uid")

    class Sender:
        pass

    def on_signal(sender, **kwargs):
        return "ran"

    signal.connect(on_signal, sender=Sender, weak=False, dispatch_uid="uid-1")
    assert signal.disconnect(sender=Sender, dispatch_uid="uid-1") is True
    assert signal.receivers == {}
    assert signal.send(Sender) == []
    assert signal.disconnect(sender=Sender, dispatch_uid="uid-1") is False
