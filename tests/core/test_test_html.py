"""HTML compared by meaning: the cases of Django's HTMLEqualTests (tests/test_utils/tests.py), ported."""

from __future__ import annotations

import pytest

from flaskkit.test import assert_html_equal
from flaskkit.test import assert_html_not_equal
from flaskkit.test import assert_json_equal
from flaskkit.test import parse_html
from flaskkit.test.html import HTMLParseError


def test_the_parser_builds_a_tree():
    element = parse_html("<div><p>Hello</p></div>")
    assert len(element.children) == 1
    assert element.children[0].name == "p"
    assert element.children[0].children[0] == "Hello"
    parse_html("<p>")
    parse_html("<p attr>")
    dom = parse_html("<p>foo")
    assert len(dom.children) == 1
    assert dom.name == "p"
    assert dom[0] == "foo"


def test_script_content_is_text():
    parse_html('<script>var a = "<p" + ">";</script>')
    dom = parse_html("<script><p>foo</p> '</scr'+'ipt>' <span>bar</span></script>")
    assert len(dom.children) == 1
    assert dom.children[0] == "<p>foo</p> '</scr'+'ipt>' <span>bar</span>"


@pytest.mark.parametrize(
    "tag",
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"],
)
def test_void_elements_have_no_children(tag):
    for markup in (f"<p>Hello <{tag}> world</p>", f"<p>Hello <{tag} /> world</p>"):
        dom = parse_html(markup)
        assert len(dom.children) == 3
        assert dom[0] == "Hello"
        assert dom[1].name == tag
        assert dom[2] == "world"


def test_equal_html():
    pairs = [
        ("", ""),
        ("<p></p>", "<p></p>"),
        ("<p></p>", " <p> </p> "),
        ("<div><p>Hello</p></div>", "<div><p>Hello</p></div>"),
        ("<div><p>Hello</p></div>", "<div> <p>Hello</p> </div>"),
        ("<div>\n<p>Hello</p></div>", "<div><p>Hello</p></div>\n"),
        ("<div><p>Hello\nWorld !</p></div>", "<div><p>Hello World\n!</p></div>"),
        ("<p>Hello  World   !</p>", "<p>Hello World\n\n!</p>"),
        ("<p> </p>", "<p></p>"),
        ("<p/>", "<p></p>"),
        ("<p />", "<p></p>"),
        ("<input checked>", '<input checked="checked">'),
        ("<p>Hello", "<p> Hello"),
        ("<p>Hello</p>World", "<p>Hello</p> World"),
        ("<div>Hello<!-- this is a comment --> World!</div>", "<div>Hello World!</div>"),
        ('<input type="text" id="id_name" />', '<input id="id_name" type="text" />'),
        ("<input type='text' id=\"id_name\" />", '<input id="id_name" type="text" />'),
    ]
    for html1, html2 in pairs:
        assert_html_equal(html1, html2)


def test_unequal_html():
    pairs = [
        ("<p>Hello</p>", "<p>Hello!</p>"),
        ("<p>foo&#20;bar</p>", "<p>foo&nbsp;bar</p>"),
        ("<p>foo bar</p>", "<p>foo &nbsp;bar</p>"),
        ("<p>foo nbsp</p>", "<p>foo &nbsp;</p>"),
        ("<p>foo #20</p>", "<p>foo &#20;</p>"),
        ("<p><span>Hello</span><span>World</span></p>", "<p><span>Hello</span>World</p>"),
        ("<p><span>Hello</span>World</p>", "<p><span>Hello</span><span>World</span></p>"),
        ('<input type="text" id="id_name" />', '<input type="password" id="id_name" />'),
    ]
    for html1, html2 in pairs:
        assert_html_not_equal(html1, html2)


def test_class_names_in_any_order_and_spacing():
    for html1 in [
        '<p class="foo bar"></p>',
        '<p class=" foo bar "></p>',
        '<p class="   foo    bar    "></p>',
        '<p class="foo\tbar"></p>',
        '<p class="\tfoo\tbar\t"></p>',
        '<p class="\t\t\tfoo\t\t\tbar\t\t\t"></p>',
        '<p class="\t \nfoo \t\nbar\n\t "></p>',
    ]:
        assert_html_equal(html1, '<p class="bar foo"></p>')


def test_boolean_attributes():
    html1, html2, html3 = "<input checked>", '<input checked="">', '<input checked="checked">'
    assert_html_equal(html1, html2)
    assert_html_equal(html1, html3)
    assert_html_equal(html2, html3)
    assert_html_not_equal(html1, '<input checked="invalid">')
    assert str(parse_html(html1)) == "<input checked>"
    assert str(parse_html(html2)) == "<input checked>"
    assert str(parse_html(html3)) == "<input checked>"


def test_other_attributes_without_a_value_are_empty():
    assert_html_equal("<input value>", '<input value="">')
    assert_html_not_equal("<input value>", '<input value="value">')
    assert str(parse_html("<input value>")) == '<input value="">'
    assert str(parse_html('<input value="">')) == '<input value="">'


@pytest.mark.parametrize(
    ("html1", "html2"),
    [
        ("&#39;", "&#x27;"),
        ("&#39;", "'"),
        ("&#x27;", "'"),
        ("&amp;", "&#38;"),
        ("&amp;", "&#x26;"),
        ("&amp;", "&"),
        ("&#38;", "&#x26;"),
        ("&", "&#38;"),
    ],
)
def test_character_references_are_decoded(html1, html2):
    assert_html_equal(html1, html2)


def test_complex_examples():
    assert_html_equal(
        """<tr><th><label for="id_first_name">First name:</label></th>
<td><input type="text" name="first_name" value="John" id="id_first_name" /></td></tr>
<tr><th><label for="id_last_name">Last name:</label></th>
<td><input type="text" id="id_last_name" name="last_name" value="Lennon" /></td></tr>""",
        """
        <tr><th>
            <label for="id_first_name">First name:</label></th><td>
            <input type="text" name="first_name" value="John" id="id_first_name" />
        </td></tr>
        <tr><th>
            <label for="id_last_name">Last name:</label></th><td>
            <input type="text" name="last_name" value="Lennon" id="id_last_name" />
        </td></tr>
        """,
    )
    assert_html_equal(
        """<!DOCTYPE html><html><head><link rel="stylesheet"><title>Document</title><meta attribute="value">
        </head><body><p>This is a valid paragraph<div> this is a div AFTER the p</div></body></html>""",
        """<html><head><link rel="stylesheet"><title>Document</title><meta attribute="value"></head>
        <body><p> This is a valid paragraph
        <!-- browsers would close the p tag here -->
        <div> this is a div AFTER the p</div>
        </p></body></html>""",
    )


def test_containment():
    dom1 = parse_html("<p>foo")
    dom2 = parse_html("<p>foo</p>")
    assert dom1 in dom2 and dom2 in dom1
    dom2 = parse_html("<div><p>foo</p></div>")
    assert dom1 in dom2
    assert dom2 not in dom1
    assert "<p>foo</p>" not in dom2
    assert "foo" in dom2
    # A fragment (several elements at the top).
    dom2 = parse_html("<p>foo</p><p>bar</p>")
    assert parse_html("<p>foo</p><p>bar</p>") in dom2
    assert parse_html("<p>foo</p>") in dom2
    assert parse_html("<p>bar</p>") in dom2
    assert dom2 in parse_html("<div><p>foo</p><p>bar</p></div>")


def test_count():
    dom1 = parse_html("<p>foo")
    assert dom1.count(parse_html("<p>foo</p>")) == 1
    assert parse_html("<p>foo</p>").count(dom1) == 1
    assert parse_html("<p>foo</p><p>bar</p>").count(dom1) == 1
    assert parse_html("<p>foo foo</p><p>foo</p>").count("foo") == 3
    dom2 = parse_html('<p class="bar">foo</p>')
    assert (dom2.count("bar"), dom2.count("class"), dom2.count("p"), dom2.count("o")) == (0, 0, 0, 2)
    assert parse_html("<p>foo</p><p>foo</p>").count(dom1) == 2
    assert parse_html('<div><p>foo<input type=""></p><p>foo</p></div>').count(dom1) == 1
    assert parse_html("<div><div><p>foo</p></div></div>").count(dom1) == 1
    assert parse_html("<p>foo<p>foo</p></p>").count(dom1) == 1
    assert parse_html("<p>foo<p>bar</p></p>").count(dom1) == 0
    # A fragment is found among the children of an element, as often as it appears.
    fragment = parse_html("<p>foo</p><p>bar</p>")
    assert parse_html("<div><p>foo</p><p>bar</p></div>").count(fragment) == 1
    assert parse_html("<div><p>foo</p><p>bar</p><p>foo</p><p>bar</p></div>").count(fragment) == 2
    assert parse_html("<a/><b/><c/>").count(parse_html("<a/><b/>")) == 1
    assert parse_html("<a/><b/><c/>").count(parse_html("<b/><a/>")) == 0
    assert parse_html("<a><b/><b/></a><b/><b/>").count(parse_html("<b/><b/>")) == 2


def test_escaped_text_stays_escaped():
    assert str(parse_html("&lt;br&gt;")) == "&lt;br&gt;"
    with pytest.raises(AssertionError, match="<p>\n<foo>\n</p> != <p>\n&lt;foo&gt;\n</p>\n"):
        assert_html_equal("<p><foo></p>", "<p>&lt;foo&gt;</p>")
    with pytest.raises(AssertionError, match="<p>\n<foo>\n</p> != <p>\n&lt;foo&gt;\n</p>\n"):
        assert_html_equal("<p><foo></p>", "<p>&#60;foo&#62;</p>")


def test_parsing_errors():
    with pytest.raises(AssertionError):
        assert_html_equal("<p>", "")
    with pytest.raises(AssertionError):
        assert_html_equal("", "<p>")
    with pytest.raises(HTMLParseError, match=r"Unexpected end tag `p` \(Line 1, Column 0\)"):
        parse_html("</p>")
    with pytest.raises(AssertionError, match="First argument is not valid HTML:\n"):
        assert_html_equal("<div></p>", "<div></div>")


def test_unicode():
    assert_html_equal(
        '<p class="help">Some help text for the title (with Unicode ŠĐĆŽćžšđ)</p>',
        '<p class="help">Some help text for the title (with Unicode ŠĐĆŽćžšđ)</p>',
    )


def test_json_equal():
    assert_json_equal('{"attr1": "foo", "attr2":"baz"}', '{"attr2":"baz", "attr1": "foo"}')
    assert_json_equal(b'{"a": [1, 2]}', {"a": [1, 2]})
    with pytest.raises(AssertionError):
        assert_json_equal('{"attr1": "foo", "attr2":"baz"}', '{"attr2":"baz"}')
    with pytest.raises(AssertionError, match="First argument is not valid JSON"):
        assert_json_equal('{"attr1": "foo, "attr2":"baz"}', "{}")
    with pytest.raises(AssertionError, match="Second argument is not valid JSON"):
        assert_json_equal("{}", '{"attr1": "foo, "attr2":"baz"}')
