"""The test client: Flask's, with each request isolated as under a real server, and Django's extras.

Flask's own test client runs a request inside the app context that the test
has pushed, if any (``with app.app_context():``, or a fixture that keeps one
open): the request then shares the test's ``g``, its ``db.session``, the user
Flask-Login cached there, the CSRF token... with the test and with every other
request and client. :class:`Client` runs each request in a fresh
:mod:`contextvars` context instead, so the request pushes its own app context,
exactly as a WSGI server does; ``with client:`` (Flask's ``preserve_context``)
still keeps the request's contexts for the test to look at afterwards.

Django's helpers, with Django's names: :meth:`Client.force_login`,
:meth:`Client.login`, :meth:`Client.logout`, and on each response
``response.context``, ``response.templates`` (what the view rendered) and
``response.client``.
"""

from __future__ import annotations

import contextvars
import typing as t

from flask import before_render_template
from flask import template_rendered
from flask.testing import FlaskClient
from werkzeug.local import LocalProxy

if t.TYPE_CHECKING:
    from flask import Flask
    from jinja2 import Environment
    from jinja2 import Template
    from werkzeug.datastructures import Headers
    from werkzeug.test import TestResponse

__all__ = ["Client", "ContextList", "run_isolated", "use_test_client"]

_T = t.TypeVar("_T")

#: The render record of the request running in this context (set inside the request's own context only).
_RECORDING: contextvars.ContextVar[_RenderRecord] = contextvars.ContextVar("flaskkit_test_render")
#: Marks a Jinja environment whose template loading is recorded.
_INSTRUMENTED = "_flaskkit_test_recorded"


def run_isolated(func: t.Callable[..., _T], /, *args: t.Any, **kwargs: t.Any) -> _T:
    """Call ``func`` in a fresh :mod:`contextvars` context: no app or request context is visible.

    What a server does for each request: whatever the test has pushed, code
    run this way pushes its own app context, with its own ``g`` and
    ``db.session``.
    """
    return contextvars.Context().run(func, *args, **kwargs)


def use_test_client(app: Flask) -> Flask:
    """Make :class:`Client` the class of ``app.test_client()``, unless the app names its own; return ``app``.

    flaskkit's pytest fixtures (``app``, ``client``, ``db``...) do it for the app they use.
    """
    if app.test_client_class is None:
        app.test_client_class = Client
    return app


class _InContext:
    """A response body iterated in the context its request ran in (a streamed view resumes there)."""

    def __init__(self, context: contextvars.Context, iterable: t.Iterable[bytes]) -> None:
        self._context = context
        self._iterator = iter(iterable)
        self._close = getattr(iterable, "close", None)

    def __iter__(self) -> _InContext:
        return self

    def __next__(self) -> bytes:
        return self._context.run(next, self._iterator)

    def close(self) -> None:
        if self._close is not None:
            self._context.run(self._close)


class ContextList(list[dict[str, t.Any]]):
    """The contexts of the templates a response rendered (Django's ``ContextList``).

    ``response.context["key"]`` looks the key up in each context in turn.
    """

    def __getitem__(self, key: t.Any) -> t.Any:
        if isinstance(key, str):
            for context in self:
                if key in context:
                    return context[key]
            raise KeyError(key)
        return super().__getitem__(key)

    def get(self, key: str, default: t.Any = None) -> t.Any:
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            return any(key in context for context in self)
        return super().__contains__(key)

    def keys(self) -> set[str]:
        """Every key of every context."""
        return {key for context in self for key in context}


class _RenderRecord:
    """The templates one request rendered (in order, the templates they extended and included too)."""

    def __init__(self) -> None:
        self.templates: list[Template] = []
        self.contexts: list[dict[str, t.Any]] = []
        self.depth = 0

    def before_render(self, sender: Flask, template: Template, context: dict[str, t.Any], **extra: t.Any) -> None:
        if _RECORDING.get(None) is self:
            _record_loads(sender.jinja_env)  # from now on: what this render extends and includes
            self.templates.append(template)
            self.depth += 1

    def rendered(self, sender: Flask, template: Template, context: dict[str, t.Any], **extra: t.Any) -> None:
        if _RECORDING.get(None) is self:
            self.depth = max(0, self.depth - 1)
            # Proxies (current_user...) stand for the request's object: keep the object, usable after the request.
            self.contexts.append({key: _resolved(value) for key, value in context.items()})

    def loaded(self, template: Template) -> None:
        if self.depth:  # {% extends %}, {% include %}, {% import %} while a template renders
            self.templates.append(template)

    @property
    def context(self) -> dict[str, t.Any] | ContextList | None:
        if not self.contexts:
            return None
        if len(self.contexts) == 1:
            return self.contexts[0]
        return ContextList(self.contexts)


def _resolved(value: t.Any) -> t.Any:
    if isinstance(value, LocalProxy):
        try:
            return value._get_current_object()
        except RuntimeError:
            return value
    return value


def _record_loads(environment: Environment) -> None:
    """Note the templates a render loads (what it extends, includes, imports), on this environment."""
    if getattr(environment, _INSTRUMENTED, False):
        return
    for name in ("get_template", "select_template"):
        original = getattr(environment, name)

        def recording(*args: t.Any, __original: t.Callable[..., Template] = original, **kwargs: t.Any) -> Template:
            template = __original(*args, **kwargs)
            record = _RECORDING.get(None)
            if record is not None:
                record.loaded(template)
            return template

        # An instance attribute over the method: the compiled templates call environment.get_template().
        setattr(environment, name, recording)
    setattr(environment, _INSTRUMENTED, True)


class Client(FlaskClient):
    """Flask's test client, with each request in its own context, and Django's helpers.

    ``app.test_client()`` returns one for every app booted by flaskkit under
    pytest (flaskkit's pytest plugin makes it the app's ``test_client_class``
    unless the app names its own; subclass this one to keep its behaviour).

    Each response also has:

    * ``response.context``: the context the view's template was rendered with
      (a dict; a :class:`ContextList` when it rendered several templates; ``None``
      when it rendered none);
    * ``response.templates``: the templates rendered, in order, with those they
      extend and include;
    * ``response.client``: this client (``assert_redirects`` fetches the target with it).

    With ``follow_redirects=True``, these describe the last response.
    """

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self._last_render: _RenderRecord | None = None
        _record_loads(self.application.jinja_env)

    # -- requests -----------------------------------------------------------------------------

    def run_wsgi_app(self, environ: dict[str, t.Any], buffered: bool = False) -> tuple[t.Iterable[bytes], str, Headers]:
        record = _RenderRecord()
        app = self.application
        run_parent = super().run_wsgi_app

        def request() -> tuple[t.Iterable[bytes], str, Headers]:
            _RECORDING.set(record)
            with (
                before_render_template.connected_to(record.before_render, app),
                template_rendered.connected_to(record.rendered, app),
            ):
                return run_parent(environ, buffered=buffered)

        context = contextvars.Context()
        try:
            body, status, headers = context.run(request)
        finally:
            self._last_render = record
            outer = _RECORDING.get(None)
            if outer is not None:  # inside `with assert_template_used(...)`
                outer.templates.extend(record.templates)
                outer.contexts.extend(record.contexts)
        if not isinstance(body, list):  # not buffered: the rest of the body is produced when it is read
            body = _InContext(context, body)
        return body, status, headers

    def open(
        self, *args: t.Any, buffered: bool = False, follow_redirects: bool = False, **kwargs: t.Any
    ) -> TestResponse:
        self._last_render = None
        response = super().open(*args, buffered=buffered, follow_redirects=follow_redirects, **kwargs)
        record = self._last_render
        response.client = self  # type: ignore[attr-defined]
        response.templates = list(record.templates) if record is not None else []  # type: ignore[attr-defined]
        response.context = record.context if record is not None else None  # type: ignore[attr-defined]
        return response

    # -- logging in and out (Django's Client.force_login, login, logout) -------------------------

    def force_login(self, user: t.Any, backend: str | None = None) -> None:
        """Log ``user`` in for the requests of this client, without their password.

        As Django's ``force_login``: the login runs on a request of its own
        (``login()``: a new session id, the user's id, backend and session auth
        hash, ``last_login``, ``user_logged_in``), and its session cookie is
        stored in this client; other clients stay anonymous. ``backend``
        defaults to the first of ``AUTHENTICATION_BACKENDS`` that can load a
        user; ``user.backend`` is set to it.

        ``user`` must be saved in the database (the login loads it again, in
        the request's own database session). Needs the auth plugin, or a
        Flask-Login ``LoginManager`` on the app.
        """
        app = self.application
        if app.extensions.get("flaskkit.auth") is None:
            self._flask_login(user)
            return
        from flaskkit.plugins.auth import login
        from flaskkit.plugins.auth.users import auth_plugin

        if backend is None:
            backend = next(path for path, b in auth_plugin(app).backends if hasattr(b, "get_user"))
        chosen: str = backend

        def log_in() -> None:
            login(_in_this_session(user), backend=chosen)

        self._in_request(log_in)
        user.backend = chosen

    def login(self, **credentials: t.Any) -> bool:
        """Authenticate with ``credentials`` (``username=..., password=...``) and log the user in.

        As Django's ``Client.login``: ``False`` when the credentials are not
        accepted (no exception), else the user is logged in for this client as
        with :meth:`force_login` and the answer is ``True``. Needs the auth plugin.
        """
        app = self.application
        if app.extensions.get("flaskkit.auth") is None:
            raise RuntimeError(
                f"client.login() needs the auth plugin on the app {app.name!r}: add 'auth' to PLUGINS "
                "(or log a user in with client.force_login(user))."
            )
        from flaskkit.plugins.auth import authenticate
        from flaskkit.plugins.auth import login

        def check() -> t.Any:
            with app.app_context():  # no request: the failed-login throttle does not count this
                found = authenticate(**credentials)
                return None if found is None else (_identity(found), found.backend)

        result = run_isolated(check)
        if result is None:
            return False
        (model, identity), backend = result

        def log_in() -> None:
            login(_load(model, identity), backend=backend)

        self._in_request(log_in)
        return True

    def logout(self) -> None:
        """Log out (Django's ``Client.logout``): ``logout()`` on a request of this client's session
        (``user_logged_out``, the session emptied in its store), then forget every cookie."""
        app = self.application
        if app.extensions.get("flaskkit.auth") is not None:
            from flaskkit.plugins.auth import logout

            self._in_request(logout)
        elif getattr(app, "login_manager", None) is not None:
            import flask_login
            from flask import session

            def flask_logout() -> None:
                flask_login.logout_user()
                session.clear()

            self._in_request(flask_logout)
        if self._cookies is not None:
            self._cookies.clear()

    def _flask_login(self, user: t.Any) -> None:
        app = self.application
        if getattr(app, "login_manager", None) is None:
            raise RuntimeError(
                f"client.force_login() needs the auth plugin on the app {app.name!r}: add 'auth' to PLUGINS "
                "(or set up Flask-Login's LoginManager)."
            )
        import flask_login

        self._in_request(lambda: flask_login.login_user(user, force=True))

    def _in_request(self, func: t.Callable[[], _T]) -> _T:
        """Run ``func`` in a request of this client (its cookies, its session), isolated like a request;
        then save the session and keep the cookies the response sets."""
        if self._cookies is None:
            raise TypeError("Cookies are disabled. Create a client with 'use_cookies=True'.")
        app = self.application

        def run() -> tuple[_T, t.Any, list[str]]:
            ctx = app.test_request_context(environ_base=dict(self.environ_base))
            self._add_cookies_to_wsgi(ctx.request.environ)
            with ctx:
                result = func()
                response = app.response_class()
                for after in reversed(ctx._after_request_functions):  # after_this_request()
                    response = after(response)
                if not app.session_interface.is_null_session(ctx.session):
                    app.session_interface.save_session(app, ctx.session, response)
            return result, ctx.request, response.headers.getlist("Set-Cookie")

        result, request, cookies = run_isolated(run)
        self._update_cookies_from_response(request.host.partition(":")[0], request.path, cookies)
        return result


def _identity(instance: t.Any) -> tuple[type[t.Any], tuple[t.Any, ...]]:
    import sqlalchemy as sa

    state = sa.inspect(instance)
    if state.identity is None:
        raise ValueError(
            f"{instance!r} is not saved in the database: save it (db.session.add(); db.session.commit()) "
            "before logging it in."
        )
    return type(instance), state.identity


def _load(model: type[t.Any], identity: tuple[t.Any, ...]) -> t.Any:
    from flaskkit.plugins.orm import db

    found = db.session.get(model, identity)
    if found is None:
        raise ValueError(
            f"The {model.__name__} with primary key {identity!r} is not in the database the app sees: "
            "commit it before logging it in."
        )
    return found


def _in_this_session(user: t.Any) -> t.Any:
    """``user`` as loaded by the current request's database session (it may belong to the test's)."""
    return _load(*_identity(user))
