"""Ordering the layers of a pipeline from their ``over``/``under`` constraints.

As Pyramid orders its tweens: every constraint is an edge "outside of", the
order is a topological sort, and layers with no constraint between them keep
the order they were added in. A cycle is a boot error naming each side and
where it was declared.
"""

from __future__ import annotations

import heapq
import itertools
import typing as t

from .._text import did_you_mean
from ..exceptions import ConfigurationError

if t.TYPE_CHECKING:
    from .layer import Layer

__all__ = ["order_layers"]


class _Edge(t.NamedTuple):
    outer: str
    inner: str
    #: The layer whose constraint made the edge, and the constraint as written.
    declared_by: Layer
    constraint: str


def order_layers(layers: t.Sequence[Layer], plugin_names: t.Collection[str] = ()) -> list[Layer]:
    """``layers`` (in the order they were added) sorted outermost first.

    Raises :class:`ConfigurationError` for two layers with one name, a
    constraint naming an unknown layer of an enabled plugin, and a cycle.
    """
    by_name: dict[str, Layer] = {}
    for layer in layers:
        other = by_name.get(layer.name)
        if other is not None:
            raise ConfigurationError(
                f"Two layers of the request pipeline are named {layer.name!r}: one from {other.origin}, "
                f"one from {layer.origin}.",
                setting="MIDDLEWARE" if layer.group == "MIDDLEWARE" == other.group else None,
                hint="A layer name is unique in an app: remove one, or give one another name.",
            )
        by_name[layer.name] = layer
    groups: dict[str, list[str]] = {}
    for layer in layers:
        if layer.group:
            groups.setdefault(layer.group, []).append(layer.name)

    edges: dict[tuple[str, str], _Edge] = {}
    for layer in layers:
        for target in layer.over:
            for name in _expand(layer, target, by_name, groups, plugin_names):
                edges.setdefault((layer.name, name), _Edge(layer.name, name, layer, f"over {target!r}"))
        for target in layer.under:
            for name in _expand(layer, target, by_name, groups, plugin_names):
                edges.setdefault((name, layer.name), _Edge(name, layer.name, layer, f"under {target!r}"))

    index = {layer.name: i for i, layer in enumerate(layers)}
    inners: dict[str, list[str]] = {name: [] for name in index}
    indegree = dict.fromkeys(index, 0)
    for outer, inner in edges:
        inners[outer].append(inner)
        indegree[inner] += 1
    ready = [(index[name], name) for name, degree in indegree.items() if degree == 0]
    heapq.heapify(ready)
    ordered: list[Layer] = []
    while ready:
        _, name = heapq.heappop(ready)
        ordered.append(by_name[name])
        for inner in inners[name]:
            indegree[inner] -= 1
            if indegree[inner] == 0:
                heapq.heappush(ready, (index[inner], inner))
    if len(ordered) < len(layers):
        left = {name for name, degree in indegree.items() if degree > 0}
        raise _cycle_error(_find_cycle(left, edges), edges)
    return ordered


def _expand(
    layer: Layer,
    target: str,
    by_name: t.Mapping[str, Layer],
    groups: t.Mapping[str, list[str]],
    plugin_names: t.Collection[str],
) -> list[str]:
    if target in by_name:
        return [] if target == layer.name else [target]
    if target in groups:
        return [name for name in groups[target] if name != layer.name]
    namespace = target.partition(".")[0]
    if namespace in plugin_names:
        known = list(by_name) + list(groups)
        raise ConfigurationError(
            f"The layer {layer.name!r} (from {layer.origin}) is declared {_side(layer, target)} {target!r}, but the "
            f"plugin {namespace!r} has no such layer.{did_you_mean(target, known)}",
            plugin=namespace,
            hint="Name an existing layer or group (flask kit middleware lists them).",
        )
    return []  # a layer of a plugin the app does not enable (or of a group with no member): nothing to order


def _side(layer: Layer, target: str) -> str:
    return "over" if target in layer.over else "under"


def _find_cycle(left: set[str], edges: t.Mapping[tuple[str, str], _Edge]) -> list[str]:
    """One cycle among the layers that could not be ordered, as names ``[a, b, ..., a]``."""
    inners: dict[str, list[str]] = {}
    for outer, inner in edges:
        if outer in left and inner in left:
            inners.setdefault(outer, []).append(inner)
    start = min(left)
    path: list[str] = []
    seen: dict[str, int] = {}
    node = start
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        node = sorted(inners[node])[0]
    return [*path[seen[node] :], node]


def _cycle_error(cycle: list[str], edges: t.Mapping[tuple[str, str], _Edge]) -> ConfigurationError:
    lines = []
    for outer, inner in itertools.pairwise(cycle):
        edge = edges[(outer, inner)]
        lines.append(
            f"  {outer!r} must be outside {inner!r}: {edge.declared_by.name!r} (from {edge.declared_by.origin}) "
            f"is declared {edge.constraint}"
        )
    names = " -> ".join(repr(name) for name in cycle)
    return ConfigurationError(
        "The request pipeline cannot be ordered: its layers' positions contradict each other "
        f"({names}):\n" + "\n".join(lines),
        hint="Change one of these over/under declarations, or the order of MIDDLEWARE.",
    )
