"""Helpers for the few hand-written statements (set-based inserts, upserts, UPDATE … FROM)
and for long id lists.

Only names from model metadata are formatted into SQL here; values are always parameters.
"""

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.db.models import Lookup


def table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return connection.ops.quote_name(field.column)


def among(column_sql: str, ids: Sequence[int], *, vendor: str = "") -> tuple[str, list]:
    """``column_sql`` is one of ``ids``, passed as a single parameter.

    ``IN (%s, %s, …)`` with thousands of placeholders costs more to interpolate
    and parse than the rows it selects; an array (PostgreSQL) or a JSON list
    (SQLite) is one value, and PostgreSQL hashes it.
    """
    vendor = vendor or connection.vendor
    if vendor == "postgresql":
        return f"{column_sql} = ANY(%s::bigint[])", [list(ids)]
    if vendor == "sqlite":
        return f"{column_sql} IN (SELECT value FROM json_each(%s))", [json.dumps(list(ids))]  # noqa: S608
    return f"{column_sql} IN ({', '.join(['%s'] * len(ids))})", list(ids)


class Among(Lookup):
    """``Among(F("pk"), ids)`` in ``filter()``, ``When()``: the ORM's form of :func:`among`."""

    lookup_name = "among"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        sql, params = among(lhs, self.rhs, vendor=connection.vendor)
        return sql, [*lhs_params, *params]


def integer_rows(names: Sequence[str], rows: Sequence[Sequence[int]], *, vendor: str = "") -> tuple[str, list]:
    """A FROM source ``t(name, …)`` of integer rows, in one parameter per column (PostgreSQL's
    unnest of arrays) or one in all (SQLite's json_each): ten thousand rows, no placeholders."""
    vendor = vendor or connection.vendor
    if vendor == "postgresql":
        arrays = ", ".join(["%s::bigint[]"] * len(names))
        return f"unnest({arrays}) AS t({', '.join(names)})", [[row[i] for row in rows] for i in range(len(names))]
    if vendor == "sqlite":
        picks = ", ".join(f"json_extract(value, '$[{i}]') AS {name}" for i, name in enumerate(names))
        return f"(SELECT {picks} FROM json_each(%s)) AS t", [json.dumps([list(row) for row in rows])]  # noqa: S608
    raise NotImplementedError(f"integer_rows: no form for {vendor}")
