"""The shape every indicator has: a titled table of named, documented columns. The
dashboard shows it, exports write it as CSV and XLSX, the API serves it as JSON and
describes it in OpenAPI, and open data publishes it after small-cell suppression."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

#: Kinds of column: how a value is shown, exported and described.
KINDS = ("text", "int", "people", "money", "percent", "days", "date")


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    #: One of KINDS. "people" counts persons: small-cell suppression applies to it.
    kind: str
    #: Exactly what the column counts, for the documentation and the API.
    description: Any = ""


@dataclass(frozen=True)
class Table:
    key: str
    title: Any
    #: What the table counts, written for the Copil.
    description: Any
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)
    #: The row of totals, when the table has one (shown last, exported last).
    total: dict[str, Any] | None = None

    def people_columns(self) -> list[str]:
        return [c.key for c in self.columns if c.kind == "people"]

    def with_rows(self, rows: list[dict[str, Any]], total: dict[str, Any] | None = None
                  ) -> Table:
        return replace(self, rows=rows, total=total)

    def all_rows(self) -> list[dict[str, Any]]:
        return [*self.rows, *([self.total] if self.total is not None else [])]
