"""The access mixins on class-based views: the views plugin's, and any view that follows its contract."""

from __future__ import annotations

import typing as t

import pytest
import sqlalchemy as sa
from flask import request
from flask.views import View as FlaskView

from flaskkit import ConfigurationError
from flaskkit.plugins.auth import LoginRequiredMixin
from flaskkit.plugins.auth import PermissionRequiredMixin
from flaskkit.plugins.auth import UserPassesTestMixin
from flaskkit.plugins.auth import current_user
from flaskkit.plugins.orm import db
from flaskkit.plugins.views import TemplateView
from flaskkit.plugins.views import UpdateView
from flaskkit.plugins.views import View

from .conftest import PLUGINS
from .conftest import create_user
from .conftest import log_in
from .conftest import page_token
from .models import AuthTestPost
from .test_permissions import grant
from .test_permissions import sync


class ContractView(FlaskView):
    """The smallest view that follows the views plugin's contract: an instance per request,
    ``setup()`` then ``dispatch()``, which calls the method's handler."""

    methods: t.ClassVar[list[str]] = ["GET"]

    def dispatch_request(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        self.setup(*args, **kwargs)
        return self.dispatch(*args, **kwargs)

    def setup(self, *args: t.Any, **kwargs: t.Any) -> None:
        self.request, self.args, self.kwargs = request, args, kwargs

    def dispatch(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        return getattr(self, self.request.method.lower())(*args, **kwargs)


class Secret(LoginRequiredMixin, ContractView):
    def get(self) -> str:
        return f"secret for {current_user.username}"


class Publish(PermissionRequiredMixin, ContractView):
    permission_required = ("blog.publish_post", "blog.change_post")
    raise_exception = True
    permission_denied_message = "Only editors publish."

    def get(self) -> str:
        return "published"


class OwnPage(UserPassesTestMixin, View):
    def test_func(self) -> bool:
        return bool(current_user.is_authenticated and current_user.username == self.kwargs["name"])

    def get(self, name: str) -> str:
        return f"page of {name}"


class Dashboard(LoginRequiredMixin, TemplateView):
    template_name = "auth/password_change_done.html"
    login_url = "/signin/"


class PostEdit(LoginRequiredMixin, PermissionRequiredMixin, UpdateView):
    model = AuthTestPost
    fields: t.ClassVar[list[str]] = ["title"]
    permission_required = "blog.change_post"
    raise_exception = True
    success_url = "/posts/{id}/"


class NoPermissionSet(PermissionRequiredMixin, View):
    def get(self) -> str:
        return "unreachable"


@pytest.fixture
def views_site(make):
    app = make(PLUGINS=[*PLUGINS, "views"])
    create_user(app, "ada")
    create_user(app, "bob")
    sync(app)
    app.add_url_rule("/secret", view_func=Secret.as_view("secret"))
    app.add_url_rule("/publish", view_func=Publish.as_view("publish"))
    app.add_url_rule("/pages/<name>", view_func=OwnPage.as_view("own_page"))
    app.add_url_rule("/dash", view_func=Dashboard.as_view("dash"))
    app.add_url_rule("/posts/<int:pk>/edit", view_func=PostEdit.as_view("post_edit"))
    app.add_url_rule("/broken", view_func=NoPermissionSet.as_view("broken"))
    with app.app_context():
        db.session.add(AuthTestPost(title="First"))
        db.session.commit()
    return app


def test_login_required_mixin_sends_anonymous_users_to_login_with_next(views_site):
    client = views_site.test_client()
    assert client.get("/secret?tab=2").headers["Location"] == "/accounts/login/?next=/secret%3Ftab%3D2"
    assert client.get("/dash").headers["Location"] == "/signin/?next=/dash"  # the view's login_url
    log_in(client)
    assert client.get("/secret").get_data(as_text=True) == "secret for ada"
    assert client.get("/dash").status_code == 200


def test_permission_required_mixin(views_site):
    client = views_site.test_client()
    assert client.get("/publish").headers["Location"] == "/accounts/login/?next=/publish"  # anonymous
    log_in(client)
    response = client.get("/publish")
    assert response.status_code == 403
    assert "Only editors publish." in response.get_data(as_text=True)
    grant(views_site, "ada", "blog.publish_post")
    assert client.get("/publish").status_code == 403  # one of the two is not enough
    grant(views_site, "ada", "blog.change_post", group="editors")
    assert client.get("/publish").get_data(as_text=True) == "published"


def test_user_passes_test_mixin(views_site):
    client = views_site.test_client()
    assert client.get("/pages/ada").status_code == 302
    log_in(client)
    assert client.get("/pages/ada").get_data(as_text=True) == "page of ada"
    assert client.get("/pages/bob").status_code == 403


def test_an_editor_may_edit_and_another_user_gets_403(views_site):
    grant(views_site, "ada", "blog.change_post", group="editors")
    editor, other = views_site.test_client(), views_site.test_client()
    log_in(editor)
    log_in(other, "bob")
    assert editor.get("/posts/1/edit").status_code == 200
    assert other.get("/posts/1/edit").status_code == 403
    token = page_token(editor, "/posts/1/edit")
    response = editor.post("/posts/1/edit", data={"title": "Edited", "csrf_token": token})
    assert (response.status_code, response.headers["Location"]) == (302, "/posts/1/")
    token = page_token(other, "/accounts/login/")  # a valid token of bob's: the permission still stops him
    assert other.post("/posts/1/edit", data={"title": "Hacked", "csrf_token": token}).status_code == 403
    with views_site.app_context():
        assert db.session.scalar(sa.select(AuthTestPost.title)) == "Edited"
    assert views_site.test_client().get("/posts/1/edit").headers["Location"] == ("/accounts/login/?next=/posts/1/edit")


def test_a_mixin_without_its_permission_is_a_clear_error(views_site):
    client = views_site.test_client()
    log_in(client)
    with pytest.raises(ConfigurationError, match="NoPermissionSet is missing the permission_required attribute"):
        client.get("/broken")
