"""Adding an app to PLUGINS in a settings file: found with ast, the rest of the file untouched."""

from __future__ import annotations

import pytest

from flaskkit.scaffold import ScaffoldError
from flaskkit.scaffold import add_to_plugins
from flaskkit.scaffold.settings_file import plugins_in

ENTRY = "blog.plugin:BlogPlugin"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("PLUGINS = []\n", 'PLUGINS = ["blog.plugin:BlogPlugin"]\n'),
        ("PLUGINS = ()\n", 'PLUGINS = ("blog.plugin:BlogPlugin",)\n'),
        ("PLUGINS = [\n]\n", 'PLUGINS = [\n    "blog.plugin:BlogPlugin",\n]\n'),
        ('PLUGINS = ["orm", "views"]\n', 'PLUGINS = ["orm", "views", "blog.plugin:BlogPlugin"]\n'),
        ("PLUGINS = ['orm', 'views',]\n", "PLUGINS = ['orm', 'views', 'blog.plugin:BlogPlugin',]\n"),
        (
            '# settings\nPLUGINS = [\n    "orm",\n    "views",  # the views\n]\nDEBUG = False\n',
            '# settings\nPLUGINS = [\n    "orm",\n    "views",  # the views\n    "blog.plugin:BlogPlugin",\n]\n'
            "DEBUG = False\n",
        ),
        (
            'PLUGINS = [\n    "orm",\n    "views"  # no comma\n]\n',
            'PLUGINS = [\n    "orm",\n    "views",  # no comma\n    "blog.plugin:BlogPlugin",\n]\n',
        ),
        ('PLUGINS = [\n  "orm",\n  "views"]\n', 'PLUGINS = [\n  "orm",\n  "views", "blog.plugin:BlogPlugin"]\n'),
        (
            'PLUGINS: list[str] = [\n\t"orm", "views",\n\t# more later\n]\n',
            'PLUGINS: list[str] = [\n\t"orm", "views",\n\t"blog.plugin:BlogPlugin",\n\t# more later\n]\n',
        ),
        ('NAME = "café"\nPLUGINS = ["é"]\n', 'NAME = "café"\nPLUGINS = ["é", "blog.plugin:BlogPlugin"]\n'),
        (
            'if DEBUG:\n    EXTRA = 1\nPLUGINS = ["orm"]\nPLUGINS.append("x")\n',
            'if DEBUG:\n    EXTRA = 1\nPLUGINS = ["orm", "blog.plugin:BlogPlugin"]\nPLUGINS.append("x")\n',
        ),
    ],
)
def test_the_entry_is_appended_in_the_lists_style(before, after):
    assert add_to_plugins(before, ENTRY) == after
    assert plugins_in(after) == [*plugins_in(before), ENTRY]


HOW = "Add it to PLUGINS in settings.py yourself, or write PLUGINS as one list of strings."


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("DEBUG = True\n", f"settings.py has no PLUGINS = [...] at its top level. {HOW}"),
        ('PLUGINS = BASE + ["orm"]\n', f"PLUGINS in settings.py is not a list written out (BASE + ['orm']). {HOW}"),
        ('PLUGINS = ["orm"]\nPLUGINS += ["views"]\n', "settings.py also sets PLUGINS on line 2"),
        ('PLUGINS = ["orm"]\nif DEBUG:\n    PLUGINS = []\n', "settings.py also sets PLUGINS on line 3"),
        ('PLUGINS = ["orm"]\nPLUGINS = ["views"]\n', f"settings.py sets PLUGINS 2 times. {HOW}"),
        ('PLUGINS = "orm", "views"\n', "PLUGINS in settings.py is a tuple without parentheses."),
        ("PLUGINS = [load('orm')]\n", "PLUGINS in settings.py holds something other than plain values."),
        ('PLUGINS = ["orm",\n', "settings.py has a syntax error (line 1)"),
        ('PLUGINS = ["blog.plugin:BlogPlugin"]\n', "'blog.plugin:BlogPlugin' is already in PLUGINS in settings.py."),
    ],
)
def test_what_cannot_be_edited_is_refused(source, message):
    with pytest.raises(ScaffoldError) as caught:
        add_to_plugins(source, ENTRY)
    assert message in str(caught.value)
