"""A bad MIDDLEWARE entry stops the boot with a message that names it and says what to write."""

from __future__ import annotations

import pytest

from flaskkit import ConfigurationError
from flaskkit import create_app

from .local import settings

TIMING = """
import time

class Timing:
    def __init__(self, app):
        self.app = app

    def process_request(self, request):
        request.started = time.perf_counter()

    def process_response(self, request, response):
        response.headers["X-Elapsed"] = "yes"
        return response

def timing(request):
    return None
"""


def boot_error(*middleware: object) -> ConfigurationError:
    with pytest.raises(ConfigurationError) as info:
        create_app(settings(PLUGINS=["middleware"], MIDDLEWARE=list(middleware)))
    assert info.value.setting in {"MIDDLEWARE", None}
    assert info.value.plugin == "middleware"
    return info.value


def test_an_entry_by_path_with_colon_or_dot_loads(make_module):
    make_module("shop.middleware", TIMING)
    for entry in ("shop.middleware:Timing", "shop.middleware.Timing"):
        app = create_app(settings(PLUGINS=["middleware"], MIDDLEWARE=[entry]))
        app.get("/")(lambda: "hello")
        assert app.test_client().get("/").headers["X-Elapsed"] == "yes"


def test_a_module_that_does_not_exist_suggests_the_close_one(make_module):
    make_module("shop.middleware", TIMING)
    error = boot_error("shop.middlewar:Timing")
    assert error.message == (
        "The MIDDLEWARE entry 'shop.middlewar:Timing' cannot be imported: there is no module 'shop.middlewar'. "
        "Did you mean 'shop.middleware'?"
    )
    assert error.setting == "MIDDLEWARE"
    assert str(error).endswith(
        "Hint: Check the spelling, and that the package is importable (installed, or on the path)."
    )


def test_a_misspelt_class_suggests_the_right_one():
    error = boot_error("flaskkit.plugins.middleware:SecurityMidleware")
    assert error.message == (
        "The MIDDLEWARE entry 'flaskkit.plugins.middleware:SecurityMidleware' cannot be loaded: "
        "'flaskkit.plugins.middleware' has no attribute 'SecurityMidleware'. Did you mean 'SecurityMiddleware' or "
        "'ContentSecurityPolicyMiddleware'?"
    )


def test_a_function_is_not_a_middleware(make_module):
    make_module("shop.middleware", TIMING)
    error = boot_error("shop.middleware:timing")
    assert (
        error.message
        == "The MIDDLEWARE entry 'shop.middleware:timing' is the function 'timing', not a middleware class."
    )
    assert error.hint is not None and error.hint.startswith(
        "A middleware is a class that defines at least one of process_request(request), "
        "process_view(request, view_func, view_args), process_exception(request, exc) or "
        "process_response(request, response)"
    )


def test_a_class_without_hooks_is_not_a_middleware():
    class Nothing:
        pass

    error = boot_error(Nothing)
    assert error.message == (
        "The MIDDLEWARE entry 'tests.plugins.middleware.test_loading:"
        "test_a_class_without_hooks_is_not_a_middleware.<locals>.Nothing' is not a middleware: the class "
        "test_a_class_without_hooks_is_not_a_middleware.<locals>.Nothing defines none of the hooks "
        "process_request, process_view, process_exception, process_response."
    )


def test_a_django_get_response_middleware_is_explained(make_module):
    make_module(
        "djangoish",
        """
        class Timing:
            def __init__(self, get_response):
                self.get_response = get_response

            def __call__(self, request):
                return self.get_response(request)
        """,
    )
    error = boot_error("djangoish:Timing")
    assert "defines none of the hooks" in error.message
    assert error.hint == (
        "flaskkit's middleware is Django's hook style, not the __call__(request)/get_response style: move "
        "what runs before get_response into process_request(request) and what runs after it into "
        "process_response(request, response). A WSGI middleware (wrapping app.wsgi_app) goes in WSGI_MIDDLEWARE."
    )


def test_a_hook_with_djangos_process_view_signature_is_explained():
    class Views:
        def process_view(self, request, view_func, view_args, view_kwargs):
            return None

    error = boot_error(Views)
    assert error.message.endswith(
        "Views.process_view(request, view_func, view_args, view_kwargs) has the wrong signature; flaskkit calls "
        "process_view(request, view_func, view_args). Django passes (request, view_func, view_args, view_kwargs); "
        "Flask has no positional URL arguments, so flaskkit passes the URL arguments as one dict, view_args."
    )
    assert error.hint == "Write def process_view(self, request, view_func, view_args): ..."


def test_a_hook_missing_an_argument_is_refused():
    class Short:
        def process_response(self, response):
            return response

    error = boot_error(Short)
    assert "Short.process_response(response) has the wrong signature; flaskkit calls " in error.message
    assert error.message.endswith("process_response(request, response).")


def test_an_async_hook_is_refused():
    class Async:
        async def process_request(self, request):
            return None

    error = boot_error(Async)
    assert error.message.endswith(
        "Async.process_request is a coroutine function (async def); middleware hooks run synchronously, "
        "around Flask's dispatch."
    )


def test_a_hook_that_is_not_callable_is_refused():
    class Odd:
        process_request = "yes"

    error = boot_error(Odd)
    assert error.message.endswith("Odd.process_request is 'yes', not a method.")


def test_a_constructor_that_wants_more_is_refused():
    class Greedy:
        def __init__(self, app, cache):
            pass

        def process_request(self, request):
            return None

    error = boot_error(Greedy)
    assert error.message.endswith("Greedy(app, cache) must take the app as its only argument, or no argument.")


def test_djangos_constructor_is_explained():
    class Django:
        def __init__(self, get_response, extra):
            pass

        def process_request(self, request):
            return None

    error = boot_error(Django)
    assert error.message.endswith(
        "Django(get_response, extra) must take the app as its only argument, or no argument (Django's "
        "middleware takes get_response; flaskkit's takes the app)."
    )


def test_an_exception_in_the_constructor_names_the_entry():
    class Broken:
        def __init__(self, app):
            raise RuntimeError("no licence key")

        def process_request(self, request):
            return None

    error = boot_error(Broken)
    assert error.message.startswith("Creating the middleware 'tests.plugins.middleware.test_loading:")
    assert error.message.endswith(
        "for the app 'tests.plugins.middleware.test_loading' raised RuntimeError: no licence key"
    )
    assert isinstance(error.__cause__, RuntimeError)


def test_a_module_that_fails_to_import_names_the_entry(make_module):
    make_module("broken_mw", "raise ValueError('bad settings')\n")
    error = boot_error("broken_mw:Anything")
    assert error.message == (
        "Importing 'broken_mw' for the MIDDLEWARE entry 'broken_mw:Anything' raised ValueError: bad settings"
    )


def test_a_module_that_imports_a_missing_package_says_which(make_module):
    make_module("needs_extra", "import not_installed_anywhere\n")
    error = boot_error("needs_extra:Anything")
    assert error.message == (
        "Importing 'needs_extra' for the MIDDLEWARE entry 'needs_extra:Anything' failed: the module it imports, "
        "'not_installed_anywhere', is not installed."
    )


def test_middleware_must_be_a_list():
    with pytest.raises(ConfigurationError) as info:
        create_app(settings(PLUGINS=["middleware"], MIDDLEWARE="flaskkit.plugins.middleware:SecurityMiddleware"))
    assert info.value.message == (
        "MIDDLEWARE must be a list of middleware classes or 'module:Class' paths, not str "
        "'flaskkit.plugins.middleware:SecurityMiddleware'."
    )
    assert info.value.hint == "Write MIDDLEWARE = ['flaskkit.plugins.middleware:SecurityMiddleware']."


def test_an_instance_is_refused_with_a_hint():
    class Timing:
        def process_request(self, request):
            return None

    error = boot_error(Timing())
    assert error.message.startswith("MIDDLEWARE contains <tests.plugins.middleware.test_loading.")
    assert (
        error.hint == "Write the class's import path, e.g. 'myapp.middleware:Timing' (list the class, not an instance)."
    )


def test_an_entry_listed_twice_is_refused():
    error = boot_error(
        "flaskkit.plugins.middleware:SecurityMiddleware", "flaskkit.plugins.middleware.security.SecurityMiddleware"
    )
    assert error.message == (
        "MIDDLEWARE lists 'flaskkit.plugins.middleware.security.SecurityMiddleware' twice (also as "
        "'flaskkit.plugins.middleware:SecurityMiddleware'): a middleware class can be one layer of the onion only."
    )


def test_a_path_without_module_is_refused():
    error = boot_error("SecurityMiddleware")
    assert error.message == "The MIDDLEWARE entry 'SecurityMiddleware' is not an import path."
