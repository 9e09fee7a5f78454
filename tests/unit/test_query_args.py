"""Filters read from a query string: what cannot be read is left out, never an error."""

import pytest

from tracker.models import Rag
from tracker.queries.changes import Change
from tracker.views.query_args import read_int, read_member


@pytest.mark.parametrize(
    ("text", "number"),
    [("12", 12), (" 7 ", 7), ("", None), (None, None), ("-1", None), ("x", None), ("1.5", None),
     ("999999999", 999999999), ("9999999999", None)],
)  # fmt: skip
def test_read_int(text, number):
    assert read_int(text) == number


def test_read_member():
    assert read_member(Rag, "red") is Rag.RED
    assert read_member(Rag, " amber ") is Rag.AMBER
    assert read_member(Rag, "purple") is None
    assert read_member(Rag, None) is None
    assert read_member(Change, "completed") is Change.COMPLETED
