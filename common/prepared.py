"""Reads compiled once per process: the few queries every signed-in request runs.

Here, building and compiling a queryset costs far more than PostgreSQL takes to answer it: the user with
their staff access, 2.1 ms of CPU through the ORM against 0.16 ms to send its SQL and read the row; the
order of a tracking poll, 3.5 ms (bench/kinds_profile.py, docs/architecture.md "Reads compiled once").
Django keeps no compiled query. A `Prepared` read builds its queryset once per process (and per database
and language: django-modeltranslation picks a language's columns), with a placeholder for each value that
changes, keeps the SQL, and then only sends it with the request's values:

    _ORDER = Prepared(lambda number: Order.objects.select_related("restaurant").filter(number=number))
    order = _ORDER.first(number="4F2-KQ9")

The queryset must hold every other value fixed: a `timezone.now()` or a setting read while building it would
be kept for the life of the process, so the current time is a placeholder too. Each placeholder must reach
the SQL as a parameter unchanged (an exact lookup, not `contains`): otherwise it is not found in the
compiled parameters and building fails at once, naming it. Model instances come back as the queryset's own
iteration builds them (`select_related`, `only`, annotations); `values_list()` reads come back as tuples.
Queries go through Django's cursor, so they are counted and logged as any other.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators
from django.db.models.sql.compiler import SQLCompiler
from django.utils.translation import get_language

# A placeholder for each kind of value, unlike any real one: it is found again among the compiled
# parameters by its type and value. The number is within an integer column's range (a lookup outside it
# compiles to nothing since Django 5.0) and positive (PositiveIntegerField).
_PLACEHOLDERS: dict[type, Callable[[int], Any]] = {
    str: lambda n: f"\x1fprepared-{n}\x1f",
    int: lambda n: 2_000_000_000 + n,
    datetime: lambda n: datetime(1, 1, 1, 0, 0, n, tzinfo=UTC),
    date: lambda n: date(1, 1, 1 + n),
}


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slots: tuple[str | None, ...]  # for each parameter, the placeholder it takes the value of (None: fixed)
    compiler: SQLCompiler
    model_rows: bool  # model instances (else the rows as tuples)

    def params_for(self, values: dict[str, Any]) -> tuple:
        return tuple(
            param if name is None else values[name]
            for param, name in zip(self.params, self.slots, strict=True)
        )


class Prepared:
    """A read whose queryset is built and compiled once per process, then run with other values.

    `build` takes the values by name (each annotated with its type: str, int, datetime or date) and returns
    the queryset; it is called once per database and language, with placeholders."""

    def __init__(self, build: Callable[..., QuerySet], **kinds: type) -> None:
        self._build = build
        self._kinds = kinds
        self._compiled: dict[tuple[str, str | None], _Compiled] = {}

    def compiled(self, using: str = DEFAULT_DB_ALIAS) -> _Compiled:
        key = (using, get_language())
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(using)
        return compiled

    def _compile(self, using: str) -> _Compiled:
        counter = itertools.count(1)
        placeholders = {name: _PLACEHOLDERS[kind](next(counter)) for name, kind in self._kinds.items()}
        queryset = self._build(**placeholders)
        if queryset._prefetch_related_lookups or queryset._known_related_objects:
            raise ValueError("A prepared read cannot prefetch: run the prefetch on its results.")
        if queryset._iterable_class not in (ModelIterable, ValuesListIterable):
            # django-modeltranslation's values_list() iterates its own way, its columns in another order than
            # asked: `.rewrite(False)` keeps Django's (and the untranslated column).
            raise ValueError(
                f"A prepared read gives instances or values_list() tuples, not {queryset._iterable_class}."
            )
        model_rows = queryset._iterable_class is ModelIterable
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()  # also fills compiler.select, klass_info, annotation_col_map
        by_value = {(type(value), value): name for name, value in placeholders.items()}
        slots = tuple(by_value.get((type(param), param)) for param in params)
        missing = set(placeholders) - set(slots)
        if missing:
            raise ValueError(f"Not passed to the SQL as parameters, unchanged: {', '.join(sorted(missing))}.")
        return _Compiled(sql, tuple(params), slots, compiler, model_rows)

    def _rows(self, using: str, values: dict[str, Any]) -> tuple[_Compiled, list]:
        if set(values) != set(self._kinds):
            raise TypeError(f"Expected the values {sorted(self._kinds)}, got {sorted(values)}.")
        compiled = self.compiled(using)
        with connections[using].cursor() as cursor:
            cursor.execute(compiled.sql, compiled.params_for(values))
            rows = cursor.fetchall()
        compiler = compiled.compiler
        if compiler.has_extra_select:
            rows = [row[: compiler.col_count] for row in rows]
        return compiled, list(compiler.results_iter([rows]))

    def all(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list:
        """Every row: model instances as the queryset would give them, or tuples for `values_list()`."""
        compiled, rows = self._rows(using, values)
        return _instances(compiled.compiler, rows, using) if compiled.model_rows else [tuple(r) for r in rows]

    def first(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> Any:
        """The first row, or None. (The queryset decides the order and may slice itself `[:1]`.)"""
        rows = self.all(using=using, **values)
        return rows[0] if rows else None


def _instances(compiler: SQLCompiler, rows: list, using: str) -> list:
    """Model instances from the rows, as django.db.models.query.ModelIterable builds them."""
    select, klass_info, annotation_col_map = compiler.select, compiler.klass_info, compiler.annotation_col_map
    model_cls = klass_info["model"]
    select_fields = klass_info["select_fields"]
    start, end = select_fields[0], select_fields[-1] + 1
    init_list = [column[0].target.attname for column in select[start:end]]
    related_populators = get_related_populators(klass_info, select, using)
    instances = []
    for row in rows:
        instance = model_cls.from_db(using, init_list, row[start:end])
        for populator in related_populators:
            populator.populate(row, instance)
        for name, position in (annotation_col_map or {}).items():
            setattr(instance, name, row[position])
        instances.append(instance)
    return instances
