"""The participatory budget (FPH): the rounds' envelopes and votes, the follow-up of the
funded projects, and the short list of funded projects of the yearly report."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from civic.budget.models import Fund, Participation, Project, ProjectStatus, Round
from civic.core.i18n import _l
from civic.pilotage.indicators.common import VOTE_CHANNEL, _in
from civic.pilotage.scope import Scope
from civic.pilotage.tables import Column, Rows, indicator
from civic.territory.models import Quartier

_LIVE_PROJECT = ~Project.status.in_([ProjectStatus.WITHDRAWN.value, ProjectStatus.MERGED.value])


@indicator(
    "fph_rounds", _l("FPH : enveloppes et votes"),
    _l("Chaque appel à projets du FPH dont le vote s’est terminé pendant la période : "
       "l’enveloppe, le montant demandé par les projets (sauf ceux retirés ou "
       "fusionnés), le montant accordé et le montant dépensé pour les projets "
       "financés, combien ont été financés, et le nombre de votants en ligne, à une "
       "permanence et sur papier. Chaque votant est compté une seule fois, d’après la "
       "liste des votants."), (
        Column("quartier", _l("Quartier"), "text"),
        Column("round", _l("Appel à projets"), "text"),
        Column("envelope", _l("Enveloppe"), "money"),
        Column("requested", _l("Demandé"), "money", _l("Total des projets proposés")),
        Column("granted", _l("Accordé"), "money", _l("Total des projets financés")),
        Column("use", _l("Part de l’enveloppe"), "percent"),
        Column("funded", _l("Projets financés"), "int"),
        Column("spent", _l("Dépensé"), "money"),
        Column("voters_online", _l("Votants en ligne"), "people"),
        Column("voters_permanence", _l("Votants en permanence"), "people"),
        Column("voters_paper", _l("Votants sur papier"), "people"),
        Column("voters", _l("Votants"), "people"),
    ), audience="open")
def fph_rounds(db: Session, scope: Scope) -> Rows:
    """Each FPH round whose vote ended in the period: the envelope, what the projects
    asked (all but withdrawn and merged ones), what was granted and spent for the funded
    projects, how many were funded, and how many people voted by channel (the register's
    lines: one per voter). Each row keeps the round's id as ``_round`` (it names the row
    in the open-data release; exports leave it out)."""
    q, o = scope.quartier_id, scope.orientation_id
    rounds = db.execute(
        select(Round.id, Round.title, Quartier.name, Fund.envelope_cents)
        .join(Fund, Fund.id == Round.fund_id).join(Quartier, Quartier.id == Fund.quartier_id)
        .where(_in(Round.vote_ends_at, scope), *([Fund.quartier_id == q] if q else []))
        .order_by(Quartier.name, Round.vote_ends_at, Round.id)).all()
    ids = [r[0] for r in rounds]
    money = {r[0]: r[1:] for r in db.execute(
        select(Project.round_id,
               func.coalesce(func.sum(case((_LIVE_PROJECT, Project.amount_cents), else_=0)), 0),
               func.coalesce(func.sum(case((Project.follow_up.is_not(None),
                                            Project.amount_cents), else_=0)), 0),
               func.count(Project.follow_up),
               func.coalesce(func.sum(Project.spent_cents), 0))
        .where(Project.round_id.in_(ids), *([Project.orientation_id == o] if o else []))
        .group_by(Project.round_id))}
    votes = _voters(db, ids)
    rows: list[dict[str, Any]] = []
    for round_id, title, quartier, envelope in rounds:
        requested, granted, funded, spent = money.get(round_id, (0, 0, 0, 0))
        by = votes.get(round_id, {})
        rows.append({"_round": round_id, "quartier": quartier, "round": title,
                     "envelope": envelope,
                     "requested": int(requested), "granted": int(granted),
                     "funded": int(funded), "spent": int(spent),
                     "use": round(100 * granted / envelope, 1) if envelope else None,
                     "voters_online": by.get("online", 0),
                     "voters_permanence": by.get("permanence", 0),
                     "voters_paper": by.get("paper", 0), "voters": sum(by.values())})
    sums = ("envelope", "requested", "granted", "funded", "spent", "voters_online",
            "voters_permanence", "voters_paper", "voters")
    total: dict[str, Any] = {"quartier": _l("Total"), "round": ""}
    total.update({k: sum(r[k] for r in rows) for k in sums})
    total["use"] = (round(100 * total["granted"] / total["envelope"], 1)
                    if total["envelope"] else None)
    return rows, total if rows else None


def _voters(db: Session, round_ids: list[int]) -> dict[int, dict[str, int]]:
    """The register's lines of each round, by channel as the steering figures read it."""
    votes: dict[int, dict[str, int]] = {}
    for round_id, channel, count in db.execute(
            select(Participation.round_id, Participation.channel, func.count())
            .where(Participation.round_id.in_(round_ids))
            .group_by(Participation.round_id, Participation.channel)):
        by = votes.setdefault(round_id, {})
        name = VOTE_CHANNEL.get(channel, "online")
        by[name] = by.get(name, 0) + count
    return votes


FOLLOW_UP_LABELS: dict[str, Any] = {
    "to_start": _l("À démarrer"), "in_progress": _l("En cours"), "done": _l("Réalisé"),
    "abandoned": _l("Abandonné"),
}


@indicator(
    "fph_follow_up", _l("FPH : suivi des projets financés"),
    _l("Les projets financés des appels à projets du FPH dont le vote s’est terminé "
       "pendant la période, selon leur avancement : leur nombre, le montant accordé "
       "et le montant dépensé."), (
        Column("label", _l("Avancement"), "text"),
        Column("projects", _l("Projets"), "int"),
        Column("granted", _l("Accordé"), "money"),
        Column("spent", _l("Dépensé"), "money"),
    ), audience="dashboard")
def fph_follow_up(db: Session, scope: Scope) -> Rows:
    """Funded projects of the rounds whose vote ended in the period, by follow-up status:
    how many, the amount granted and the amount spent."""
    q, o = scope.quartier_id, scope.orientation_id
    found = {status: (count, granted, spent) for status, count, granted, spent in db.execute(
        select(Project.follow_up, func.count(), func.sum(Project.amount_cents),
               func.coalesce(func.sum(Project.spent_cents), 0))
        .join(Round, Round.id == Project.round_id).join(Fund, Fund.id == Round.fund_id)
        .where(Project.follow_up.is_not(None), _in(Round.vote_ends_at, scope),
               *([Fund.quartier_id == q] if q else []),
               *([Project.orientation_id == o] if o else []))
        .group_by(Project.follow_up))}
    rows = [{"status": s, "label": label, "projects": int(found.get(s, (0, 0, 0))[0]),
             "granted": int(found.get(s, (0, 0, 0))[1] or 0),
             "spent": int(found.get(s, (0, 0, 0))[2] or 0)}
            for s, label in FOLLOW_UP_LABELS.items()]
    total = {"status": "total", "label": _l("Total"),
             **{k: sum(r[k] for r in rows) for k in ("projects", "granted", "spent")}}
    return rows, total


def funded_projects(db: Session, scope: Scope, *, limit: int = 15) -> list[dict[str, Any]]:
    """The funded projects of the rounds whose vote ended in the period, largest first
    (for the yearly report's short list)."""
    q, o = scope.quartier_id, scope.orientation_id
    return [{"title": title, "quartier": quartier, "amount": amount, "follow_up": follow_up,
             "label": FOLLOW_UP_LABELS.get(follow_up or "", "")}
            for title, quartier, amount, follow_up in db.execute(
                select(Project.title, Quartier.name, Project.amount_cents, Project.follow_up)
                .join(Round, Round.id == Project.round_id).join(Fund, Fund.id == Round.fund_id)
                .join(Quartier, Quartier.id == Fund.quartier_id)
                .where(Project.follow_up.is_not(None), _in(Round.vote_ends_at, scope),
                       *([Fund.quartier_id == q] if q else []),
                       *([Project.orientation_id == o] if o else []))
                .order_by(Project.amount_cents.desc(), Project.id).limit(limit))]
