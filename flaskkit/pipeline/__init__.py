"""The request pipeline: one chain of named layers around every request, owned by the kit.

Plugins contribute :class:`Layer` objects from :meth:`flaskkit.Plugin.layers`;
the ``middleware`` plugin turns each ``MIDDLEWARE`` entry into one. The kit
orders them from their declared positions (``over``/``under``), installs the
hooks that run them, and ``flask kit middleware`` shows the result::

    from flaskkit import Plugin
    from flaskkit.pipeline import Layer

    class TimingPlugin(Plugin):
        def layers(self, app):
            yield Layer(
                "timing.server_timing",
                request=start_clock,
                response=add_server_timing_header,
                over="MIDDLEWARE",   # outside the app's MIDDLEWARE
            )
"""

from __future__ import annotations

from .layer import HOOK_NAMES
from .layer import Layer
from .ordering import order_layers
from .runtime import Pipeline

__all__ = ["HOOK_NAMES", "MIDDLEWARE_GROUP", "Layer", "Pipeline", "order_layers"]

#: The group of the layers made from the ``MIDDLEWARE`` setting, for ``over``/``under``.
MIDDLEWARE_GROUP = "MIDDLEWARE"
