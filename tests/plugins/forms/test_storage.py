"""Uploads: a ModelForm saves files through the app's storage, only once the form is valid."""

from __future__ import annotations

import datetime
import io
import os

import pytest
from flask import jsonify
from flask import render_template_string

from flaskkit.plugins.forms import FileSystemStorage
from flaskkit.plugins.forms import ModelForm
from flaskkit.plugins.forms import default_storage
from flaskkit.plugins.forms.testing import csrf_token
from flaskkit.plugins.orm import db

from .models import FormsDocument


class DocumentForm(ModelForm):
    class Meta:
        model = FormsDocument
        fields = ["title", "image", "attachment"]


@pytest.fixture
def upload_site(site):
    @site.route("/documents/new", methods=["GET", "POST"])
    def document_create():
        form = DocumentForm()
        if form.is_valid():
            document = form.save()
            return jsonify(
                image=document.image, attachment=document.attachment, url=default_storage().url(document.image)
            )
        return render_template_string('{% from "forms/macros.html" import render_form %}{{ render_form(f) }}', f=form)

    @site.route("/documents/<int:pk>", methods=["POST"])
    def document_update(pk):
        document = db.get_or_404(FormsDocument, pk)
        form = DocumentForm(instance=document)
        if form.is_valid():
            form.save()
            return jsonify(image=document.image, title=document.title)
        return jsonify(form.errors), 400

    return site


def upload(client, path="/documents/new", **files):
    data = {"title": "Report", "csrf_token": csrf_token(client)}
    for name, (content, filename) in files.items():
        data[name] = (io.BytesIO(content), filename)
    return client.post(path, data=data, content_type="multipart/form-data")


def stored(app) -> list[str]:
    with app.app_context():
        storage = default_storage()
        assert isinstance(storage, FileSystemStorage)
        return storage.listdir()


def test_a_refused_upload_is_a_field_error_and_writes_nothing(upload_site):
    client = upload_site.test_client()
    response = upload(client, image=(b"MZ...", "a.exe"))
    assert response.status_code == 200
    assert '<ul class="errorlist" id="image-errors"><li>Images only!</li></ul>' in response.text
    assert stored(upload_site) == []
    assert not os.path.exists(os.path.join(upload_site.instance_path, "media"))


def test_a_valid_upload_is_stored_under_upload_to(upload_site):
    client = upload_site.test_client()
    response = upload(client, image=(b"\x89PNG", "My Photo.png"), attachment=(b"%PDF", "../../etc/passwd"))
    assert response.status_code == 200, response.text
    year = datetime.date.today().year
    assert response.get_json() == {
        "image": f"images/{year}/My_Photo.png",
        "attachment": "docs/Report/etc_passwd",
        "url": f"/media/images/{year}/My_Photo.png",
    }
    assert stored(upload_site) == ["docs/Report/etc_passwd", f"images/{year}/My_Photo.png"]
    media = os.path.join(upload_site.instance_path, "media")
    with open(os.path.join(media, "images", str(year), "My_Photo.png"), "rb") as f:
        assert f.read() == b"\x89PNG"


def test_a_second_upload_of_the_same_name_gets_a_free_name(upload_site):
    client = upload_site.test_client()
    first = upload(client, image=(b"one", "a.png")).get_json()["image"]
    second = upload(client, image=(b"two", "a.png")).get_json()["image"]
    assert first != second
    assert second.startswith(first[: -len(".png")] + "_") and second.endswith(".png")
    with upload_site.app_context():
        with default_storage().open(first) as f:
            assert f.read() == b"one"
        with default_storage().open(second) as f:
            assert f.read() == b"two"


def test_the_file_is_required_when_creating_and_kept_when_changing(upload_site):
    client = upload_site.test_client()
    response = upload(client)
    assert '<ul class="errorlist" id="image-errors"><li>This field is required.</li></ul>' in response.text
    assert 'enctype="multipart/form-data"' in response.text
    image = upload(client, image=(b"x", "a.png")).get_json()["image"]
    data = {"title": "Renamed", "csrf_token": csrf_token(client)}
    response = client.post("/documents/1", data=data, content_type="multipart/form-data")
    assert response.get_json() == {"image": image, "title": "Renamed"}
    response = upload(client, path="/documents/1", image=(b"x", "b.gif"))
    assert (response.status_code, response.get_json()) == (400, {"image": ["Images only!"]})


def test_media_settings(make):
    app = make(MEDIA_ROOT="uploads", MEDIA_URL="https://cdn.example.com/m/")
    with app.app_context():
        storage = default_storage()
        assert storage.location == os.path.join(app.instance_path, "uploads")
        assert storage.url("a b.png") == "https://cdn.example.com/m/a%20b.png"


def test_filesystem_storage_keeps_inside_its_directory(tmp_path):
    storage = FileSystemStorage(tmp_path / "media")
    assert storage.generate_filename("../../x/../y.txt") == "x/y.txt"
    with pytest.raises(ValueError, match="is outside the storage directory"):
        storage.path("../escape.txt")
    with pytest.raises(ValueError, match="has nothing left to name a file with"):
        storage.save("../..", io.BytesIO(b""))
    name = storage.save("notes/a.txt", io.BytesIO(b"hi"))
    assert (name, storage.exists(name)) == ("notes/a.txt", True)
    storage.delete(name)
    storage.delete(name)  # already gone: fine
    assert not storage.exists(name)
