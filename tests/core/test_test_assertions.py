"""flaskkit.test's assertions: the cases of Django's test_client_regress and test_utils tests, ported."""

from __future__ import annotations

import typing as t

import pytest
from flask import Response
from flask import render_template

from flaskkit import create_app
from flaskkit.test import assert_contains
from flaskkit.test import assert_form_error
from flaskkit.test import assert_not_contains
from flaskkit.test import assert_redirects
from flaskkit.test import assert_template_not_used
from flaskkit.test import assert_template_used
from flaskkit.test import assert_url_equal
from flaskkit.test import use_test_client
from tests.conftest import settings

from .django_test_views import ContactForm
from .django_test_views import add_views
from .django_test_views import write_templates

if t.TYPE_CHECKING:
    from flask import Flask


@pytest.fixture
def app(tmp_path) -> Flask:
    write_templates(tmp_path / "templates")
    app = create_app(
        settings(PLUGINS=["forms"], TESTING=True),
        import_name="django_test_views",
        template_folder=str(tmp_path / "templates"),
        instance_path=str(tmp_path / "instance"),
    )
    add_views(app)
    return use_test_client(app)


def fails(message: str) -> t.ContextManager[t.Any]:
    """The assertion fails, and its message contains ``message``."""
    return pytest.raises(AssertionError, match=_literal(message))


def _literal(text: str) -> str:
    import re

    return re.escape(text)


# -- assert_contains (Django's AssertContainsTests) -------------------------------------------------


def test_contains_counts_repeated_substrings(client):
    response = client.get("/no_template_view/")
    assert_not_contains(response, "never")
    assert_contains(response, "never", 0)
    assert_contains(response, "once")
    assert_contains(response, "once", 1)
    assert_contains(response, "twice")
    assert_contains(response, "twice", 2)
    cases = [
        (lambda p: assert_contains(response, "text", status_code=999, msg_prefix=p),
         "Couldn't retrieve content: Response code was 200 (expected 999)"),
        (lambda p: assert_not_contains(response, "text", status_code=999, msg_prefix=p),
         "Couldn't retrieve content: Response code was 200 (expected 999)"),
        (lambda p: assert_not_contains(response, "once", msg_prefix=p), "Response should not contain 'once'"),
        (lambda p: assert_contains(response, "never", 1, msg_prefix=p),
         "Found 0 instances of 'never' in response (expected 1)"),
        (lambda p: assert_contains(response, "once", 0, msg_prefix=p),
         "Found 1 instances of 'once' in response (expected 0)"),
        (lambda p: assert_contains(response, "once", 2, msg_prefix=p),
         "Found 1 instances of 'once' in response (expected 2)"),
        (lambda p: assert_contains(response, "twice", 1, msg_prefix=p),
         "Found 2 instances of 'twice' in response (expected 1)"),
        (lambda p: assert_contains(response, "thrice", msg_prefix=p), "Couldn't find 'thrice' in response"),
        (lambda p: assert_contains(response, "thrice", 3, msg_prefix=p),
         "Found 0 instances of 'thrice' in response (expected 3)"),
    ]  # fmt: skip
    for assertion, message in cases:
        with fails(message):
            assertion("")
        with fails(f"abc: {message}"):
            assertion("abc")


def test_contains_with_a_status_code(client):
    assert_contains(client.get("/bad_view/"), "MAGIC", status_code=404)


def test_unicode_contains_and_not_contains(client):
    response = client.get("/check_unicode/")
    assert_contains(response, "さかき")
    assert_contains(response, b"\xe5\xb3\xa0".decode())
    assert_not_contains(response, "はたけ")


def test_binary_contains_and_not_contains(client):
    response = client.get("/check_binary/")
    assert_contains(response, b"%PDF-1.4\r\n%\x93\x8c\x8b\x9e")
    with pytest.raises(AssertionError):
        assert_contains(response, b"%PDF-1.4\r\n%\x93\x8c\x8b\x9e", count=2)
    assert_not_contains(response, b"%ODF-1.4\r\n%\x93\x8c\x8b\x9e")
    with pytest.raises(AssertionError):
        assert_not_contains(response, b"%PDF-1.4\r\n%\x93\x8c\x8b\x9e")


def test_contains_any_response_not_only_the_test_clients():
    response = Response("Hello")
    assert_contains(response, "Hello")
    assert_not_contains(response, "Bye")


def test_contains_html(client):
    # Django's HTMLEqualTests.test_contains_html
    body = '<body>\n This is a form: <form method="get">\n <input type="text" name="Hello" />\n </form></body>'
    response = Response(body)
    assert_not_contains(response, "<input name='Hello' type='text'>")
    assert_contains(response, '<form method="get">')
    assert_contains(response, "<input name='Hello' type='text'>", html=True)
    assert_not_contains(response, '<form method="get">', html=True)
    with pytest.raises(AssertionError):
        assert_contains(response, "<p></p>")
    with pytest.raises(AssertionError, match="Second argument is not valid HTML"):
        assert_contains(response, "</p>", html=True)


def test_contains_html_counts_elements(client):
    response = Response("<ul><li>a</li><li class='x y'>b</li><li class='y x'>b</li></ul>")
    assert_contains(response, '<li class="x y">b</li>', count=2, html=True)
    assert_contains(response, "<li>a</li>", count=1, html=True)


# -- assert_redirects (Django's AssertRedirectsTests and ClientTest) ---------------------------------------


def test_redirect(client):
    assert_redirects(client.get("/redirect_view/"), "/get_view/")


def test_redirect_with_query_in_any_order(client):
    response = client.get("/redirect_view/", query_string={"var": "value", "foo": "bar"})
    assert_redirects(response, "/get_view/?var=value&foo=bar")
    assert_redirects(response, "/get_view/?foo=bar&var=value")


def test_permanent_and_temporary_redirects(client):
    assert_redirects(client.get("/permanent_redirect_view/"), "/get_view/", status_code=301)
    assert_redirects(client.get("/redirect_view/"), "/get_view/", status_code=302)


def test_redirect_to_a_page_that_redirects(client):
    assert_redirects(client.get("/double_redirect_view/"), "/permanent_redirect_view/", target_status_code=301)


def test_followed_redirects_are_checked_on_their_chain(client):
    response = client.get("/double_redirect_view/", follow_redirects=True)
    assert_redirects(response, "/get_view/", status_code=302, target_status_code=200)
    assert len(response.history) == 2
    with fails("Initial response didn't redirect as expected: Response code was 302 (expected 301)"):
        assert_redirects(response, "/get_view/", status_code=301)


def test_a_relative_redirect_is_joined_to_the_request_path(client):
    assert_redirects(client.get("/accounts/"), "/accounts/login/")


def test_the_wrong_status_says_so(client):
    response = client.get("/permanent_redirect_view/")
    with fails("Response didn't redirect as expected: Response code was 301 (expected 302)"):
        assert_redirects(response, "/get_view/")
    with fails("abc: Response didn't redirect as expected: Response code was 301 (expected 302)"):
        assert_redirects(response, "/get_view/", msg_prefix="abc")


def test_a_lost_query_says_where_it_went(client):
    response = client.get("/redirect_view/", query_string={"var": "value"})
    with fails("Response redirected to '/get_view/?var=value', expected '/get_view/'"):
        assert_redirects(response, "/get_view/")
    with fails("abc: Response redirected to '/get_view/?var=value', expected '/get_view/'"):
        assert_redirects(response, "/get_view/", msg_prefix="abc")


def test_the_target_is_fetched_with_the_same_client(client):
    response = client.get("/double_redirect_view/")
    with fails("Couldn't retrieve redirection page '/permanent_redirect_view/': response code was 301 (expected 200)"):
        assert_redirects(response, "/permanent_redirect_view/")
    response = client.get("/no_such_target/")
    with fails("Couldn't retrieve redirection page '/nowhere/': response code was 404 (expected 200)"):
        assert_redirects(response, "/nowhere/")
    assert_redirects(response, "/nowhere/", fetch_redirect_response=False)


def test_an_external_redirect_is_not_fetched(client):
    response = client.get("/django_project_redirect/")
    assert_redirects(response, "https://www.djangoproject.com/", fetch_redirect_response=False)
    message = (
        "The test client is unable to fetch remote URLs (got https://www.djangoproject.com/). If the host is served "
        "by this app, add 'www.djangoproject.com' to ALLOWED_HOSTS. Otherwise, use assert_redirects(..., "
        "fetch_redirect_response=False)."
    )
    with pytest.raises(ValueError, match=_literal(message)):
        assert_redirects(response, "https://www.djangoproject.com/")


def test_a_response_of_flasks_own_client_cannot_be_followed(app):
    response = app.test_client_class.__mro__[1](app, app.response_class).get("/redirect_view/")  # FlaskClient
    with pytest.raises(ValueError, match="fetches the target with the client that got the response"):
        assert_redirects(response, "/get_view/")
    assert_redirects(response, "/get_view/", fetch_redirect_response=False)


def test_url_equal_ignores_the_order_of_parameters():
    for url1, url2 in [
        ("http://example.com/?", "http://example.com/"),
        ("http://example.com/?x=1&", "http://example.com/?x=1"),
        ("http://example.com/?x=1&y=2", "http://example.com/?y=2&x=1"),
        ("http://example.com/?x=1&y=2&a=1&a=2", "http://example.com/?a=1&a=2&y=2&x=1"),
        ("/path/to/?x=1&y=2&z=3", "/path/to/?z=3&y=2&x=1"),
        ("?x=1&y=2&z=3", "?z=3&y=2&x=1"),
    ]:
        assert_url_equal(url1, url2)
    for url1, url2 in [
        ("http://example.com/", "https://example.com/"),
        ("http://example.com/?x=1&x=2", "https://example.com/?x=2&x=1"),
        ("/path/to?a=1&a=2", "/path/to/?a=2&a=1"),
    ]:
        with pytest.raises(AssertionError):
            assert_url_equal(url1, url2)
    with fails("Prefix: Expected 'http://example.com/?x=1&x=2' to equal 'https://example.com/?x=2&x=1'."):
        assert_url_equal("http://example.com/?x=1&x=2", "https://example.com/?x=2&x=1", msg_prefix="Prefix")


# -- assert_template_used (Django's AssertTemplateUsedTests and the context-manager tests) ------------------


def test_template_used_when_none_was(client):
    response = client.get("/no_template_view/")
    assert_template_not_used(response, "GET Template")
    with fails("No templates used to render the response"):
        assert_template_used(response, "get.html")
    with fails("abc: No templates used to render the response"):
        assert_template_used(response, "get.html", msg_prefix="abc")
    with fails("No templates used to render the response"):
        assert_template_used(response, "get.html", count=2)


def test_template_used_with_a_single_template(client):
    response = client.get("/post_view/")
    assert_template_used(response, "empty_get.html")
    with fails("abc: Template 'empty_get.html' was used unexpectedly in rendering the response"):
        assert_template_not_used(response, "empty_get.html", msg_prefix="abc")
    with fails(
        "Template 'empty_post.html' was not a template used to render the response. "
        "Actual template(s) used: empty_get.html"
    ):
        assert_template_used(response, "empty_post.html")
    with fails(
        "abc: Template 'empty_get.html' was expected to be rendered 2 time(s) but was actually rendered 1 time(s)."
    ):
        assert_template_used(response, "empty_get.html", msg_prefix="abc", count=2)


def test_template_used_counts_the_templates_a_template_extends(client):
    response = client.post("/form_view_with_template/", data={"text": "Hello World", "email": "foo@example.com"})
    assert_contains(response, "POST data OK")
    assert_template_used(response, "form_view.html")
    assert_template_used(response, "template_used/base.html")
    assert_template_not_used(response, "Valid POST Template")
    with fails(
        "Template 'Valid POST Template' was not a template used to render the response. "
        "Actual template(s) used: form_view.html, template_used/base.html"
    ):
        assert_template_used(response, "Valid POST Template")
    with fails("Template 'template_used/base.html' was expected to be rendered 2 time(s)"):
        assert_template_used(response, "template_used/base.html", count=2)


def test_template_rendered_several_times(client):
    response = client.get("/render_template_multiple_times/")
    assert_template_used(response, "template_used/base.html", count=2)


def test_response_templates_and_context(client):
    response = client.get("/get_view/", query_string={"var": "\xf2"})
    assert_contains(response, "This is a test")
    assert response.context["var"] == "\xf2"
    assert response.templates[0].name == "get.html"
    assert client.get("/no_template_view/").context is None
    several = client.get("/render_template_multiple_times/")
    assert len(several.context) == 2 and "request" in several.context


def test_template_used_only_on_responses_of_the_test_client():
    with pytest.raises(ValueError, match=r"assert_template_used\(\) is only usable on responses fetched using"):
        assert_template_used(Response(), "template.html")
    with pytest.raises(ValueError, match=r"assert_template_not_used\(\) is only usable on responses fetched using"):
        assert_template_not_used(Response(), "template.html")
    with pytest.raises(TypeError, match="response and/or template_name argument must be provided"):
        assert_template_used()


def render(name: str) -> str:
    return render_template(f"template_used/{name}.html")


@pytest.fixture
def in_request(app) -> t.Iterator[None]:
    with app.test_request_context():
        yield


def test_template_used_as_a_context_manager(in_request):
    with assert_template_used("template_used/base.html"):
        render("base")
    with assert_template_used(template_name="template_used/base.html"):
        render("base")
    with assert_template_used("template_used/base.html"):
        render("include")
    with assert_template_used("template_used/base.html"):
        render("extends")
    with assert_template_used("template_used/base.html", count=2):
        render("base")
        render("base")


def test_template_used_context_managers_nest(in_request):
    with assert_template_used("template_used/base.html"), assert_template_used("template_used/include.html"):
        render("include")
    with assert_template_used("template_used/extends.html"), assert_template_used("template_used/base.html"):
        render("extends")
    with assert_template_used("template_used/base.html"):
        with assert_template_used("template_used/alternative.html"):
            render("alternative")
        render("base")
    with assert_template_used("template_used/base.html"):
        render("extends")
        with assert_template_not_used("template_used/base.html"):
            render("alternative")
        render("base")


def test_template_used_context_manager_failures(in_request):
    with assert_template_not_used("template_used/base.html"):
        pass
    with fails("No templates used to render the response"), assert_template_used("template_used/base.html"):
        pass
    with fails("No templates used to render the response"), assert_template_used(""):
        render("base")
    with (
        fails(
            "Prefix: Template 'template_used/base.html' was not a template used to render the response. "
            "Actual template(s) used: template_used/alternative.html"
        ),
        assert_template_used("template_used/base.html", msg_prefix="Prefix"),
    ):
        render("alternative")
    with (
        fails(
            "Template 'template_used/base.html' was expected to be rendered 3 time(s) "
            "but was actually rendered 2 time(s)."
        ),
        assert_template_used("template_used/base.html", count=3),
    ):
        render("base")
        render("base")
    with pytest.raises(TypeError), assert_template_used("template_used/base.html"):
        raise TypeError  # an exception in the block is not hidden


def test_template_used_context_manager_sees_the_clients_requests(client):
    with assert_template_used("get.html"):
        client.get("/get_view/")
    with assert_template_used("template_used/base.html"), assert_template_not_used("get.html"):
        client.get("/template_used/extends")
    with assert_template_used("get.html"):
        client.get("/redirect_view/", follow_redirects=True)


# -- assert_form_error (Django's AssertFormErrorTests) ---------------------------------------------------


def cleaned(app: Flask, **data: str) -> ContactForm:
    from werkzeug.datastructures import MultiDict

    with app.test_request_context(method="POST"):
        form = ContactForm(MultiDict(data), meta={"csrf": False})
        form.is_valid()
        return form


def test_form_errors(app):
    invalid = cleaned(app, text="Hello", email="nope")
    assert_form_error(invalid, "email", "Enter a valid email address.")
    assert_form_error(invalid, "email", ["Enter a valid email address."])
    assert_form_error(invalid, "text", [])
    valid = cleaned(app, text="Hello", email="a@example.com")
    assert_form_error(valid, "email", [])
    assert_form_error(valid, None, [])
    assert_form_error(cleaned(app, text="spam", email="a@example.com"), None, "No spam, please.")


def test_form_error_messages(app):
    invalid = cleaned(app, text="Hello", email="nope")
    described = "<ContactForm bound=True, valid=False, fields=(text;email)>"
    with fails(f"The form {described} does not contain the field 'other_field'."):
        assert_form_error(invalid, "other_field", "invalid value")
    with fails(f"Custom prefix: The form {described} does not contain the field 'other_field'."):
        assert_form_error(invalid, "other_field", "invalid value", msg_prefix="Custom prefix")
    with fails(f"The errors of field 'email' on form {described} don't match.\n"):
        assert_form_error(invalid, "email", "other error")
    with fails("['Enter a valid email address.'] != ['other error']"):
        assert_form_error(invalid, "email", "other error")
    with fails("['Enter a valid email address.'] != []"):
        assert_form_error(invalid, "email", [])
    valid = cleaned(app, text="Hello", email="a@example.com")
    with fails("The errors of field 'email' on form <ContactForm bound=True, valid=True, fields=(text;email)>"):
        assert_form_error(valid, "email", "invalid value")
    spam = cleaned(app, text="spam", email="a@example.com")
    with fails("The non-field errors of form <ContactForm bound=True, valid=False, fields=(text;email)> don't match."):
        assert_form_error(spam, None, "other non-field error")
    with app.test_request_context():
        unbound = ContactForm(meta={"csrf": False})
    with fails(
        "The form <ContactForm bound=False, valid=Unknown, fields=(text;email)> is not bound, it will never have any "
        "errors."
    ):
        assert_form_error(unbound, "email", [])


def test_form_error_on_the_form_the_response_rendered(client):
    response = client.post("/form_view_with_template/", data={"text": "Hello World"})
    assert_contains(response, "POST data has errors")
    assert_template_used(response, "form_view.html")
    assert_form_error(response.context["form"], "email", "This field is required.")
