"""The small demo's idea box: ideas at every step of their life, so that each page has
something to show."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from civic.accounts.models import User
from civic.core.db import session as db
from civic.demo.small.people import ANIMATOR, MODERATOR, PILOT, RESIDENT, SIGNATORY
from civic.ideas import services as ideas
from civic.ideas.kinds import CommentKind, IdeaKind
from civic.ideas.models import Idea
from civic.moderation import services as moderation
from civic.territory.models import Quartier, Signatory

#: (title, text, place, orientation index, author key, status, forwarded to signatory index)
IDEAS = [
    ("Des bancs à l’ombre près de l’école",
     "Les parents attendent la sortie de l’école en plein soleil. Quelques bancs sous les "
     "arbres, ce serait bien pour les personnes âgées aussi.",
     "Devant l’école Didier-Daurat", 2, RESIDENT, "forwarded", 0),
    ("Réparer l’éclairage du passage sous la dalle",
     "Le soir, le passage est noir. Les femmes et les enfants font un grand détour.",
     "Passage sous la dalle, Reynerie", 5, "Fatou", "forwarded", 6),
    ("Un atelier vélo le samedi",
     "Beaucoup de jeunes ont des vélos cassés. Un atelier pour apprendre à les réparer.",
     "", 4, ANIMATOR, "fph", None),
    ("Un composteur collectif",
     "Pour réduire les poubelles et faire de la terre pour les jardins partagés.",
     "Square Abbal", 2, "Nadia", "under_study", None),
    ("Plus de poubelles sur la place",
     "Les poubelles débordent le samedi après le marché.", "Place Abbal", 2, "Moussa",
     "new", None),
]
#: The pilot's answer for each status.
ANSWERS = {
    "forwarded": "Transmise au service concerné, qui répondra ici.",
    "fph": "Une belle idée pour le FPH : proposez-la à la prochaine session.",
    "under_study": "",
}


def seed(mirail: Quartier, users: dict[str, User], signatories: Sequence[Signatory],
         now: datetime) -> None:
    """The five ideas above, published, supported and answered, and two more: one
    waiting for moderation, one refused."""
    orientations = mirail.contract.orientations
    moderator, animator, resident = users[MODERATOR], users[ANIMATOR], users[RESIDENT]
    start = now - timedelta(days=40)
    for n, (title, body, place, o_index, who, status, target) in enumerate(IDEAS):
        at = start + timedelta(days=4 * n)
        author = users.get(who)
        idea = ideas.post(db(), mirail, {
            "title": title, "body": body, "place": place,
            "orientation_id": orientations[o_index].id, "author_name": "" if author else who},
            author=author, entered_by=None if author else animator, now=at)
        moderation.decide(db(), IdeaKind(), idea, "publish", actor=moderator, now=at)
        _support(idea, n, users, at)
        if status != "new":
            _answer(idea, status, signatories[target] if target is not None else None,
                    users[PILOT], at + timedelta(days=3))
        if n == 1:
            forwarding = idea.forwardings[0]
            ideas.answer_forwarding(db(), forwarding,
                                    "Les lampes seront changées la semaine du 15. Nous "
                                    "ajoutons deux points lumineux.",
                                    actor=users[SIGNATORY],
                                    now=forwarding.forwarded_at + timedelta(days=12))
        if n == 0:
            _discuss(idea, animator, resident, moderator, at)
    ideas.post(db(), mirail, {
        "title": "Un terrain de basket pour les filles",
        "body": "Des créneaux réservés aux filles au city stade, le mercredi.",
        "orientation_id": orientations[4].id}, author=resident, now=now - timedelta(days=1))
    refused = ideas.post(db(), mirail, {
        "title": "Vends canapé très bon état", "body": "Appelez-moi, prix à débattre.",
        "orientation_id": None}, author=animator, now=now - timedelta(days=3))
    moderation.decide(db(), IdeaKind(), refused, "reject",
                      reason="Les publicités ne sont pas acceptées.", actor=moderator, now=now)


def _support(idea: Idea, n: int, users: dict[str, User], at: datetime) -> None:
    """Fewer supporters for each next idea; no one supports their own."""
    supporters = (users[RESIDENT], users[ANIMATOR], users[MODERATOR], users[PILOT])[
        : 4 - n % 3]
    for supporter in supporters:
        if supporter.id != idea.author_id:
            ideas.support(db(), idea, supporter, now=at)


def _answer(idea: Idea, status: str, signatory: Signatory | None, pilot: User,
            answered: datetime) -> None:
    ideas.answer(db(), idea, status, ANSWERS[status], actor=pilot, now=answered,
                 signatory=signatory,
                 due_on=(answered + timedelta(days=45)).date() if signatory else None)


def _discuss(idea: Idea, animator: User, resident: User, moderator: User,
             at: datetime) -> None:
    """A comment and a reply, both published."""
    first = ideas.comment(db(), idea, "Oui ! Et un point d’eau aussi.",
                          author=animator, now=at + timedelta(days=1))
    reply = ideas.comment(db(), idea, "Bonne idée, l’été il fait très chaud.",
                          author=resident, parent=first, now=at + timedelta(days=2))
    for comment in (first, reply):
        moderation.decide(db(), CommentKind(), comment, "publish", actor=moderator,
                          now=at + timedelta(days=2))
