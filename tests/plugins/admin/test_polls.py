"""Django's polls tutorial, parts 2 and 7, written with the admin plugin (tests/plugins/admin/polls/).

Part 7's ``admin.py`` is Django's, word for word but for the imports; its models are part 2's. The tests
walk through the tutorial's steps: the admin shows the questions, the change form has the fieldsets and
three blank choices, the change list has the columns, the filter and the search box.
"""

from __future__ import annotations

import datetime
import inspect
import re

import pytest
import sqlalchemy as sa

from flaskkit.plugins.admin import LogEntry
from flaskkit.plugins.orm import db

from . import polls
from .conftest import post
from .conftest import text
from .polls import admin as polls_admin
from .polls.models import Choice
from .polls.models import Question

UTC = datetime.UTC


def add_question(client, **extra):
    data = {
        "question_text": "What's up?",
        "pub_date": "2026-11-20T10:30",
        "choices-TOTAL_FORMS": "3",
        "choices-INITIAL_FORMS": "0",
        "choices-0-choice_text": "Not much",
        "choices-0-votes": "0",
        "choices-1-choice_text": "The sky",
        "choices-1-votes": "2",
        "choices-2-choice_text": "",
        "choices-2-votes": "0",
        **extra,
    }
    return post(client, "/admin/polls/question/add/", data)


def test_part_7_is_about_as_long_as_djangos():
    source = inspect.getsource(polls_admin)
    code = [line for line in source.splitlines() if line.strip() and not line.lstrip().startswith(("#", '"""'))]
    assert len(code) <= 19  # Django's part 7 admin.py, with its imports, is 17 lines of code


def test_the_question_admin_of_part_7(site, admin_client):
    page = text(admin_client.get("/admin/polls/question/add/"))
    assert "<h2>Choices</h2>" in page
    assert len(re.findall(r'name="choices-\d-choice_text"', page)) == 3  # extra = 3
    assert "<details><summary>Date information</summary>" in page  # "classes": ["collapse"]
    assert 'for="pub_date" class="required">Date published:' in page
    response = add_question(admin_client)
    assert response.status_code == 302, text(response)
    with site.app_context():
        question = db.session.scalar(sa.select(Question))
        assert question.question_text == "What's up?"
        assert question.pub_date == datetime.datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
        assert [(c.choice_text, c.votes) for c in question.choices] == [("Not much", 0), ("The sky", 2)]
        entry = db.session.scalar(sa.select(LogEntry))
        assert entry.is_addition() and entry.object_repr == "What's up?"
        assert entry.get_change_message() == "Added. Added choice “Not much”. Added choice “The sky”."


@pytest.fixture
def questions(site):
    now = datetime.datetime.now(UTC)
    with site.app_context():
        db.session.add_all(
            [
                Question(question_text="What's new?", pub_date=now - datetime.timedelta(hours=1)),
                Question(question_text="Old news?", pub_date=now - datetime.timedelta(days=40)),
                Question(question_text="Future?", pub_date=now + datetime.timedelta(days=30)),
            ]
        )
        db.session.commit()
    return site


def test_the_change_list_of_part_7(questions, admin_client):
    page = text(admin_client.get("/admin/polls/question/"))
    for header in ("Question text", "Date published", "Published recently?"):
        assert header in page
    assert page.count('class="icon-yes"') == 1 and page.count('class="icon-no"') == 2  # was_published_recently
    assert "By date published" in page and ">Past 7 days</a>" in page
    assert 'id="searchbar"' in page
    searched = text(admin_client.get("/admin/polls/question/?q=news"))
    assert "Old news?" in searched and "What&#39;s new?" not in searched and "1 result" in searched
    by_method = text(admin_client.get("/admin/polls/question/?o=3"))  # "Published recently?" orders by pub_date
    assert by_method.index("Old news?") < by_method.index("What&#39;s new?") < by_method.index("Future?")
    week = text(admin_client.get("/admin/polls/question/?" + _past_7_days()))
    assert "What&#39;s new?" in week and "Old news?" not in week


def _past_7_days():
    today = datetime.datetime.now(UTC).date()
    since = today - datetime.timedelta(days=7)
    until = today + datetime.timedelta(days=1)
    return f"pub_date__gte={since.isoformat()}&pub_date__lt={until.isoformat()}"


def test_part_2_in_the_shell(site):
    """The ORM part of part 2, as a Django developer types it in ``manage.py shell`` (``flask shell`` here)."""
    with site.app_context():
        q = Question(question_text="What's new?", pub_date=datetime.datetime.now(UTC))
        db.session.add(q)
        db.session.commit()
        assert q.id == 1 and q.was_published_recently()
        q.choices.append(Choice(choice_text="Not much", votes=0))
        q.choices.append(Choice(choice_text="The sky", votes=0))
        q.choices.append(Choice(choice_text="Just hacking again", votes=0))
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Choice).where(Choice.question == q)) == 3
        found = db.session.scalars(sa.select(Choice).where(Choice.choice_text.startswith("Just hacking")))
        next(iter(found)).question == q  # noqa: B015
        db.session.delete(q.choices[2])
        db.session.commit()
        assert [str(c) for c in q.choices] == ["Not much", "The sky"]
    assert polls.PollsPlugin.name == "polls"


def test_deleting_a_question_deletes_its_choices_after_the_confirmation(site, admin_client):
    add_question(admin_client)
    page = text(admin_client.get("/admin/polls/question/1/delete/"))
    assert "Choices: 2" in page and "The sky" in page
    assert post(admin_client, "/admin/polls/question/1/delete/", {"post": "yes"}).status_code == 302
    with site.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Choice)) == 0
