"""``python -m flaskkit``: the same as the ``flaskkit`` command (``python -m flaskkit startproject NAME``)."""

from __future__ import annotations

from .scaffold.cli import main

if __name__ == "__main__":
    main(prog_name="python -m flaskkit")
