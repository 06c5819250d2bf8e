"""The plumbing of loading a year with PostgreSQL ``COPY``: text rows, timestamps, indexes.

* ``Clock`` writes whole seconds since the epoch as ``timestamptz`` text by table
  lookup (a date part per day, a time part per second of the day): formatting
  datetimes would cost more than everything else in the loop.
* ``LocalDay`` gives the local calendar day of such a moment in one time zone
  (daylight saving included), for the daily completion counts.
* ``unindexed`` takes a table's constraints and indexes off while it is loaded
  and puts back the very same definitions afterwards (``pg_get_constraintdef``,
  ``pg_get_indexdef``): building an index once from sorted data is several
  times cheaper than growing it row by row.
* ``Copy`` streams text rows to one ``COPY … FROM STDIN`` in blocks.
"""

import bisect
import contextlib
import datetime as dt
import zoneinfo
from collections.abc import Iterator

import psycopg

NULL = "\\N"
_FLUSH_BYTES = 1 << 20


class Clock:
    """Seconds since the epoch (from ``first_day`` on) as PostgreSQL ``timestamptz`` text."""

    def __init__(self, first_day: dt.date, days: int) -> None:
        self.base = int(dt.datetime.combine(first_day, dt.time.min, tzinfo=dt.UTC).timestamp())
        self.days = [(first_day + dt.timedelta(days=n)).isoformat() + " " for n in range(days)]
        self.times = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+00" for s in range(86400)]

    def __call__(self, moment: int | None) -> str:
        if moment is None:
            return NULL
        offset = moment - self.base
        return self.days[offset // 86400] + self.times[offset % 86400]


class LocalDay:
    """The local date of a moment in ``zone``, from the zone's offset changes in a range."""

    def __init__(self, zone: str, first_day: dt.date, days: int) -> None:
        tz = zoneinfo.ZoneInfo(zone)
        start = dt.datetime.combine(first_day, dt.time.min, tzinfo=dt.UTC)
        self.changes: list[int] = []
        self.offsets: list[int] = []
        for hour in range(days * 24 + 1):
            moment = start + dt.timedelta(hours=hour)
            offset = int(moment.astimezone(tz).utcoffset().total_seconds())  # type: ignore[union-attr]
            if not self.offsets or offset != self.offsets[-1]:
                self.changes.append(int(moment.timestamp()))
                self.offsets.append(offset)

    def __call__(self, moment: int) -> dt.date:
        offset = self.offsets[max(0, bisect.bisect_right(self.changes, moment) - 1)]
        return dt.date.fromordinal(719163 + (moment + offset) // 86400)  # 719163: 1970-01-01


def _definitions(connection: psycopg.Connection, table: str) -> tuple[list[str], list[str], list[str]]:
    """(foreign keys, other constraints, plain indexes) of ``table`` as ``ALTER``/``CREATE`` statements."""
    rows = connection.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f')",
        [table],
    ).fetchall()
    foreign = [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {ddl}' for name, kind, ddl in rows if kind == "f"]
    keys = [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {ddl}' for name, kind, ddl in rows if kind != "f"]
    constraint_names = [name for name, _, _ in rows]
    indexes = connection.execute(
        "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND NOT (indexname = ANY(%s))",
        [table, constraint_names],
    ).fetchall()
    return foreign, keys, [ddl for (ddl,) in indexes]


@contextlib.contextmanager
def unindexed(connection: psycopg.Connection, tables: list[str]) -> Iterator[None]:
    """Drop the tables' keys, unique constraints, foreign keys and indexes; restore them after."""
    saved = {table: _definitions(connection, table) for table in tables}
    for table in tables:
        for (name,) in connection.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f') "
            "ORDER BY contype = 'f' DESC",
            [table],
        ).fetchall():
            connection.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')  # type: ignore[arg-type]
        for (name,) in connection.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table]).fetchall():
            connection.execute(f'DROP INDEX "{name}"')  # type: ignore[arg-type]
    connection.commit()
    yield
    for table in tables:
        _, keys, indexes = saved[table]
        for statement in keys + indexes:
            connection.execute(statement)  # type: ignore[arg-type]
        connection.commit()
    for table in tables:
        for statement in saved[table][0]:
            connection.execute(statement)  # type: ignore[arg-type]
        connection.commit()


class Copy:
    """Rows of text into ``COPY table (columns) FROM STDIN``, flushed about every megabyte.

    ``freeze`` truncates the (empty) table in the same transaction and loads with
    ``COPY … FREEZE``: the rows arrive frozen and all-visible, so no later VACUUM
    has to rewrite every page of a 15-million-row table.
    """

    def __init__(self, connection: psycopg.Connection, table: str, columns: tuple[str, ...], *, freeze: bool = False):
        self.connection = connection
        self.table = table
        self.columns = columns
        self.freeze = freeze
        self.rows = 0
        self._parts: list[str] = []
        self._size = 0

    def __enter__(self) -> "Copy":
        if self.freeze:
            self.connection.execute(f"TRUNCATE {self.table}")  # type: ignore[arg-type]
        options = " WITH (FREEZE)" if self.freeze else ""
        statement = f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN{options}"
        self._cursor = self.connection.cursor()
        self._copy_context = self._cursor.copy(statement)  # type: ignore[arg-type]
        self._copy = self._copy_context.__enter__()
        return self

    def add(self, line: str) -> None:
        self._parts.append(line)
        self._size += len(line)
        self.rows += 1
        if self._size >= _FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        if self._parts:
            self._copy.write("\n".join(self._parts) + "\n")
            self._parts, self._size = [], 0

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.flush()
        self._copy_context.__exit__(*exc)  # type: ignore[arg-type]
        self._cursor.close()
        if exc[0] is None:
            self.connection.commit()


def copy_rows(connection: psycopg.Connection, table: str, columns: tuple[str, ...], lines: list[str]) -> int:
    with Copy(connection, table, columns) as copy:
        for line in lines:
            copy.add(line)
    return len(lines)


def text(value: object) -> str:
    """One COPY text field: None as NULL, booleans as t/f, tabs and newlines escaped."""
    if value is None:
        return NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
