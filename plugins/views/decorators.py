"""``method_decorator``: a view-function decorator applied to a method of a class-based view (Django's)."""

from __future__ import annotations

import functools
import typing as t

if t.TYPE_CHECKING:
    import collections.abc as cabc

__all__ = ["method_decorator"]

_T = t.TypeVar("_T")
Decorator = t.Callable[[t.Callable[..., t.Any]], t.Callable[..., t.Any]]


def method_decorator(decorator: Decorator | cabc.Sequence[Decorator], name: str = "") -> t.Callable[[_T], _T]:
    """Turn a decorator of view functions into one of view methods, as Django's.

    On a method::

        class PostList(ListView):
            @method_decorator(cache_page(60))
            def get(self, *args, **kwargs):
                return super().get(*args, **kwargs)

    or on the class, naming the method (``"dispatch"`` covers every method)::

        @method_decorator(cache_page(60), name="get")
        @method_decorator([login_required, csrf_exempt], name="dispatch")
        class PostList(ListView): ...

    ``decorator`` may be a list, applied as if stacked in that order (the first
    outermost). The decorated function gets the method already bound to the
    view instance and the URL arguments, as a Flask view function does.
    Attributes that a decorator sets on its function (``csrf_exempt``,
    ``non_atomic``, ``cache_page``'s mark) are copied to the method, and
    ``as_view()`` copies those of ``dispatch`` to the view function.
    """

    def decorate(obj: _T) -> _T:
        if not isinstance(obj, type):
            return t.cast(_T, _multi_decorate(decorator, t.cast(t.Callable[..., t.Any], obj)))
        if not (name and hasattr(obj, name)):
            raise ValueError(
                "The keyword argument `name` must be the name of a method of the decorated class: "
                f"{obj}. Got {name!r} instead."
            )
        method = getattr(obj, name)
        if not callable(method):
            raise TypeError(f"Cannot decorate {name!r} as it isn't a callable attribute of {obj} ({method}).")
        setattr(obj, name, _multi_decorate(decorator, method))
        return obj

    # The name shows what it is when a decorator list is printed.
    decorate.__name__ = f"method_decorator({_name_of(decorator)})"
    return decorate


def _name_of(decorator: object) -> str:
    if isinstance(decorator, list | tuple):
        return ", ".join(_name_of(d) for d in decorator)
    return getattr(decorator, "__name__", None) or type(decorator).__name__


def _multi_decorate(
    decorators: Decorator | cabc.Sequence[Decorator], method: t.Callable[..., t.Any]
) -> t.Callable[..., t.Any]:
    chain = list(reversed(decorators)) if isinstance(decorators, list | tuple) else [decorators]

    def _wrapper(self: t.Any, *args: t.Any, **kwargs: t.Any) -> t.Any:
        # A bound method per call: the decorators see a plain function of the URL arguments,
        # and nothing is shared between the instances of two requests.
        bound = functools.wraps(method)(functools.partial(method.__get__(self, type(self))))
        for dec in chain:
            bound = dec(bound)
        return bound(*args, **kwargs)

    for dec in chain:
        _copy_marks(_wrapper, dec)
    functools.update_wrapper(_wrapper, method)
    return _wrapper


def _copy_marks(wrapper: t.Callable[..., t.Any], decorator: Decorator) -> None:
    """Copy what ``decorator`` sets on a function (its attributes) to ``wrapper``, as Django does."""

    @decorator
    def dummy(*args: t.Any, **kwargs: t.Any) -> None:
        pass  # pragma: no cover - never called

    functools.update_wrapper(wrapper, dummy)
