"""Resolve phase: every kind of PLUGINS entry, and every way one can be wrong."""

from __future__ import annotations

import importlib.metadata

import pytest

from flaskkit import ConfigurationError
from flaskkit import ExtensionPlugin
from flaskkit import create_app
from flaskkit._installed import installed_entry_points
from flaskkit.loading import ENTRY_POINT_GROUP
from tests.conftest import settings

BLOG_PLUGIN = """
    from flaskkit import Plugin

    class BlogPlugin(Plugin):
        name = "blog"
        requires = ("markup",)

        def init_app(self, app):
            app.extensions.setdefault("boot_log", []).append("blog")

    class MarkupPlugin(Plugin):
        name = "markup"

        def init_app(self, app):
            app.extensions.setdefault("boot_log", []).append("markup")
"""


def test_entry_point_plugin_found_by_name_and_booted_in_dependency_order(make_distribution):
    make_distribution(
        "kit-demo-plugins",
        version="2.3",
        plugins={"blog": "kit_demo.plugins:BlogPlugin", "markup": "kit_demo.plugins:MarkupPlugin"},
        modules={"kit_demo.plugins": BLOG_PLUGIN},
    )
    app = create_app(settings(PLUGINS=["blog", "markup"]))
    kit = app.extensions["flaskkit"]
    assert list(kit.plugins) == ["markup", "blog"]
    assert app.extensions["boot_log"] == ["markup", "blog"]
    source = kit.plugins["blog"].source
    assert (source.kind, source.distribution, source.version) == ("entry point", "kit-demo-plugins", "2.3")
    assert source.describe() == "entry point 'blog' of kit-demo-plugins 2.3 -> kit_demo.plugins:BlogPlugin"


def test_unknown_name_suggests_the_installed_ones(make_distribution):
    make_distribution(
        "kit-demo-plugins",
        plugins={"blog": "kit_demo.plugins:BlogPlugin", "markup": "kit_demo.plugins:MarkupPlugin"},
        modules={"kit_demo.plugins": BLOG_PLUGIN},
    )
    with pytest.raises(ConfigurationError) as info:
        create_app(settings(PLUGINS=["blgo"]))
    message = str(info.value)
    assert "Unknown plugin 'blgo' in PLUGINS" in message
    assert "Did you mean 'blog'?" in message
    installed = message.partition("Installed plugins: ")[2].rstrip(".").split(", ")
    assert {"blog", "markup"} <= set(installed)
    assert info.value.setting == "PLUGINS"


def test_entry_point_whose_dependency_is_missing_names_the_extra(make_distribution):
    make_distribution(
        "kit-demo-plugins",
        plugins={"fancy": "kit_demo.fancy:FancyPlugin"},
        modules={"kit_demo.fancy": "import kit_demo_missing_backend\n"},
        extras=["fancy", "all"],
        requires=[
            'kit-demo-missing-backend>=1.0; extra == "fancy"',
            'kit-demo-missing-backend>=1.0; extra == "all"',
            'another-lib; extra == "all"',
        ],
    )
    with pytest.raises(ConfigurationError) as info:
        create_app(settings(PLUGINS=["fancy"]))
    message = str(info.value)
    assert "Plugin 'fancy' needs the module 'kit_demo_missing_backend', which is not installed." in message
    assert 'pip install "kit-demo-plugins[fancy]"' in message
    assert isinstance(info.value.__cause__, ModuleNotFoundError)


def test_lazy_import_in_init_app_names_the_extra(make_distribution):
    make_distribution(
        "flaskkit-demo",
        plugins={"lazy": "kit_lazy:LazyPlugin"},
        modules={
            "kit_lazy": """
                from flaskkit import Plugin

                class LazyPlugin(Plugin):
                    name = "lazy"
                    extra = "cache"

                    def init_app(self, app):
                        self.import_optional("kit_lazy_not_installed")
            """
        },
    )
    with pytest.raises(ConfigurationError) as info:
        create_app(settings(PLUGINS=["lazy"]))
    assert "Plugin 'lazy' needs the module 'kit_lazy_not_installed', which is not installed." in str(info.value)
    assert 'pip install "flaskkit-demo[cache]"' in str(info.value)
    assert info.value.plugin == "lazy"


def test_entry_point_name_must_match_the_plugin_name(make_distribution):
    make_distribution(
        "kit-demo-plugins",
        plugins={"weblog": "kit_demo.plugins:BlogPlugin"},
        modules={"kit_demo.plugins": BLOG_PLUGIN},
    )
    with pytest.raises(
        ConfigurationError, match="The entry point 'weblog' of kit-demo-plugins loads a plugin named 'blog'"
    ):
        create_app(settings(PLUGINS=["weblog"]))


def test_same_name_from_two_distributions_is_an_error(make_distribution):
    make_distribution("kit-one", plugins={"blog": "kit_one:BlogPlugin"}, modules={"kit_one": BLOG_PLUGIN})
    make_distribution("kit-two", plugins={"blog": "kit_two:BlogPlugin"}, modules={"kit_two": BLOG_PLUGIN})
    with pytest.raises(ConfigurationError) as info:
        create_app(settings(PLUGINS=["blog"]))
    assert "registered by more than one installed distribution: kit-one (kit_one:BlogPlugin), kit-two" in str(
        info.value
    )


def test_dotted_class_path(make_module):
    make_module("myapp.plugins", BLOG_PLUGIN)
    app = create_app(settings(PLUGINS=["myapp.plugins:BlogPlugin", "myapp.plugins.MarkupPlugin"]))
    plugins = app.extensions["flaskkit"].plugins
    assert list(plugins) == ["markup", "blog"]
    assert plugins["blog"].source.describe() == "dotted path myapp.plugins:BlogPlugin"
    assert plugins["markup"].source.target == "myapp.plugins:MarkupPlugin"


def test_module_path_exposing_one_plugin(make_module):
    make_module(
        "shop.plugin",
        """
        from flaskkit import Plugin
        from flaskkit import ExtensionPlugin  # imported names are not candidates

        class ShopPlugin(Plugin):
            pass
        """,
    )
    app = create_app(settings(PLUGINS=["shop.plugin"]))
    assert list(app.extensions["flaskkit"].plugins) == ["shop"]
    assert app.extensions["flaskkit"].plugins["shop"].source.target == "shop.plugin:ShopPlugin"


def test_top_level_module_exposing_one_plugin(make_module):
    make_module("standalone_plugin", "from flaskkit import Plugin\n\nclass StandalonePlugin(Plugin):\n    pass\n")
    app = create_app(settings(PLUGINS=["standalone_plugin"]))
    assert list(app.extensions["flaskkit"].plugins) == ["standalone"]


def test_module_with_several_plugins_asks_which(make_module):
    make_module("myapp.plugins", BLOG_PLUGIN)
    with pytest.raises(ConfigurationError) as info:
        create_app(settings(PLUGINS=["myapp.plugins"]))
    assert "The module 'myapp.plugins' (PLUGINS entry 'myapp.plugins') defines several plugins." in str(info.value)
    assert "'myapp.plugins:BlogPlugin', 'myapp.plugins:MarkupPlugin'" in str(info.value)


def test_module_with_no_plugin_says_what_it_found(make_module):
    make_module("myapp.helpers", "def slugify(text):\n    return text\n\nclass Thing:\n    pass\n")
    with pytest.raises(ConfigurationError) as info:
        create_app(settings(PLUGINS=["myapp.helpers"]))
    assert "defines no flaskkit Plugin subclass; it has 'Thing', 'slugify'." in str(info.value)


def test_module_with_an_extension_class_suggests_naming_it():
    with pytest.raises(ConfigurationError) as info:
        create_app(settings(PLUGINS=["flask_cors"]))
    assert "It has Flask extension classes: list one as 'flask_cors:CORS'." in str(info.value)


def test_path_that_does_not_import(make_module):
    make_module("myapp.plugins", BLOG_PLUGIN)
    with pytest.raises(ConfigurationError) as info:
        create_app(settings(PLUGINS=["myapp.plugns:BlogPlugin"]))
    message = str(info.value)
    assert "Cannot import 'myapp.plugns' for the PLUGINS entry 'myapp.plugns:BlogPlugin'" in message
    assert "No module named 'myapp.plugns'" in message
    assert "Did you mean 'myapp.plugins'?" in message
    assert isinstance(info.value.__cause__, ModuleNotFoundError)


def test_path_whose_module_raises_on_import(make_module):
    make_module("broken_plugin", "raise RuntimeError('boom at import')\n")
    with pytest.raises(ConfigurationError) as info:
        create_app(settings(PLUGINS=["broken_plugin:Plugin"]))
    assert (
        "Importing 'broken_plugin' for the PLUGINS entry 'broken_plugin:Plugin' raised RuntimeError: boom at import"
        in str(info.value)
    )
    assert isinstance(info.value.__cause__, RuntimeError)


def test_path_with_missing_dependency_is_not_called_a_typo(make_module):
    make_module("needs_redis", "import kit_not_installed_anywhere\n")
    with pytest.raises(ConfigurationError) as info:
        create_app(settings(PLUGINS=["needs_redis:Plugin"]))
    assert "Plugin 'needs_redis:Plugin' needs the module 'kit_not_installed_anywhere', which is not installed." in str(
        info.value
    )


def test_missing_attribute_suggests_close_names(make_module):
    make_module("myapp.plugins", BLOG_PLUGIN)
    with pytest.raises(ConfigurationError) as info:
        create_app(settings(PLUGINS=["myapp.plugins:BlogPlugn"]))
    assert (
        "The PLUGINS entry 'myapp.plugins:BlogPlugn' names 'BlogPlugn', but the module 'myapp.plugins' has no "
        "attribute 'BlogPlugn'. Did you mean 'BlogPlugin'"
    ) in str(info.value)


@pytest.mark.parametrize(
    ("entry", "found"),
    [
        ("json:dumps", "the function json.dumps"),
        ("collections:OrderedDict", "the class collections.OrderedDict"),
        ("string:digits", "'0123456789' (a str)"),
    ],
)
def test_path_naming_no_plugin_says_what_it_is(entry, found):
    with pytest.raises(ConfigurationError) as info:
        create_app(settings(PLUGINS=[entry]))
    assert (
        f"The PLUGINS entry {entry!r} names {found}, which is neither a flaskkit Plugin nor a Flask extension"
    ) in str(info.value)


def test_flask_extension_class_is_wrapped():
    from flask_cors import CORS

    app = create_app(settings(PLUGINS=["flask_cors:CORS"]))
    plugin = app.extensions["flaskkit"].plugins["flask_cors:CORS"]
    assert isinstance(plugin, ExtensionPlugin)
    assert isinstance(plugin.extension, CORS)
    assert plugin.source.describe() == "Flask extension flask_cors:CORS (wrapped)"

    @app.get("/")
    def index():
        return "hi"

    response = app.test_client().get("/", headers={"Origin": "https://example.com"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://example.com"


def test_flask_extension_instance_by_path_is_used_as_is(make_module):
    make_module(
        "myapp.extensions",
        """
        class Counter:
            def __init__(self):
                self.apps = []

            def init_app(self, app):
                self.apps.append(app.name)
                app.extensions["counter"] = self

        counter = Counter()
        """,
    )
    app = create_app(settings(PLUGINS=["myapp.extensions:counter"]), import_name="one")
    import myapp.extensions

    assert app.extensions["counter"] is myapp.extensions.counter
    assert myapp.extensions.counter.apps == ["one"]


def test_extension_that_needs_arguments_says_how_to_wrap_it(make_module):
    make_module(
        "myapp.ext",
        "class NeedsArgs:\n    def __init__(self, url):\n        pass\n\n    def init_app(self, app):\n        pass\n",
    )
    with pytest.raises(ConfigurationError) as info:
        create_app(settings(PLUGINS=["myapp.ext:NeedsArgs"]))
    assert "Creating the Flask extension myapp.ext:NeedsArgs() with no arguments raised TypeError" in str(info.value)
    assert "Write a small Plugin subclass" in str(info.value)


def test_plugin_classes_and_instances_may_be_given_directly():
    from flaskkit import Plugin

    class Direct(Plugin):
        name = "direct"

    instance = Direct()
    app = create_app(settings(PLUGINS=[Direct]))
    assert type(app.extensions["flaskkit"].plugins["direct"]) is Direct
    app = create_app(settings(PLUGINS=[instance]))
    assert app.extensions["flaskkit"].plugins["direct"] is instance


def test_listing_the_same_plugin_twice_is_harmless(make_module, make_distribution):
    make_distribution(
        "kit-demo-plugins",
        plugins={"blog": "kit_demo.plugins:BlogPlugin", "markup": "kit_demo.plugins:MarkupPlugin"},
        modules={"kit_demo.plugins": BLOG_PLUGIN},
    )
    app = create_app(settings(PLUGINS=["markup", "blog", "markup", "kit_demo.plugins:BlogPlugin"]))
    assert list(app.extensions["flaskkit"].plugins) == ["markup", "blog"]
    assert app.extensions["boot_log"] == ["markup", "blog"]


def test_two_different_plugins_with_one_name_is_an_error(make_module):
    make_module("one", "from flaskkit import Plugin\n\nclass P(Plugin):\n    name = 'dup'\n")
    make_module("two", "from flaskkit import Plugin\n\nclass P(Plugin):\n    name = 'dup'\n")
    with pytest.raises(ConfigurationError) as info:
        create_app(settings(PLUGINS=["one:P", "two:P"]))
    assert ("Two different plugins in PLUGINS are both named 'dup': dotted path one:P and dotted path two:P.") in str(
        info.value
    )


def test_invalid_plugin_name(make_module):
    make_module("badname", "from flaskkit import Plugin\n\nclass P(Plugin):\n    name = 'has space'\n")
    with pytest.raises(ConfigurationError, match="has the name 'has space', which is not a valid plugin name"):
        create_app(settings(PLUGINS=["badname:P"]))


def test_default_plugin_name_is_derived_from_the_class_name():
    from flaskkit import Plugin

    class ShoppingCartPlugin(Plugin):
        pass

    class Renamed(ShoppingCartPlugin):
        pass

    assert ShoppingCartPlugin.name == "shopping_cart"
    assert Renamed.name == "shopping_cart"  # a subclass can stand in for its parent


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("orm", "PLUGINS must be a list of plugin names or paths, not str 'orm'."),
        ({"orm": True}, "PLUGINS must be a list of plugin names or paths, not dict"),
        (3, "PLUGINS must be a list of plugin names or paths, not int 3."),
    ],
)
def test_plugins_setting_must_be_a_list(value, expected):
    with pytest.raises(ConfigurationError) as info:
        create_app(settings(PLUGINS=value))
    assert expected in str(info.value)
    assert info.value.setting == "PLUGINS"


def test_plugins_from_the_environment_as_json(monkeypatch, make_module):
    make_module("myapp.plugins", BLOG_PLUGIN)
    monkeypatch.setenv("FLASK_PLUGINS", '["myapp.plugins:MarkupPlugin"]')
    app = create_app(settings())
    assert list(app.extensions["flaskkit"].plugins) == ["markup"]


def test_an_extension_listed_two_ways_is_one_plugin():
    app = create_app(settings(PLUGINS=["flask_cors:CORS", "flask_cors.CORS"]))
    assert list(app.extensions["flaskkit"].plugins) == ["flask_cors:CORS"]


def test_lazy_import_of_a_plugin_listed_by_path_names_its_distribution_extra(make_distribution):
    make_distribution(
        "kit-path-plugins",
        modules={
            "kit_path_plugins": """
                from flaskkit import Plugin

                class Search(Plugin):
                    extra = "search"

                    def init_app(self, app):
                        self.import_optional("kit_search_backend_not_installed")
            """
        },
    )
    with pytest.raises(ConfigurationError) as info:
        create_app(settings(PLUGINS=["kit_path_plugins:Search"]))
    assert 'pip install "kit-path-plugins[search]"' in str(info.value)


# -- what is installed is read once, and again when it changes ----------------------------------


GREETING_PLUGIN = """
    from flaskkit import Plugin

    class GreetingPlugin(Plugin):
        name = "greeting"
"""


@pytest.fixture
def metadata_reads(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Each time the installed distributions are listed (what costs at boot)."""
    calls: list[object] = []
    original = importlib.metadata.distributions

    def counting(**kwargs: object) -> object:
        calls.append(kwargs.get("path"))
        return original(**kwargs)

    monkeypatch.setattr(importlib.metadata, "distributions", counting)
    return calls


def test_a_second_boot_reads_no_installed_distribution(make_distribution, make_module, metadata_reads):
    make_distribution(
        "kit-demo-greeting",
        plugins={"greeting": "kit_demo_greeting:GreetingPlugin"},
        modules={"kit_demo_greeting": GREETING_PLUGIN},
    )
    make_module("kit_demo_paths", GREETING_PLUGIN.replace('"greeting"', '"paths"'))
    entries = ["greeting", "kit_demo_paths:GreetingPlugin"]  # by name, and by "module:Class"
    first = create_app(settings(PLUGINS=entries))
    assert metadata_reads  # the directories of sys.path new to this process were read
    metadata_reads.clear()
    second = create_app(settings(PLUGINS=entries))
    assert metadata_reads == []
    for app in (first, second):
        source = app.extensions["flaskkit"].plugins["greeting"].source
        assert (source.distribution, source.version) == ("kit-demo-greeting", "1.0")


def test_a_distribution_installed_after_a_boot_is_found_by_the_next(make_distribution):
    make_distribution(
        "kit-demo-first",
        plugins={"greeting": "kit_demo_greeting:GreetingPlugin"},
        modules={"kit_demo_greeting": GREETING_PLUGIN},
    )
    create_app(settings(PLUGINS=["greeting"]))
    with pytest.raises(ConfigurationError, match="Unknown plugin 'later'"):
        create_app(settings(PLUGINS=["later"]))
    # Installed into the same directory of sys.path, right after.
    make_distribution(
        "kit-demo-later",
        plugins={"later": "kit_demo_later:LaterPlugin"},
        modules={"kit_demo_later": GREETING_PLUGIN.replace('"greeting"', '"later"').replace("Greeting", "Later")},
    )
    app = create_app(settings(PLUGINS=["later"]))
    assert app.extensions["flaskkit"].plugins["later"].source.distribution == "kit-demo-later"


def test_a_distribution_installed_twice_on_the_path_counts_once(make_distribution, tmp_path, monkeypatch):
    import sys

    from tests.conftest import DistributionFactory

    make_distribution(
        "kit-demo-twice",
        version="2.0",
        plugins={"greeting": "kit_demo_greeting:GreetingPlugin"},
        modules={"kit_demo_greeting": GREETING_PLUGIN},
    )
    # An older copy after it on sys.path: as for importlib.metadata.entry_points(), the first one wins
    # (two would otherwise be "registered by more than one installed distribution").
    older = DistributionFactory(tmp_path / "older-site-packages", monkeypatch)
    sys.path.remove(str(older.root))
    sys.path.append(str(older.root))
    older("kit-demo-twice", version="1.0", plugins={"greeting": "kit_demo_greeting:GreetingPlugin"})
    found = [ep for ep in installed_entry_points(ENTRY_POINT_GROUP) if ep.name == "greeting"]
    assert [ep.dist.version for ep in found] == ["2.0"]
    assert found == [ep for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP) if ep.name == "greeting"]
    app = create_app(settings(PLUGINS=["greeting"]))
    assert app.extensions["flaskkit"].plugins["greeting"].source.version == "2.0"
