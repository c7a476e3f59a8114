"""An example plugin distribution: two plugins, one requiring the other."""

from __future__ import annotations

import typing as t

import click
from flask import Flask

from flaskkit import Plugin
from flaskkit import checks


class GreetingPlugin(Plugin):
    name = "greeting"
    defaults: t.ClassVar[dict[str, t.Any]] = {"GREETING": "Hello"}

    def checks(self, app: Flask) -> list[checks.CheckMessage]:
        if not isinstance(app.config["GREETING"], str):
            return [checks.Error("GREETING must be a string.", obj="GREETING", id="greeting.E001")]
        return []


class HelloPlugin(Plugin):
    name = "hello"
    requires = ("greeting",)

    def init_app(self, app: Flask) -> None:
        app.add_url_rule("/hello/<name>", "hello", lambda name: f"{app.config['GREETING']}, {name}!")

    def commands(self, app: Flask) -> list[click.Command]:
        @click.command("hello")
        @click.argument("name")
        def hello(name: str) -> None:
            """Greet NAME."""
            click.echo(f"{app.config['GREETING']}, {name}!")

        return [hello]
