"""Resolve phase, part two: the boot order.

A topological order of ``requires`` (stdlib :mod:`graphlib`). Among the
plugins that could come next, ``PLUGINS`` order decides, where a plugin counts
as listed as early as the first plugin that (directly or not) needs it: with
``PLUGINS = ["blog", "search", "orm"]`` and blog requiring orm, the order is
orm, blog, search.
"""

from __future__ import annotations

import graphlib
import typing as t

from ._text import did_you_mean
from .exceptions import ConfigurationError

if t.TYPE_CHECKING:
    from .plugin import Plugin

__all__ = ["boot_order"]


def boot_order(plugins: t.Sequence[Plugin]) -> list[Plugin]:
    """Order ``plugins`` (given in ``PLUGINS`` order) so that each follows what it requires."""
    by_name = {p.name: p for p in plugins}
    position = {p.name: i for i, p in enumerate(plugins)}
    _check_requirements(plugins, by_name)

    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for plugin in plugins:
        sorter.add(plugin.name, *plugin.requires, *(name for name in plugin.after if name in by_name))
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        # graphlib reports each node before the one that needs it; read it the
        # other way round so that "a -> b" means "a requires b".
        cycle = list(reversed(exc.args[1]))
        raise ConfigurationError(
            f"The plugins' requirements form a cycle: {' -> '.join(cycle)}.",
            setting="PLUGINS",
            plugin=cycle[0],
            hint="A plugin cannot (even indirectly) require itself; remove one of these requirements.",
        ) from None

    rank = _ranks(plugins, by_name, position)
    order: list[str] = []
    ready: list[str] = []
    while sorter.is_active():
        ready.extend(sorter.get_ready())
        ready.sort(key=rank.__getitem__)
        name = ready.pop(0)
        order.append(name)
        sorter.done(name)
    return [by_name[name] for name in order]


def _ranks(
    plugins: t.Sequence[Plugin], by_name: t.Mapping[str, Plugin], position: t.Mapping[str, int]
) -> dict[str, tuple[int, int]]:
    """(earliest position among the plugin and everything that needs it, own position)."""
    earliest = dict(position)
    # PLUGINS order: a dependent's position flows to everything it (transitively) requires.
    for plugin in plugins:
        stack = [*plugin.requires, *(n for n in plugin.after if n in by_name)]
        seen: set[str] = set()
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            earliest[name] = min(earliest[name], position[plugin.name])
            stack.extend(by_name[name].requires)
            stack.extend(n for n in by_name[name].after if n in by_name)
    return {name: (earliest[name], position[name]) for name in position}


def _check_requirements(plugins: t.Sequence[Plugin], by_name: t.Mapping[str, Plugin]) -> None:
    problems: list[tuple[str, str]] = []
    for plugin in plugins:
        for attr in ("requires", "after"):
            names = getattr(plugin, attr)
            if isinstance(names, str) or not all(isinstance(r, str) for r in names):
                raise ConfigurationError(
                    f"Plugin {plugin.name!r} declares {attr} = {names!r}; it must be a list of plugin names.",
                    plugin=plugin.name,
                    hint=f"Write {attr} = ({names!r},)" if isinstance(names, str) else None,
                )
        for required in plugin.requires:
            if required not in by_name:
                problems.append(
                    (
                        plugin.name,
                        f"Plugin {plugin.name!r} requires {required!r}, which is not in PLUGINS: "
                        f"add {required!r} to PLUGINS.{did_you_mean(required, by_name)}",
                    )
                )
    if problems:
        raise ConfigurationError(
            "\n".join(text for _, text in problems),
            setting="PLUGINS",
            plugin=problems[0][0] if len(problems) == 1 else None,
        )
