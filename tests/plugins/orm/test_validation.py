"""``instance.full_clean()``: Django's model validation, with ``message_dict``, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime
import decimal

import pytest
import sqlalchemy as sa

from flaskkit import ValidationError
from flaskkit.exceptions import NON_FIELD_ERRORS
from flaskkit.plugins.orm import db

from .models import Author
from .models import Entry
from .models import Status


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def ada(ctx):
    author = Author(name="Ada")
    db.session.add(author)
    db.session.commit()
    return author


def entry(author, **values):
    values.setdefault("title", "Hello")
    values.setdefault("slug", "hello")
    return Entry(author=author, **values)


def errors_of(instance, **kwargs):
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean(**kwargs)
    return excinfo.value.message_dict


def test_a_valid_instance_passes_and_nothing_is_written(ada):
    item = entry(ada, price="12.5", code="A1")
    db.session.add(item)
    item.full_clean()
    assert item.price == decimal.Decimal("12.5")  # converted, as Django's clean_fields does
    assert sa.inspect(item).pending  # not flushed


def test_lengths_blank_and_null(ada):
    assert errors_of(entry(ada, title="x" * 25)) == {
        "title": ["Ensure this value has at most 20 characters (it has 25)."]
    }
    assert errors_of(entry(ada, title="")) == {"title": ["This field cannot be blank."]}
    assert errors_of(Entry(slug="s", author=ada)) == {"title": ["This field cannot be null."]}
    entry(ada, notes="").full_clean()  # a string whose default is "" may be blank


def test_a_column_filled_by_a_default_may_be_none_only_on_a_new_row(ada):
    item = entry(ada, score=None)
    item.full_clean()  # the default applies at the insert
    db.session.add(item)
    db.session.commit()
    item.score = None
    assert errors_of(item) == {"score": ["This field cannot be null."]}


def test_choices_enums_and_conversions(ada):
    assert errors_of(entry(ada, kind="video")) == {"kind": ["Value 'video' is not a valid choice."]}
    assert errors_of(entry(ada, status="ARCHIVED")) == {"status": ["Value 'ARCHIVED' is not a valid choice."]}
    item = entry(ada, status="LIVE", published_at="2024-01-01T10:00:00+02:00")
    item.full_clean()
    assert item.status is Status.LIVE
    assert item.published_at == datetime.datetime(2024, 1, 1, 8, 0, tzinfo=datetime.UTC)
    assert errors_of(entry(ada, price="abc")) == {"price": ["“abc” value must be a decimal number."]}
    assert errors_of(entry(ada, published_at="yesterday")) == {
        "published_at": [
            "“yesterday” value has an invalid format. It must be in YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ] format."
        ]
    }


def test_ranges_digits_and_validators(ada):
    assert errors_of(entry(ada, score=3)) == {"score": ["3 is not an even number"]}
    assert errors_of(entry(ada, score=40000)) == {"score": ["Ensure this value is less than or equal to 32767."]}
    assert errors_of(entry(ada, price=decimal.Decimal("1234.5"))) == {
        "price": ["Ensure that there are no more than 3 digits before the decimal point."]
    }
    assert errors_of(entry(ada, price=decimal.Decimal("1.234"))) == {
        "price": ["Ensure that there are no more than 2 decimal places."]
    }


def test_the_foreign_key_is_named_after_its_relationship(ada):
    assert errors_of(Entry(title="t", slug="s")) == {"author": ["This field cannot be null."]}
    entry(Author(name="New"), slug="s").full_clean()  # a pending author: the flush sets the key
    Entry(title="t", slug="s", author_id=ada.id).full_clean()


def test_unique_columns_and_multi_column_constraints(ada):
    db.session.add(entry(ada, code="A1"))
    db.session.commit()
    assert errors_of(entry(ada, slug="other", code="A1")) == {"code": ["Entry with this Code already exists."]}
    assert errors_of(entry(ada, code="B2")) == {NON_FIELD_ERRORS: ["Entry with this Writer and Slug already exists."]}
    entry(Author(name="Grace"), code="B2").full_clean()  # another author may use the slug
    entry(ada, code="A1").full_clean(validate_unique=False)


def test_a_saved_row_does_not_conflict_with_itself(ada):
    item = entry(ada, code="A1")
    db.session.add(item)
    db.session.commit()
    item.title = "Changed"
    item.full_clean()
    item.slug = "hello"
    item.full_clean()


def test_exclude_skips_fields_and_the_unique_checks_on_them(ada):
    db.session.add(entry(ada, code="A1"))
    db.session.commit()
    duplicate = entry(ada, title="x" * 30, code="A1")
    assert set(errors_of(duplicate)) == {"title", "code", NON_FIELD_ERRORS}
    assert set(errors_of(duplicate, exclude=["title", "code"])) == {NON_FIELD_ERRORS}
    for name in ("author", "author_id"):
        assert set(errors_of(duplicate, exclude=["title", name])) == {"code"}


def test_a_field_that_failed_is_not_checked_for_uniqueness(ada):
    db.session.add(entry(ada, code="A1"))
    db.session.commit()
    assert errors_of(entry(ada, slug="x", code="A1" + "x" * 10)) == {
        "code": ["Ensure this value has at most 8 characters (it has 12)."]
    }


def test_the_models_clean(ada):
    assert errors_of(entry(ada, status=Status.LIVE)) == {"published_at": ["A live entry needs a publication date."]}
    assert errors_of(entry(ada, title="Forbidden")) == {NON_FIELD_ERRORS: ["This title is not allowed."]}
    # clean() runs even when a field failed; both are reported
    assert errors_of(entry(ada, title="Forbidden", kind="video")) == {
        "kind": ["Value 'video' is not a valid choice."],
        NON_FIELD_ERRORS: ["This title is not allowed."],
    }


def test_check_constraints_are_evaluated_by_the_database(ada):
    assert errors_of(entry(ada, score=-2)) == {
        NON_FIELD_ERRORS: ["Constraint “ck_orm_test_entry_score_positive” is violated."]
    }
    entry(ada, score=-2).full_clean(validate_constraints=False)
    entry(ada, score=-2).full_clean(exclude=["score"])


def test_the_steps_can_run_alone(ada):
    item = entry(ada, title="x" * 25, kind="video")
    with pytest.raises(ValidationError) as excinfo:
        item.clean_fields(exclude=["kind"])
    assert excinfo.value.message_dict == {"title": ["Ensure this value has at most 20 characters (it has 25)."]}
    db.session.add(entry(ada, code="A1"))
    db.session.commit()
    with pytest.raises(ValidationError) as excinfo:
        entry(ada, code="A1", slug="z").validate_unique()
    assert excinfo.value.messages == ["Entry with this Code already exists."]
    with pytest.raises(ValidationError) as excinfo:
        entry(ada, score=-4).validate_constraints()
    assert excinfo.value.messages == ["Constraint “ck_orm_test_entry_score_positive” is violated."]


def test_validation_error_is_djangos():
    error = ValidationError({"a": ["one", ValidationError("%(n)s two", params={"n": 2})], "__all__": "three"})
    assert error.message_dict == {"a": ["one", "2 two"], "__all__": ["three"]}
    assert error.messages == ["one", "2 two", "three"]
    assert sorted(dict(error)) == ["__all__", "a"]
    single = ValidationError("Enter a valid value.", code="invalid")
    assert single.messages == ["Enter a valid value."] and single.code == "invalid"
    assert single.update_error_dict({}) == {"__all__": [single]}
    assert str(ValidationError(["a", "b"])) == "['a', 'b']"
    with pytest.raises(AttributeError, match="no message_dict"):
        _ = single.message_dict
