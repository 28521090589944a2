"""What a part implements so that its posts go through the moderation queue.

A kind says how to list its pending posts in some quartiers, how to load one, and
how to describe it for the queue. Kinds whose model carries the ``Moderated``
columns get publish, reject, hide, restore and title edits from the generic
workflow in ``services``; a kind with its own decision page (the FPH committee's
review, with its eligibility checklist) names that page in ``decision_url`` and the
queue links there instead.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from civic.accounts.models import User

ACTIONS = ("publish", "reject", "hide", "restore")


@dataclass(frozen=True)
class Item:
    """A post as the queue shows it, whatever its kind."""

    kind: str
    id: int
    quartier_id: int
    title: str
    text: str
    author_id: int | None
    author_name: str
    created_at: datetime
    state: str
    photo: str | None = None
    original_title: str | None = None
    reason: str = ""


class Kind(ABC):
    """Base of every kind; parts subclass it and ``register`` one instance."""

    #: Short name used in URLs, reports and the audit log: idea, comment, project…
    name: str = ""
    #: Does the post have a title a moderator may reword?
    has_title: bool = True
    #: Are decisions taken on the part's own page (``decision_url``) rather than here?
    decided_elsewhere: bool = False

    @abstractmethod
    def label(self) -> str:
        ...

    @abstractmethod
    def pending(self, db: Session, quartier_ids: Collection[int], now: datetime) -> list[Any]:
        """Posts waiting for a decision in these quartiers, oldest first."""
        ...

    @abstractmethod
    def load(self, db: Session, ids: Iterable[int]) -> list[Any]:
        ...

    @abstractmethod
    def describe(self, obj: Any) -> Item:
        ...

    @abstractmethod
    def url(self, obj: Any) -> str:
        """The public page of the post (needs a request context)."""
        ...

    def author(self, obj: Any) -> Any:
        """The account to tell about a decision, if any."""
        return getattr(obj, "author", None)

    def decision_url(self, obj: Any) -> str | None:
        """A page of the part where the decision is taken instead of the queue's actions."""
        return None

    def changed(self, db: Session, obj: Any, action: str, *, actor: User | None,
                now: datetime) -> None:
        """Called after a decision, in the same transaction (counts, followers…); most
        kinds have nothing to do."""
        return None


_kinds: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    _kinds[kind.name] = kind
    return kind


def get(name: str) -> Kind | None:
    return _kinds.get(name)


def kinds() -> list[Kind]:
    return list(_kinds.values())
