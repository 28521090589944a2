"""The small demo's FPH: a vote open now in Grand Mirail, proposals open in Empalot, and
the real 2022 participatory budget of the district, imported and published."""

from __future__ import annotations

from datetime import datetime, timedelta

from civic.accounts.models import User
from civic.budget import imports, pabulib, trustees
from civic.budget import services as budget
from civic.budget.models import Project, ProjectStatus
from civic.core.db import session as db
from civic.demo.small.people import MODERATOR, PILOT, RESIDENT
from civic.demo.small.territory import DATA
from civic.territory.models import Quartier

#: The real 2022 participatory budget of Toulouse's district 17 (Mirail-Université,
#: Reynerie, Bellefontaine), from pabulib (pabulib.org), copied unchanged.
PB_FILE = DATA / "toulouse_2022_mirail.pb"

#: (title, summary, budget lines as (label, cents))
FPH_PROJECTS = [
    ("Repas partagé de la rentrée",
     "Un grand repas sur la place, où chaque famille apporte un plat de chez elle.",
     [("Location de tables et de chaises", 35_000), ("Boissons et pain", 30_000),
      ("Affiches et invitations en 4 langues", 25_000)]),
    ("Atelier vélo au pied des immeubles",
     "Apprendre à réparer son vélo, un samedi par mois, avec un mécanicien bénévole.",
     [("Outils et pompe", 60_000), ("Pièces de rechange", 50_000),
      ("Caisse de rangement", 30_000)]),
    ("Fresque du city stade avec les enfants",
     "Les enfants du quartier dessinent et peignent le mur du city stade avec une artiste.",
     [("Peinture et pinceaux", 45_000), ("Intervention de l’artiste", 75_000)]),
    ("Sortie à la mer pour les familles",
     "Une journée à la mer en car pour 50 habitants qui ne partent pas en vacances.",
     [("Location du car", 110_000), ("Goûter", 15_000), ("Assurance", 25_000)]),
    ("Bacs de jardinage sur la place",
     "Six bacs pour cultiver herbes et tomates, entretenus par les voisins.",
     [("Bacs en bois", 45_000), ("Terre et plants", 30_000)]),
]
RULES_TEXT = ("Le projet se passe dans le quartier, il est ouvert à tous et il ne rapporte "
              "d’argent à personne.")


def description(summary: str) -> str:
    """A project's description: its summary and who carries it out."""
    return summary + " Le collectif s’occupe de tout et rend compte au conseil citoyen."


def seed(mirail: Quartier, empalot: Quartier, users: dict[str, User],
         now: datetime) -> list[str]:
    """The funds, rounds and projects; returns the shares of the open vote's trustees
    (the pilot and the conseil citoyen member)."""
    day = timedelta(days=1)
    rules = {"min_project_cents": 20_000, "min_age": 16, "vote_method": "approval",
             "approval_min": 1, "approval_max": 3, "points_total": 0, "points_max": 0,
             "tally_rule": "greedy", "min_score": 1, "rules_text": RULES_TEXT}
    fund = budget.save_fund(db(), mirail, None, {
        "year": now.year, "envelope_cents": 500_000, "cap_cents": 150_000, **rules},
        actor=None, now=now)
    voting = budget.save_round(db(), fund, None, {
        "title": f"Appel à projets {now.year}", "submission_starts_at": now - 40 * day,
        "review_starts_at": now - 20 * day, "vote_starts_at": now - 2 * day,
        "vote_ends_at": now + 12 * day, "follow_up_starts_at": now + 60 * day},
        actor=None, now=now - 41 * day)
    for title, summary, lines in FPH_PROJECTS:
        amount = sum(cents for _, cents in lines)
        project = Project(
            round=voting, author_id=users[RESIDENT].id, title=title, summary=summary,
            description=description(summary), amount_cents=amount,
            budget_lines=[{"label": label, "amount_cents": cents} for label, cents in lines],
            carrier_kind="residents", carrier_name="Collectif des voisins", contact="—",
            place="Place Abbal", status=ProjectStatus.ADMITTED.value,
            checklist=dict.fromkeys(budget.CHECKLIST, True), created_at=now - 30 * day,
            updated_at=now - 10 * day)
        db.add(project)
    bureau = [users[PILOT], users[MODERATOR]]
    trustees.name(db(), voting, bureau, 2, actor=bureau[0], now=now - 3 * day)
    shares = [trustees.hand_share(db(), voting, person, now=now - 3 * day) for person in bureau]
    other = budget.save_fund(db(), empalot, None, {
        "year": now.year, "envelope_cents": 300_000, "cap_cents": 100_000, **rules},
        actor=None, now=now)
    budget.save_round(db(), other, None, {
        "title": f"Appel à projets {now.year}", "submission_starts_at": now - 5 * day,
        "review_starts_at": now + 25 * day, "vote_starts_at": now + 40 * day,
        "vote_ends_at": now + 55 * day, "follow_up_starts_at": now + 90 * day},
        actor=None, now=now - 6 * day)
    imports.import_instance(db(), mirail, pabulib.read(PB_FILE.read_text(encoding="utf-8")),
                            now=now, title="Budget participatif 2022 (Toulouse)")
    return shares
