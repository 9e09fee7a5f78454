"""The data version moves on after every committed change, and only then."""

from sqlalchemy import select, update

from tests import factories
from tracker.data_version import current, kept, move_on, versions
from tracker.extensions import db
from tracker.models import Action, Rag


def _moved(do) -> bool:
    move_on()
    before = current()
    do()
    return current() != before


def test_a_committed_change_moves_it_on(app):
    assert _moved(lambda: (factories.make_plan(), db.session.commit()))


def test_reading_or_rolling_back_does_not(app):
    factories.make_plan()
    db.session.commit()
    assert not _moved(lambda: (db.session.scalars(select(Action)).all(), db.session.commit()))
    assert not _moved(lambda: (factories.make_plan(), db.session.rollback()))


def test_bulk_statements_through_the_session_count(app):
    action = factories.make_action()
    db.session.commit()

    def bulk():
        db.session.execute(update(Action).where(Action.id == action.id).values(delivery_rag=Rag.RED))
        db.session.commit()

    assert _moved(bulk)


def test_it_starts_again_where_no_earlier_life_of_the_table_reached(app):
    move_on()
    first = current()
    db.session.execute(db.metadata.tables["data_version"].delete())
    db.session.commit()
    assert current() is None  # nothing may be kept until the next change
    factories.make_plan()
    db.session.commit()  # which starts the number again, from the clock
    assert current() > first


def test_kept_results_last_until_the_next_change(app):
    with app.test_request_context():
        move_on()
        counted = []
        assert kept(("test",), lambda: counted.append(1) or len(counted)) == 1
        assert kept(("test",), lambda: counted.append(1) or len(counted)) == 1
    factories.make_plan()
    db.session.commit()
    with app.test_request_context():
        assert kept(("test",), lambda: counted.append(1) or len(counted)) == 2


def test_a_request_reads_the_numbers_once_and_again_after_its_own_change(app):
    with app.test_request_context():
        move_on()
        first = versions()
        assert versions() is first  # one snapshot for everything the request keeps
        factories.make_plan()
        db.session.commit()
        assert versions().everything != first.everything
