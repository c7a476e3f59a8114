"""Django's signal API over blinker: ``Signal``, ``@receiver``, ``dispatch_uid``, ``send_robust``.

blinker does the dispatching; this module adds what Django users rely on:

* ``dispatch_uid``: a receiver connected again under the same uid (a module
  imported twice) stays connected once;
* :meth:`Signal.send_robust`: every receiver runs, exceptions are logged and
  returned instead of raised;
* a :class:`SignalWarning` when a lambda, a local function or a
  ``functools.partial`` is connected weakly: blinker would drop it at once,
  silently, and it would never be called;
* receivers run in the order they were connected (blinker's order is
  undefined), and ``propagate=True`` delivers a model's signals to a receiver
  connected with a base class as sender.

:func:`connect` and :func:`receiver` also work on any blinker signal (Flask's
own), with ``dispatch_uid`` and the weak-reference warning.
"""

from __future__ import annotations

import functools
import inspect
import logging
import typing as t
import warnings
import weakref
from dataclasses import dataclass

import blinker
from blinker import ANY
from blinker.base import ANY_ID
from blinker.base import make_id

__all__ = [
    "ANY",
    "ReceiverInfo",
    "Signal",
    "SignalWarning",
    "connect",
    "disconnect",
    "forget_dead",
    "label",
    "receiver",
    "receiver_infos",
    "send_robust",
]

logger = logging.getLogger("flaskkit.signals")

_F = t.TypeVar("_F", bound=t.Callable[..., t.Any])


class SignalWarning(UserWarning):
    """A receiver was connected in a way that means it will never be called."""


@dataclass
class ReceiverInfo:
    """What the registry knows about one connected receiver."""

    #: The dotted path of the receiver (``myapp.receivers.notify``).
    receiver: str
    #: The sender filters: ``"any"`` or each sender's dotted path / repr.
    senders: tuple[str, ...]
    weak: bool
    dispatch_uid: t.Hashable | None = None
    #: A weakly connected receiver that was garbage-collected: it will never be called.
    dead: bool = False
    #: Senders whose subclasses also reach this receiver (``propagate=True``).
    propagate: bool = False
    #: The name of the signal in the registry (set by :class:`~.registry.SignalRegistry`).
    signal: str = ""


@dataclass
class _Entry:
    """A connection made through :func:`connect`."""

    ref: t.Callable[[], t.Any]
    label: str
    weak: bool
    senders: dict[t.Hashable, str]
    dispatch_uid: t.Hashable | None
    propagate: bool


@dataclass
class _Book:
    entries: dict[t.Hashable, _Entry]
    uids: dict[tuple[t.Hashable, t.Hashable], t.Hashable]


#: Per signal (weakly): the connections made through flaskkit. Process-wide,
#: like the receivers themselves; nothing here belongs to an app.
_books: weakref.WeakKeyDictionary[blinker.Signal, _Book] = weakref.WeakKeyDictionary()


def _book(signal: blinker.Signal) -> _Book:
    book = _books.get(signal)
    if book is None:
        book = _books[signal] = _Book(entries={}, uids={})
        # An explicit disconnect (ours, blinker's, connected_to's) forgets the entry; a
        # garbage-collected weak receiver sends nothing, so it stays listed as dead.
        signal.receiver_disconnected.connect(_forget, weak=False)
    return book


def _forget(signal: blinker.Signal, *, receiver: t.Any, sender: t.Any, **_: t.Any) -> None:
    book = _books.get(signal)
    if book is None:
        return
    receiver_id = make_id(receiver)
    entry = book.entries.get(receiver_id)
    if entry is None:
        return
    sender_id = ANY_ID if sender is ANY else make_id(sender)
    if sender is ANY:
        del book.entries[receiver_id]
    else:
        entry.senders.pop(sender_id, None)
    for key in [key for key, rid in book.uids.items() if rid == receiver_id and sender_id in (ANY_ID, key[1])]:
        del book.uids[key]


# -- labels --------------------------------------------------------------------


def label(obj: object) -> str:
    """A dotted path for a receiver or a sender: ``myapp.models.Post``, ``myapp.receivers.notify``."""
    if obj is ANY:
        return "any"
    if isinstance(obj, functools.partial):
        return f"functools.partial({label(obj.func)})"
    if inspect.ismethod(obj):
        return label(obj.__func__)
    qualname = getattr(obj, "__qualname__", None)
    module = getattr(obj, "__module__", None)
    if isinstance(qualname, str) and (inspect.isfunction(obj) or inspect.isclass(obj) or inspect.isbuiltin(obj)):
        return f"{module}.{qualname}" if module else qualname
    if callable(obj) and not isinstance(obj, str):
        cls = type(obj)
        return f"{cls.__module__}.{cls.__qualname__} instance"
    return repr(obj)


def _is_dropped_at_once(obj: object) -> str | None:
    """Why a weak reference to ``obj`` is likely the only one (so blinker drops it), or None."""
    if isinstance(obj, functools.partial):
        return "a functools.partial object"
    func = obj.__func__ if inspect.ismethod(obj) else obj
    if not inspect.isfunction(func):
        return None
    if func.__name__ == "<lambda>":
        return "a lambda"
    if "<locals>" in func.__qualname__ and not inspect.ismethod(obj):
        return "a function defined inside another function"
    return None


# -- connect / disconnect ----------------------------------------------------------


def connect(
    signal: blinker.Signal,
    receiver: _F,
    sender: t.Any = ANY,
    weak: bool = True,
    dispatch_uid: t.Hashable | None = None,
    *,
    propagate: bool = False,
) -> _F:
    """Connect ``receiver`` to ``signal`` (any blinker signal), Django's way.

    :param sender: only calls with this sender reach the receiver (default: any).
    :param weak: keep a weak reference (blinker's default, as Django's): the
        receiver disconnects itself when garbage-collected. A lambda, a
        partial or a function defined in a function would be collected at
        once; connecting one weakly warns with :class:`SignalWarning`.
    :param dispatch_uid: connecting again under the same uid (and sender) is a
        no-op while the first receiver is connected.
    :param propagate: also receive the signal when the sender is a subclass of
        ``sender`` (flaskkit's :class:`Signal` only).
    """
    if not callable(receiver):
        raise TypeError(f"A signal receiver must be callable, not {receiver!r}.")
    name = _signal_name(signal)
    if isinstance(signal, Signal):
        signal._check_receiver(receiver)
    elif propagate:
        raise TypeError(f"propagate=True needs one of flaskkit's signals; {name} is a plain blinker signal.")
    if propagate and not isinstance(sender, type):
        raise TypeError(f"propagate=True needs a class as sender (its subclasses are delivered too), not {sender!r}.")
    if weak:
        reason = _is_dropped_at_once(receiver)
        if reason is not None:
            warnings.warn(
                f"The receiver {label(receiver)} of the signal {name} is {reason}, connected weakly: blinker keeps "
                "only a weak reference, so it is garbage-collected as soon as the code that connected it returns, "
                "and it will never be called. Connect it with weak=False, or define it at module level.",
                SignalWarning,
                stacklevel=_caller_stacklevel(),
            )
    book = _book(signal)
    receiver_id = make_id(receiver)
    sender_id = ANY_ID if sender is ANY else make_id(sender)
    if dispatch_uid is not None:
        existing = book.uids.get((dispatch_uid, sender_id))
        if existing is not None and _alive(signal, book, existing):
            return receiver  # connected already under this uid: the first one stays, once
    blinker.Signal.connect(signal, receiver, sender, weak)
    entry = book.entries.get(receiver_id)
    if entry is None or not _same(entry.ref(), receiver):
        entry = book.entries[receiver_id] = _Entry(
            ref=_reference(receiver),
            label=label(receiver),
            weak=weak,
            senders={},
            dispatch_uid=dispatch_uid,
            propagate=propagate,
        )
    entry.senders[sender_id] = label(sender)
    entry.propagate = entry.propagate or propagate
    if dispatch_uid is not None:
        book.uids[(dispatch_uid, sender_id)] = receiver_id
    if propagate and isinstance(signal, Signal):
        signal._propagating.add((receiver_id, sender_id))
    return receiver


def disconnect(
    signal: blinker.Signal,
    receiver: t.Callable[..., t.Any] | None = None,
    sender: t.Any = ANY,
    dispatch_uid: t.Hashable | None = None,
) -> bool:
    """Disconnect a receiver, by itself or by its ``dispatch_uid``; return whether one was connected."""
    book = _book(signal)
    sender_id = ANY_ID if sender is ANY else make_id(sender)
    if dispatch_uid is not None:
        receiver_id = book.uids.get((dispatch_uid, sender_id))
        entry = book.entries.get(receiver_id) if receiver_id is not None else None
        receiver = entry.ref() if entry is not None else None
        if receiver is None:
            return False
    if receiver is None:
        raise TypeError("disconnect() needs the receiver or its dispatch_uid.")
    receiver_id = make_id(receiver)
    senders = signal._by_receiver.get(receiver_id, set())
    was_connected = receiver_id in signal.receivers and (sender_id == ANY_ID or sender_id in senders)
    blinker.Signal.disconnect(signal, receiver, sender)  # sends receiver_disconnected: _forget() runs
    if receiver_id in signal.receivers and not signal._by_receiver.get(receiver_id):
        # blinker keeps a receiver whose last sender was disconnected in `receivers`
        # (it is never called again); drop it so listings do not show it.
        blinker.Signal.disconnect(signal, receiver)
    if isinstance(signal, Signal):
        signal._propagating = {
            (rid, sid) for rid, sid in signal._propagating if rid != receiver_id or sender_id not in (ANY_ID, sid)
        }
    return was_connected


def receiver(
    signal: blinker.Signal | t.Iterable[blinker.Signal],
    *,
    sender: t.Any = ANY,
    weak: bool = True,
    dispatch_uid: t.Hashable | None = None,
    propagate: bool = False,
) -> t.Callable[[_F], _F]:
    """Connect the decorated function to one signal or to each of a list of signals (Django's ``@receiver``).

    ::

        @receiver(post_save, sender=Post)
        def on_post_saved(sender, instance, created, **kwargs):
            ...

        @receiver([post_save, post_delete], sender=Post, dispatch_uid="purge-post-cache")
        def purge(sender, instance, **kwargs):
            ...
    """
    signals = [signal] if isinstance(signal, blinker.Signal) else list(signal)
    for item in signals:
        if not isinstance(item, blinker.Signal):
            raise TypeError(f"@receiver() needs a signal or a list of signals, not {item!r}.")

    def decorator(func: _F) -> _F:
        for item in signals:
            connect(item, func, sender, weak, dispatch_uid, propagate=propagate)
        return func

    return decorator


def send_robust(signal: blinker.Signal, sender: t.Any = None, /, **kwargs: t.Any) -> list[tuple[t.Any, t.Any]]:
    """Send ``signal`` to every receiver even when some raise (any blinker signal).

    Returns ``[(receiver, value_or_exception), ...]``; each exception is
    logged (logger ``flaskkit.signals``) with its traceback.
    """
    if signal.is_muted:
        return []
    results: list[tuple[t.Any, t.Any]] = []
    for func in signal.receivers_for(sender):
        try:
            results.append((func, func(sender, **kwargs)))
        except Exception as exc:
            logger.exception("The receiver %s of the signal %s raised %r", label(func), _signal_name(signal), exc)
            results.append((func, exc))
    return results


# -- introspection -------------------------------------------------------------------


def receiver_infos(signal: blinker.Signal, app: object | None = None) -> list[ReceiverInfo]:
    """The receivers of ``signal`` (connection order), dead weak ones included.

    A receiver connected (with blinker's ``connect``) only for senders that no longer exist is
    left out: it can never be called. With ``app``, so is one connected only for other Flask apps.
    """
    book = _books.get(signal)
    entries = dict(book.entries) if book is not None else {}
    infos: list[ReceiverInfo] = []
    for receiver_id, stored in list(signal.receivers.items()):
        target = stored() if isinstance(stored, weakref.ref) else stored
        if target is None:
            continue
        entry = entries.pop(receiver_id, None)
        if entry is not None and _same(entry.ref(), target):
            infos.append(
                ReceiverInfo(
                    entry.label,
                    tuple(entry.senders.values()) or ("any",),
                    entry.weak,
                    entry.dispatch_uid,
                    propagate=entry.propagate,
                )
            )
        else:  # connected with blinker's own connect(): read its bookkeeping
            if not _serves(signal, receiver_id, app):
                continue
            infos.append(
                ReceiverInfo(label(target), _blinker_senders(signal, receiver_id), isinstance(stored, weakref.ref))
            )
    for entry in entries.values():
        if entry.weak and entry.ref() is None:
            infos.append(ReceiverInfo(entry.label, tuple(entry.senders.values()), True, entry.dispatch_uid, dead=True))
    return infos


def forget_dead(signal: blinker.Signal) -> int:
    """Drop the record of ``signal``'s garbage-collected weak receivers; return how many there were."""
    book = _books.get(signal)
    if book is None:
        return 0
    dead = [rid for rid, entry in book.entries.items() if entry.weak and entry.ref() is None]
    for receiver_id in dead:
        del book.entries[receiver_id]
        for key in [key for key, rid in book.uids.items() if rid == receiver_id]:
            del book.uids[key]
    return len(dead)


def _serves(signal: blinker.Signal, receiver_id: t.Hashable, app: object | None) -> bool:
    """Whether a receiver connected with blinker's ``connect`` may still be called (for ``app``)."""
    sender_ids = getattr(signal, "_by_receiver", {}).get(receiver_id)
    if sender_ids is None or ANY_ID in sender_ids:
        return True
    senders = []
    for sender_id in sender_ids:
        ref = getattr(signal, "_weak_senders", {}).get(sender_id)
        sender = ref() if ref is not None else None
        if sender is not None:
            senders.append(sender)
    if not senders:
        return False  # every sender it was connected for is gone
    if app is None:
        return True
    from flask import Flask

    return any(sender is app or not isinstance(sender, Flask) for sender in senders)


def _blinker_senders(signal: blinker.Signal, receiver_id: t.Hashable) -> tuple[str, ...]:
    # blinker keeps sender ids, and weak references to the senders it can (not public API).
    labels = []
    for sender_id in getattr(signal, "_by_receiver", {}).get(receiver_id, ()):
        if sender_id == ANY_ID:
            labels.append("any")
            continue
        ref = getattr(signal, "_weak_senders", {}).get(sender_id)
        sender = ref() if ref is not None else None
        labels.append(label(sender) if sender is not None else repr(sender_id))
    return tuple(sorted(labels)) or ("any",)


def _signal_name(signal: blinker.Signal) -> str:
    name = getattr(signal, "name", None)
    return repr(name) if name else repr(signal)


def _same(a: object, b: object) -> bool:
    # A bound method is a new object on each attribute access: compare those by equality.
    return a is b or (inspect.ismethod(a) and a == b)


def _reference(receiver: t.Any) -> t.Callable[[], t.Any]:
    """A weak reference to the receiver (the registry must not keep a weak receiver alive)."""
    if inspect.ismethod(receiver):
        return weakref.WeakMethod(receiver)
    try:
        return weakref.ref(receiver)
    except TypeError:  # not weak-referenceable: blinker holds it strongly anyway
        return lambda: receiver


def _caller_stacklevel() -> int:
    """The stacklevel of the first frame outside this module (the user's connect call)."""
    frame = inspect.currentframe()
    level = 0  # this function's frame is not on the stack warnings.warn() counts from
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back
        level += 1
    return level


def _alive(signal: blinker.Signal, book: _Book, receiver_id: t.Hashable) -> bool:
    entry = book.entries.get(receiver_id)
    return entry is not None and entry.ref() is not None and receiver_id in signal.receivers


# -- the Signal class -------------------------------------------------------------------


class Signal(blinker.NamedSignal):
    """A blinker signal with Django's API on top (flaskkit's own signals are these).

    ``send(sender, **kwargs)`` works as in blinker (exceptions propagate);
    :meth:`send_robust` runs every receiver whatever happens. Receivers must
    accept keyword arguments (``**kwargs``) and be plain functions (the
    signals are sent synchronously), as Django requires.
    """

    def __init__(self, name: str, doc: str | None = None) -> None:
        super().__init__(name, doc)
        #: (receiver id, sender id) pairs connected with propagate=True.
        self._propagating: set[tuple[t.Hashable, t.Hashable]] = set()

    def connect(  # type: ignore[override]
        self,
        receiver: _F,
        sender: t.Any = ANY,
        weak: bool = True,
        dispatch_uid: t.Hashable | None = None,
        *,
        propagate: bool = False,
    ) -> _F:
        """Connect ``receiver``; see :func:`connect` for the arguments."""
        return connect(self, receiver, sender, weak, dispatch_uid, propagate=propagate)

    def disconnect(  # type: ignore[override]
        self,
        receiver: t.Callable[..., t.Any] | None = None,
        sender: t.Any = ANY,
        dispatch_uid: t.Hashable | None = None,
    ) -> bool:
        """Disconnect ``receiver`` (or the one connected under ``dispatch_uid``); return whether it was connected."""
        return disconnect(self, receiver, sender, dispatch_uid)

    def send_robust(self, sender: t.Any = None, /, **kwargs: t.Any) -> list[tuple[t.Any, t.Any]]:
        """Call every receiver; an exception is logged and returned in place of the value."""
        return send_robust(self, sender, **kwargs)

    def has_listeners(self, sender: t.Any = None) -> bool:
        """Django's name: whether a receiver would get a signal from ``sender`` (any sender when ``None``)."""
        if sender is None:
            return bool(self.receivers)
        return any(True for _ in self.receivers_for(sender))

    def receivers_for(self, sender: t.Any) -> t.Generator[t.Callable[..., t.Any], None, None]:
        """The receivers for ``sender``, in the order they were connected."""
        if not self.receivers:
            return
        by_sender = self._by_sender
        ids = set(by_sender.get(ANY_ID, ()))
        ids.update(by_sender.get(make_id(sender), ()))
        if self._propagating and isinstance(sender, type):
            for base in sender.__mro__[1:]:
                base_id = make_id(base)
                ids.update(rid for rid in by_sender.get(base_id, ()) if (rid, base_id) in self._propagating)
        if not ids:
            return
        for receiver_id, stored in list(self.receivers.items()):
            if receiver_id not in ids:
                continue
            if isinstance(stored, weakref.ref):
                strong = stored()
                if strong is None:
                    self._disconnect(receiver_id, ANY_ID)
                    continue
                yield strong
            else:
                yield stored

    def _check_receiver(self, receiver: t.Callable[..., t.Any]) -> None:
        call = receiver if inspect.isfunction(receiver) or inspect.ismethod(receiver) else type(receiver).__call__
        if inspect.iscoroutinefunction(call):
            raise TypeError(
                f"The receiver {label(receiver)} is a coroutine function (async def); the signal {self.name!r} is "
                "sent synchronously, so it would never be awaited. Make it a plain function."
            )
        try:
            signature = inspect.signature(receiver)
        except (TypeError, ValueError):
            return
        if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values()):
            raise TypeError(
                f"The receiver {label(receiver)}{signature} of the signal {self.name!r} must accept keyword "
                "arguments (**kwargs): signals may send more arguments in later versions, as in Django."
            )
