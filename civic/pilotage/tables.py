"""The shape every indicator has: a titled table of named, documented columns. The
dashboard shows it, exports write it as CSV and XLSX, the API serves it as JSON and
describes it in OpenAPI, and open data publishes it after small-cell suppression.

An indicator is declared once as a ``Spec``: its key, title, description and columns,
who may read it, and the function that counts its rows. The columns are known without
asking the database (``Spec.empty``), which the documentation pages rely on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from civic.pilotage.scope import Scope

#: Kinds of column: how a value is shown, exported and described.
KINDS = ("text", "int", "number", "people", "money", "percent", "days", "date")
#: Who a table is for: anyone, small cells hidden ("open"); signatories and pilots
#: ("cooperative"); pilots ("dashboard"). The rule "pilotage.read_table" reads it.
AUDIENCES = ("open", "cooperative", "dashboard")

#: What an indicator's count gives: its rows, and its row of totals or None.
Rows = tuple[list[dict[str, Any]], dict[str, Any] | None]
Compute = Callable[["Session", "Scope"], Rows]


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


@dataclass(frozen=True, eq=False)
class Spec:
    """An indicator: everything about its table but the figures, and ``compute``, which
    asks the database for them. Called with ``(db, scope)``, it gives the table.

    Specs compare and hash by identity: each is declared once, and comparing lazy titles
    would need a locale."""

    key: str
    title: Any
    #: What the table counts, written for the Copil (the function's docstring says it
    #: for developers).
    description: Any
    columns: tuple[Column, ...]
    compute: Compute
    #: One of AUDIENCES.
    audience: str

    def __post_init__(self) -> None:
        if self.audience not in AUDIENCES:
            raise ValueError(f"{self.key}: unknown audience {self.audience!r}")
        unknown = [c.key for c in self.columns if c.kind not in KINDS]
        if unknown:
            raise ValueError(f"{self.key}: columns of an unknown kind: {unknown}")

    def __call__(self, db: Session, scope: Scope) -> Table:
        """The table of ``scope``, counted now."""
        rows, total = self.compute(db, scope)
        return self.empty().with_rows(rows, total)

    def empty(self) -> Table:
        """The table with its columns and no rows, without asking the database: what the
        documentation (the columns page, the OpenAPI document) describes."""
        return Table(self.key, self.title, self.description, self.columns)


def indicator(key: str, title: Any, description: Any, columns: tuple[Column, ...], *,
              audience: str) -> Callable[[Compute], Spec]:
    """Declare the decorated counting function as the indicator ``key``: the name it is
    bound to is then the ``Spec``, and the function its ``compute``."""

    def declare(compute: Compute) -> Spec:
        return Spec(key, title, description, columns, compute, audience)

    return declare
