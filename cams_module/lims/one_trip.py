"""PostgreSQL: a press's claim in one round trip to the server.

psycopg2 opens a transaction with a `BEGIN` of its own before the first statement: a claim
(the conditional UPDATE of the process, the job id drawn from its sequence, the INSERT of
the job row, its COMMIT) took six round trips. In a burst of presses every round trip is a
wait for a PostgreSQL server process that shares the CPU with the web processes, so each
is dear. Here the claim is one statement — the UPDATE in a WITH clause and the INSERT
taking its row from it, so no job row is written unless the process was claimed — sent
with `set_config` of `synchronous_commit` for that transaction only, on a connection
without psycopg2's BEGIN: PostgreSQL runs the statements of one query string as one
transaction.
"""

from __future__ import annotations

from typing import Any

from cams_module.lims.connections import autocommit, connection
from cams_module.lims.jam_compat import column_name, next_id_sql, value_literal


def claim_sql(update: tuple[str, list], updated_key: str, table: str, key: str,
              id_sql: str | None, link: str, columns: list[str], marks: list[str],
              values: list) -> tuple[str, list]:
    """The one statement that runs `update` (an UPDATE of one row, with its parameters;
    `updated_key`: that row's key column) and, only when it changed the row, inserts a
    row into `table` whose `link` column holds the updated row's key and whose `columns`
    hold `values` (placeholders `marks`; `id_sql`: what draws the new `key` from its
    sequence, None when the table assigns it); it answers the new row's `key`, or no
    row. Its commit does not wait for the disk (see `job_store.transaction`)."""
    sql, params = update
    names, exprs = [link, *columns], ["claimed.row_key", *marks]
    if id_sql:
        names.insert(0, key)
        exprs.insert(0, f"({id_sql})")
    statement = ("SELECT set_config('synchronous_commit', 'off', true); "
                 f"WITH claimed AS ({sql} RETURNING {updated_key} AS row_key) "
                 f'INSERT INTO "{table}" ({", ".join(names)}) '
                 f'SELECT {", ".join(exprs)} FROM claimed RETURNING {key}')
    return statement, [*params, *values]


def claim_with_row(task: Any, update: tuple[str, list], updated: Any, item: Any,
                   link: str, values: dict[str, Any]) -> int | None:
    """Run `update` (of one row of item `updated`) and, when it changed that row, insert
    the row of `item` whose field `link` holds that row's id and whose other fields hold
    `values` (field name -> value), in one round trip; the new row's id, or None."""
    first = len(update[1]) + 1
    marks = [value_literal(task, i) for i in range(first, first + len(values))]
    sql, params = claim_sql(update, column_name(updated, updated._primary_key), item.table_name,
                            column_name(item, item._primary_key), next_id_sql(task, item),
                            column_name(item, link), [column_name(item, n) for n in values], marks,
                            list(values.values()))
    with connection(task) as con, autocommit(task, con):
        cursor = con.cursor()
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return int(row[0]) if row else None
