"""The built-in plugins, installed as ``flaskkit.plugins.<name>``.

Each one registers itself in the ``flaskkit.plugins`` entry-point group, the
same door a third-party plugin comes through: the core keeps no list of them.
"""
