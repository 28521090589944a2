"""The cooperative dashboard's own tables: what each signatory committed to, and every
idea forwarded to a signatory with where its answer stands."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.core import clock
from civic.core.i18n import _l
from civic.ideas.models import Forwarding, Idea
from civic.pilotage.indicators.common import _in
from civic.pilotage.scope import Scope
from civic.pilotage.tables import Column, Rows, indicator
from civic.territory.models import Commitment, Orientation, Quartier, Signatory


@indicator(
    "commitments", _l("Engagements des signataires"),
    _l("Ce à quoi chaque signataire s’est engagé, pour chaque orientation du contrat "
       "de ville."), (
        Column("signatory", _l("Signataire"), "text"),
        Column("orientation", _l("Orientation"), "text"),
        Column("commitment", _l("Engagement"), "text"),
    ), audience="cooperative")
def commitments(db: Session, scope: Scope) -> Rows:
    """What each signatory committed to, by orientation of the contract."""
    o = scope.orientation_id
    return [{"signatory": s, "orientation": name, "commitment": text}
            for s, name, text in db.execute(
                select(Signatory.name, Orientation.name, Commitment.text)
                .join(Signatory, Signatory.id == Commitment.signatory_id)
                .join(Orientation, Orientation.id == Commitment.orientation_id)
                .where(*([Commitment.orientation_id == o] if o else []))
                .order_by(Signatory.name, Orientation.position, Commitment.id))], None


@indicator(
    "measured_commitments", _l("Engagements mesurés"),
    _l("Les indicateurs des engagements des signataires : le point de départ, "
       "l’objectif, la dernière valeur saisie par le ou la référent·e du signataire et "
       "le chemin parcouru vers l’objectif (0 % au point de départ, 100 % à "
       "l’objectif). Une valeur manquante reste vide : elle ne compte pas pour zéro."), (
        Column("signatory", _l("Signataire"), "text"),
        Column("orientation", _l("Orientation"), "text"),
        Column("indicator", _l("Indicateur"), "text"),
        Column("unit", _l("Unité"), "text"),
        Column("baseline", _l("Point de départ"), "number"),
        Column("baseline_year", _l("Année du point de départ"), "text"),
        Column("target", _l("Objectif"), "number"),
        Column("target_year", _l("Année de l’objectif"), "text"),
        Column("latest_year", _l("Année de la dernière valeur"), "text",
               _l("Vide quand aucune valeur n’est saisie")),
        Column("latest", _l("Dernière valeur"), "number",
               _l("Vide quand aucune valeur n’est saisie")),
        Column("progress", _l("Chemin parcouru"), "percent",
               _l("Part du chemin entre le point de départ et l’objectif")),
    ), audience="cooperative")
def measured_commitments(db: Session, scope: Scope) -> Rows:
    """Every indicator of a commitment, by signatory and orientation: baseline, target,
    the latest value entered up to the period's last year, and the progress it makes."""
    from civic.evaluation import queries as evaluation_queries
    from civic.territory.queries import current_contract

    contract = current_contract(db)
    if contract is None:
        return [], None
    rows = []
    for entry in evaluation_queries.board(db, contract, orientation_id=scope.orientation_id):
        for item in entry.commitments:
            for measure in item.measures:
                i = measure.indicator
                upto = evaluation_queries.Measure(
                    i, {y: v for y, v in measure.values.items()
                        if y <= scope.last_day.year})
                last = upto.latest
                rows.append({
                    "signatory": entry.signatory.name,
                    "orientation": item.commitment.orientation.name,
                    "indicator": i.label, "unit": i.unit, "baseline": float(i.baseline),
                    "baseline_year": str(i.baseline_year), "target": float(i.target),
                    "target_year": str(i.target_year),
                    "latest_year": str(last[0]) if last else "",
                    "latest": float(last[1]) if last else None,
                    "progress": upto.progress})
    return rows, None


FORWARDING_STATES: dict[str, Any] = {
    "answered": _l("Répondue"), "answered_late": _l("Répondue en retard"),
    "waiting": _l("En attente"), "late": _l("En retard"),
}


@indicator(
    "forwardings", _l("Idées transmises et réponses"),
    _l("Chaque idée transmise à un signataire pendant la période (une idée, ou un "
       "point de la carte devenu une idée) : le quartier, la date d’envoi, la date de "
       "réponse demandée, la date et le délai de la réponse, et où elle en est "
       "(répondue, répondue en retard, en attente, en retard)."), (
        Column("signatory", _l("Signataire"), "text"),
        Column("idea", _l("Idée"), "text"),
        Column("quartier", _l("Quartier"), "text"),
        Column("forwarded_on", _l("Transmise le"), "date"),
        Column("due_on", _l("Réponse attendue le"), "date"),
        Column("answered_on", _l("Répondue le"), "date"),
        Column("delay_days", _l("Délai (jours)"), "days"),
        Column("state", _l("Où en est-on"), "text"),
    ), audience="cooperative")
def forwardings(db: Session, scope: Scope) -> Rows:
    """Every idea forwarded to a signatory in the period (an idea, or a map point turned
    into an idea): where, when, the date asked, the answer's date and delay, and where it
    stands (answered, answered late, waiting, late)."""
    q, o = scope.quartier_id, scope.orientation_id
    today = clock.local_day(clock.now(), scope.timezone)
    rows = []
    for name, title, quartier, forwarded, due, answered in db.execute(
            select(Signatory.name, Idea.title, Quartier.name, Forwarding.forwarded_at,
                   Forwarding.due_on, Forwarding.answered_at)
            .join(Idea, Idea.id == Forwarding.idea_id)
            .join(Signatory, Signatory.id == Forwarding.signatory_id)
            .join(Quartier, Quartier.id == Idea.quartier_id)
            .where(_in(Forwarding.forwarded_at, scope), *([Idea.quartier_id == q] if q else []),
                   *([Idea.orientation_id == o] if o else []))
            .order_by(Signatory.name, Forwarding.forwarded_at.desc()).limit(2000)):
        if answered is not None:
            state = "answered_late" if answered.date() > due else "answered"
        else:
            state = "late" if due < today else "waiting"
        rows.append({"signatory": name, "idea": title, "quartier": quartier,
                     "forwarded_on": clock.local_day(forwarded, scope.timezone).isoformat(),
                     "due_on": due.isoformat(),
                     "answered_on": answered.date().isoformat() if answered else "",
                     "delay_days": (answered - forwarded).days if answered else None,
                     "state": FORWARDING_STATES[state]})
    return rows, None
