"""The few database calls that differ between jam.py 5 and jam.py 7, in one place.

jam.py 5 keeps the database as a module (`task.db_module`: `value_literal`,
`get_lastrowid`, `next_sequence_value_sql`) and `task.select` raises on error; jam.py 7
keeps it as an object (`task.db`: `value_literal`, `next_sequence`) and `task.select`
returns None on error. jam.py 7's `set_where(name__in=[...])` writes the values into the
SQL unquoted (fine for ids, wrong for texts), so texts are matched one value at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from cams_module.lims.connections import autocommit, connection


def _db(task: Any) -> Any:
    db = getattr(task, "db_module", None)  # jam.py 5
    return db if db is not None else task.db  # jam.py 7


def value_literal(task: Any, index: int) -> str:
    """The placeholder of the `index`-th (1-based) query parameter."""
    return _db(task).value_literal(index)


def next_id_sql(task: Any, item: Any) -> str | None:
    """The SQL that draws the next id of `item` from its sequence, or None when the
    database assigns the id on INSERT (sqlite)."""
    db = getattr(task, "db_module", None)
    if db is not None:
        return db.next_sequence_value_sql(item.gen_name) if db.get_lastrowid is None else None
    return task.db.next_sequence(item.gen_name) if item.gen_name else None


def insert_sql(task: Any, item: Any, columns: str, marks: str) -> tuple[str, bool]:
    """The INSERT of one `item` row, and whether it answers the new id as a row (jam.py 7
    on PostgreSQL: an identity column, `RETURNING`)."""
    if getattr(task, "db_module", None) is not None:
        return f'INSERT INTO "{item.table_name}" ({columns}) VALUES ({marks})', False
    sql = task.db.insert_query(item.field_by_name(item._primary_key)) % (
        item.table_name, columns, marks)
    return sql, " RETURNING " in sql


def last_row_id(cursor: Any) -> int:
    """The id the database gave the row just inserted through `cursor` (sqlite)."""
    return int(cursor.lastrowid)


def column_name(item: Any, name: str) -> str:
    """The quoted database column of field `name` of jam.py item `item`, for CAMS's own
    SQL (the same in both versions)."""
    return f'"{item.field_by_name(name).db_field_name}"'


def select(task: Any, sql: str, params: list | None = None) -> list[list]:
    """The rows of a plain SELECT; raises on a database error (both versions)."""
    with connection(task) as con, autocommit(task, con):
        cursor = con.cursor()
        cursor.execute(sql, params or [])
        return [list(r) for r in cursor.fetchall()]


def rows_with(item: Any, field_name: str, values: Iterable[str]) -> Iterator[Any]:
    """The rows of `item` (a fresh copy) whose text field `field_name` holds one of
    `values`, each yielded as the open dataset positioned on it."""
    for value in dict.fromkeys(values):
        rows = item.copy(handlers=False)
        rows.set_where({field_name: value})
        rows.open()
        yield from rows
