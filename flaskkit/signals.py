"""The kit's own signals (blinker), sent while an app boots.

Like Flask's signals, the sender is the app::

    from flaskkit.signals import kit_ready

    @kit_ready.connect_via(app)
    def announce(app, kit):
        ...
"""

from __future__ import annotations

from blinker import Namespace

__all__ = ["kit_ready", "kit_signals", "plugin_ready"]

#: The namespace of the kit's signals.
kit_signals = Namespace()

#: Sent after a plugin's ``ready`` ran; ``sender`` is the app, ``plugin`` the plugin.
plugin_ready = kit_signals.signal("plugin-ready")

#: Sent once every plugin of an app is ready, before the boot checks;
#: ``sender`` is the app, ``kit`` the :class:`~flaskkit.Kit`.
kit_ready = kit_signals.signal("kit-ready")
