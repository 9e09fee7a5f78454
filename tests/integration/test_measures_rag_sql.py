"""The SQL twin of the measures' RAG rule gives the same answer as the pure function, on both databases."""

import itertools

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, insert, select

from tracker.extensions import db
from tracker.measures_rag import measure_rag, measure_rag_sql
from tracker.models import Direction, Rag

VALUES = [None, 0.0, 34.9, 35.0, 37.5, 39.99, 40.0, 40.01, 44.9, 45.0, 45.1, 100.0]
TARGETS = [None, 0.0, 40.0]
TOLERANCES = [None, 0.0, 5.0, 0.1]

# A scratch table of the three numbers and the direction, so the twin is tested over plain columns.
grid = Table(
    "measure_rag_grid",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("value", Float),
    Column("target", Float),
    Column("tolerance", Float),
    Column("direction", String(20)),
)


def test_sql_twin_agrees_with_the_pure_rule_over_a_grid(app):
    cases = list(itertools.product(VALUES, TARGETS, TOLERANCES, list(Direction)))
    grid.create(db.engine, checkfirst=True)
    try:
        with db.engine.begin() as connection:
            connection.execute(
                insert(grid),
                [{"value": v, "target": t, "tolerance": tol, "direction": d.value} for v, t, tol, d in cases],
            )
            rows = connection.execute(
                select(
                    grid.c.value,
                    grid.c.target,
                    grid.c.tolerance,
                    grid.c.direction,
                    measure_rag_sql(grid.c.value, grid.c.target, grid.c.tolerance, grid.c.direction),
                )
            ).all()
    finally:
        grid.drop(db.engine)
    assert len(rows) == len(cases)
    seen = set()
    for value, target, tolerance, direction, sql_rag in rows:
        expected = measure_rag(value, target, tolerance, Direction(direction)).rag
        assert Rag(sql_rag) is expected, (value, target, tolerance, direction)
        seen.add(expected)
    assert seen == {Rag.RED, Rag.AMBER, Rag.GREEN, Rag.NOT_RATED}  # the grid reaches every rating
