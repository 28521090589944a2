"""Reading and writing pabulib ``.pb`` files: pure, no Flask, no database.

A ``.pb`` file (pabulib.org) has three sections in this order, each a ``;``-separated table
whose first line is a header: ``META`` (``key;value``), ``PROJECTS`` (at least
``project_id`` and ``cost``) and ``VOTES`` (at least ``voter_id`` and ``vote``, plus
``points`` on cumulative and scoring ballots). Quoted fields may hold ``;`` and doubled
quotes; lines may end in CRLF, LF or a mix of both.

``read`` keeps every field as text, in the file's column order, so that
``read(write(x)) == x``; the typed helpers of ``Instance`` convert. A file that cannot be
counted raises ``PabulibError`` naming the line and the problem.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction

from civic.budget.tally import Amount, Election

SECTIONS = ("META", "PROJECTS", "VOTES")
VOTE_TYPES = ("approval", "choose-1", "cumulative", "scoring", "ordinal")
#: Vote types whose ballots carry a ``points`` column.
POINTS_TYPES = ("cumulative", "scoring")
#: META keys that, when present, must be numbers (ballot constraints and thresholds).
NUMERIC_META = ("budget", "num_projects", "num_votes", "min_length", "max_length",
                "min_sum_cost", "max_sum_cost", "min_points", "max_points", "min_sum_points",
                "max_sum_points", "min_project_score_threshold")

_AMOUNT = re.compile(r"^\s*\d+(?:[.,]\d+)?\s*$")
_INTEGER = re.compile(r"^\s*-?\d+\s*$")
_SPACE = re.compile(r"\s")


class PabulibError(ValueError):
    """The file is not a pabulib file that can be counted; the message names the line."""

    def __init__(self, line: int, problem: str):
        super().__init__(f"line {line}: {problem}")
        self.line = line
        self.problem = problem


def amount(text: str) -> Amount:
    """``"400000.0"`` → ``400000``; ``"12,5"`` → ``Fraction(25, 2)``. Exact, never a float."""
    if not _AMOUNT.match(text):
        raise ValueError(f"not an amount: {text!r}")
    value = Fraction(text.strip().replace(",", "."))
    return value.numerator if value.denominator == 1 else value


def _ids(vote: str) -> list[str]:
    """``"1, 2,3"`` → ``["1", "2", "3"]``; an empty vote lists nothing."""
    if _SPACE.search(vote):
        vote = vote.strip()
        return [p.strip() for p in vote.split(",")] if vote else []
    return vote.split(",") if vote else []


@dataclass
class Instance:
    """A pabulib election, every field as text, columns in the file's order."""

    #: META key → value.
    meta: dict[str, str]
    #: project id → the project's other columns (column → value).
    projects: dict[str, dict[str, str]]
    #: One row per voter (column → value, ``voter_id`` and ``vote`` included).
    votes: list[dict[str, str]] = field(default_factory=list)

    @property
    def budget(self) -> Amount:
        return amount(self.meta["budget"])

    @property
    def vote_type(self) -> str:
        return self.meta["vote_type"].strip()

    def number(self, key: str) -> Amount | None:
        """A numeric META value (``min_length``, ``max_sum_cost``…), ``None`` if absent."""
        value = self.meta.get(key, "").strip()
        return amount(value) if value else None

    def costs(self) -> dict[str, Amount]:
        return {p: amount(row["cost"]) for p, row in self.projects.items()}

    def approval_ballots(self) -> list[frozenset[str]]:
        """Each voter's supported projects: those listed, or given at least one point."""
        if self.vote_type in POINTS_TYPES:
            return [frozenset(p for p, n in ballot.items() if n > 0)
                    for ballot in self.cumulative_ballots()]
        return [frozenset(_ids(row["vote"])) for row in self.votes]

    def cumulative_ballots(self) -> list[dict[str, int]]:
        """Each voter's points per project (cumulative and scoring ballots)."""
        if self.vote_type not in POINTS_TYPES:
            raise ValueError(f"{self.vote_type} ballots have no points")
        return [dict(zip(_ids(row["vote"]), (int(n) for n in _ids(row["points"])),
                         strict=True)) for row in self.votes]

    def selected(self) -> list[str] | None:
        """Ids of the projects marked selected (non-zero ``selected``), in file order;
        ``None`` when the file has no ``selected`` column."""
        if not self.projects or "selected" not in next(iter(self.projects.values())):
            return None
        return [p for p, row in self.projects.items()
                if row["selected"].strip() not in ("", "0")]

    def election(self) -> Election:
        """What the tally rules read; ordinal ballots cannot be counted by them."""
        if self.vote_type == "ordinal":
            raise ValueError("ordinal ballots cannot be counted by greedy or equal shares")
        if self.vote_type in POINTS_TYPES:
            ballots: list[dict[str, int]] = self.cumulative_ballots()
        else:
            ballots = [dict.fromkeys(_ids(row["vote"]), 1) for row in self.votes]
        return Election(budget=self.budget, costs=self.costs(), ballots=ballots,
                        min_score=self.number("min_project_score_threshold"))


# --- Reading ------------------------------------------------------------------------


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of every non-blank line; the number is that of the line
    where the record starts (a quoted field may span lines)."""
    lines = io.StringIO(text.removeprefix("\ufeff"), newline="")
    reader = csv.reader(lines, delimiter=";")
    start = 1
    for row in reader:
        if len(row) > 1 or (row and row[0].strip()):
            yield start, row
        start = reader.line_num + 1


class _Reader:
    def __init__(self, text: str):
        self.rows = _rows(text)
        self.line = 0
        self.pending: tuple[int, list[str]] | None = None

    def next(self) -> tuple[int, list[str]] | None:
        if self.pending is not None:
            row, self.pending = self.pending, None
            return row
        found = next(self.rows, None)
        if found is not None:
            self.line = found[0]
        return found

    def section(self, name: str) -> tuple[int, list[str]]:
        """Read the section marker ``name`` and its header line."""
        found = self.next()
        if found is None:
            raise PabulibError(self.line + 1, f"missing section {name} (end of file)")
        line, row = found
        if len(row) != 1 or row[0].strip().upper() != name:
            raise PabulibError(line, f"expected section {name}, found {';'.join(row)!r}")
        header = self.next()
        if header is None or _marker(header[1]):
            raise PabulibError(line + 1, f"section {name} has no header line")
        names = [cell.strip() for cell in header[1]]
        duplicate = next((n for n in names if names.count(n) > 1), None)
        if duplicate is not None:
            raise PabulibError(header[0], f"column {duplicate!r} appears twice")
        return header[0], names

    def table(self, names: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
        """The rows of the current section, up to the next section marker."""
        while (found := self.next()) is not None:
            line, row = found
            if _marker(row):
                self.pending = found
                return
            if len(row) != len(names):
                counted = f"{len(row)} field" + ("s" if len(row) > 1 else "")
                raise PabulibError(line, f"{counted}, expected {len(names)} "
                                         f"({';'.join(names)})")
            yield line, dict(zip(names, row, strict=True))


def _marker(row: list[str]) -> bool:
    return len(row) == 1 and row[0].strip().upper() in SECTIONS


def _require(line: int, names: list[str], required: tuple[str, ...], section: str) -> None:
    for name in required:
        if name not in names:
            raise PabulibError(line, f"the {section} header has no {name!r} column")


def _read_meta(reader: _Reader) -> dict[str, str]:
    header_line, names = reader.section("META")
    if len(names) != 2:
        raise PabulibError(header_line, "the META header must have two columns (key;value)")
    meta: dict[str, str] = {}
    for line, row in reader.table(names):
        key, value = row[names[0]].strip(), row[names[1]]
        if key in meta:
            raise PabulibError(line, f"META key {key!r} appears twice")
        if key in NUMERIC_META and not _AMOUNT.match(value):
            raise PabulibError(line, f"{key} is not a number ≥ 0: {value!r}")
        if key == "vote_type" and value.strip() not in VOTE_TYPES:
            raise PabulibError(line, f"unknown vote_type {value!r} "
                                     f"(expected one of {', '.join(VOTE_TYPES)})")
        meta[key] = value
    for key in ("budget", "vote_type"):
        if key not in meta:
            raise PabulibError(header_line, f"META has no {key}")
    return meta


def _read_projects(reader: _Reader) -> dict[str, dict[str, str]]:
    header_line, names = reader.section("PROJECTS")
    _require(header_line, names, ("project_id", "cost"), "PROJECTS")
    projects: dict[str, dict[str, str]] = {}
    for line, row in reader.table(names):
        project = row["project_id"].strip()
        if not project:
            raise PabulibError(line, "empty project_id")
        if project in projects:
            raise PabulibError(line, f"project {project!r} appears twice")
        if not _AMOUNT.match(row["cost"]):
            raise PabulibError(line, f"cost of project {project!r} is not a number ≥ 0: "
                                     f"{row['cost']!r}")
        del row["project_id"]
        projects[project] = row
    return projects


def _check_vote(line: int, row: dict[str, str], known: set[str], points: bool) -> None:
    listed = _ids(row["vote"])
    if not known.issuperset(listed):
        unknown = next(p for p in listed if p not in known)
        raise PabulibError(line, f"vote for unknown project {unknown!r}")
    if len(set(listed)) != len(listed):
        twice = next(p for p in listed if listed.count(p) > 1)
        raise PabulibError(line, f"project {twice!r} appears twice in the vote")
    if not points:
        return
    given = _ids(row["points"])
    if len(given) != len(listed):
        raise PabulibError(line, f"{len(listed)} projects but {len(given)} points")
    for n in given:
        if not _INTEGER.match(n) or int(n) < 0:
            raise PabulibError(line, f"points must be whole numbers ≥ 0, found {n!r}")


def _read_votes(reader: _Reader, meta: dict[str, str],
                projects: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    header_line, names = reader.section("VOTES")
    points = meta["vote_type"].strip() in POINTS_TYPES
    _require(header_line, names, ("voter_id", "vote", "points") if points
             else ("voter_id", "vote"), "VOTES")
    votes: list[dict[str, str]] = []
    seen: set[str] = set()
    known = set(projects)
    for line, row in reader.table(names):
        voter = row["voter_id"].strip()
        if not voter:
            raise PabulibError(line, "empty voter_id")
        if voter in seen:
            raise PabulibError(line, f"voter {voter!r} appears twice")
        seen.add(voter)
        _check_vote(line, row, known, points)
        votes.append(row)
    return votes


def read(text: str) -> Instance:
    """Parse the text of a ``.pb`` file; ``PabulibError`` names the line of any problem."""
    reader = _Reader(text)
    meta = _read_meta(reader)
    projects = _read_projects(reader)
    votes = _read_votes(reader, meta, projects)
    extra = reader.next()
    if extra is not None:
        raise PabulibError(extra[0], f"unexpected line after the VOTES section: "
                                     f"{';'.join(extra[1])!r}")
    return Instance(meta, projects, votes)


# --- Writing ------------------------------------------------------------------------


def write(instance: Instance) -> str:
    """The ``.pb`` text of ``instance``: CRLF line ends (the csv module's, so that a field
    holding a line break, even a lone CR, is quoted), quotes only where needed."""
    out = io.StringIO()
    table = csv.writer(out, delimiter=";", lineterminator="\r\n")
    table.writerow(["META"])
    table.writerow(["key", "value"])
    table.writerows(instance.meta.items())
    columns = list(dict.fromkeys(k for row in instance.projects.values() for k in row
                                 if k != "project_id")) or ["cost"]
    table.writerow(["PROJECTS"])
    table.writerow(["project_id", *columns])
    table.writerows([project, *(row.get(k, "") for k in columns)]
                    for project, row in instance.projects.items())
    table.writerow(["VOTES"])
    points = instance.meta.get("vote_type") in POINTS_TYPES
    default = ["voter_id", "vote", "points"] if points else ["voter_id", "vote"]
    names = list(dict.fromkeys(k for row in instance.votes for k in row)) or default
    table.writerow(names)
    table.writerows([row.get(k, "") for k in names] for row in instance.votes)
    return out.getvalue()
