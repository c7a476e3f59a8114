from __future__ import annotations

import gc
import typing as t
import weakref

import pytest

from flaskkit.plugins.signals import registry


@pytest.fixture(scope="module", autouse=True)
def _earlier_objects_frozen() -> t.Iterator[None]:
    """What the tests before left is collected once, and the survivors frozen (``gc.freeze()``) for the module:
    the ``gc.collect()`` before each test then only walks what this module made, not a worker's whole heap
    (more than a second per test after a few thousand tests). Unfrozen afterwards."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@pytest.fixture(autouse=True)
def _restore_receivers(_earlier_objects_frozen: None) -> t.Iterator[None]:
    """Receivers are process-wide: disconnect what a test connected, and forget its dead ones.

    The apps of earlier tests (of any package) are collected first: a plugin connects receivers
    weakly for its app, and they must not show in these tests' listings.
    """
    gc.collect()
    registry.forget_dead()
    before = {name: set(signal.receivers) for name, signal in registry.items()}
    yield
    for name, signal in registry.items():
        for receiver_id, stored in list(signal.receivers.items()):
            if receiver_id in before[name]:
                continue
            target = stored() if isinstance(stored, weakref.ref) else stored
            if target is not None:
                signal.disconnect(target)
    registry.forget_dead()
