"""The one definition of how history spells each field's values: what is written reads back the same."""

from datetime import date

import pytest

from tracker.history_values import TRACKED_FIELDS, Kind, Named, Owners, kind_of, parse, serialise
from tracker.models import Rag, Status
from tracker.queries.action_activity import describe_value

OWNERS = Owners(accountable=(Named(3, "LSCB"),), responsible=(Named(1, "CSE Co-ordinator"), Named(None, "Ça va")))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("due_date", date(2015, 6, 30)),
        ("delivery_rag", Rag.AMBER),
        ("status", Status.COMPLETE),
        ("is_restricted", True),
        ("is_restricted", False),
        ("text", "Agree; sign, and share"),
        ("owners", OWNERS),
        ("owners", Owners()),
        ("partners", (Named(2, "Police"), Named(5, "Health, Children's"))),
        ("partners", ()),
        ("auto_amber", Rag.GREEN),
        ("deadline_request", date(2016, 3, 31)),
        ("due_date", None),
    ],
)
def test_every_value_reads_back_as_written(field, value):
    assert parse(field, serialise(field, value)) == value


def test_owners_are_one_stable_spelling_with_kinds_ids_and_names():
    assert serialise("owners", OWNERS) == (
        '{"accountable":[{"id":3,"name":"LSCB"}],'
        '"responsible":[{"id":1,"name":"CSE Co-ordinator"},{"id":null,"name":"Ça va"}]}'
    )


def test_owners_must_be_given_as_owners():
    with pytest.raises(TypeError):
        serialise("owners", ["LSCB"])


@pytest.mark.parametrize(
    ("field", "text"),
    [("owners", "LSCB; WMP"), ("owners", "[]"), ("owners", '{"accountable": [3]}'), ("partners", "Police"),
     ("delivery_rag", "purple"), ("due_date", "June"), ("is_restricted", "maybe")],
)  # fmt: skip
def test_text_that_is_not_a_value_of_the_field_is_refused(field, text):
    with pytest.raises(ValueError):
        parse(field, text)


def test_fields_not_named_are_text():
    assert kind_of("due_date") is Kind.DATE and kind_of("owners") is Kind.OWNERS
    assert kind_of("evidence_added") is Kind.TEXT and kind_of("text") is Kind.TEXT
    assert set(TRACKED_FIELDS) >= {"owners", "partners", "due_date"}


def test_the_timeline_words_come_from_the_parsed_value():
    assert describe_value("owners", serialise("owners", OWNERS)) == (
        "Accountable: LSCB\nResponsible: CSE Co-ordinator, Ça va"
    )
    assert describe_value("owners", serialise("owners", Owners())) == "Accountable: none\nResponsible: none"
    assert describe_value("partners", serialise("partners", ())) == "none"
    assert describe_value("due_date", "2015-06-30") == "30 June 2015"
    assert describe_value("delivery_rag", "amber") == "Amber"
    assert describe_value("is_restricted", "yes") == "Yes"
    assert describe_value("owners", "LSCB; WMP") == "LSCB; WMP"  # unreadable: shown as stored
