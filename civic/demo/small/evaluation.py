"""The demo's mid-term evaluation: four questions, two of them proposed by residents
(published, supported, then kept by the committee with a reason); its measured
commitments (three commitments with an indicator each, their values entered year by
year, one year still missing, as happens); and a workshop held a week and a half ago on
one question, its conclusions and head count recorded by the animator. The demo stores
no photo, so the workshop has none."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from civic.accounts import services as accounts
from civic.accounts.models import User
from civic.core import clock
from civic.core.db import session as db
from civic.demo.small.people import ANIMATOR, MODERATOR, PILOT, RESIDENT, SIGNATORY
from civic.evaluation import proposals, services, workshops
from civic.evaluation.models import Evaluation, EvaluationQuestion
from civic.events import services as events
from civic.moderation import registry
from civic.moderation import services as moderation
from civic.moderation.models import State
from civic.territory.models import Quartier, Signatory

#: (signatory index, orientation index, label, unit, baseline, target, {year: value}, source)
INDICATORS = [
    (7, 0, "Personnes reçues à la permanence France Travail", "personnes", "120", "300",
     {2024: "150", 2025: "210"}, "Bilan annuel de l’agence France Travail du Mirail"),
    (0, 2, "Délai moyen de réparation de l’éclairage signalé", "jours", "45", "30",
     {2024: "41"}, "Tableau de bord des services techniques de la ville"),
    (6, 2, "Halls d’immeubles rénovés", "halls", "0", "40",
     {2024: "6", 2025: "14"}, "Rapport d’activité du bailleur, programme de rénovation"),
]


#: (question, orientation indexes, what a resident proposed or None) in the order the
#: evaluation asks them. A resident's proposal: (author key, show the name, text, why,
#: the committee's reason for keeping it).
QUESTIONS: list[tuple[str, tuple[int, ...], tuple[str, bool, str, str, str] | None]] = [
    ("Les jeunes du quartier trouvent-ils plus facilement un stage ou un emploi ?", (0,),
     None),
    ("Les rues et les halls d’immeubles sont-ils plus propres et mieux éclairés ?", (2,),
     None),
    ("Les familles connaissent-elles mieux leurs droits et les lieux où se faire aider ?",
     (3,), (RESIDENT, True,
            "Est-ce que les familles savent mieux où aller pour leurs papiers et leurs "
            "droits ?",
            "Au centre social on voit des familles qui ne savent pas qu’elles ont droit à "
            "des aides.",
            "Beaucoup de soutiens, et aucun signataire n’avait prévu de le mesurer.")),
    ("Se sent-on plus en sécurité le soir sur les places du quartier ?", (5, 2),
     ("Karim", False,
      "Le soir on a peur de traverser la place, est-ce que ça va mieux depuis les travaux ?",
      "Les travaux de la place étaient promis pour que ce soit plus sûr.",
      "La question touche deux engagements du contrat : la tranquillité et le cadre "
      "de vie.")),
]
#: Who supports the residents' proposals.
SUPPORTERS = (RESIDENT, MODERATOR, ANIMATOR, SIGNATORY, PILOT)
#: The demo's second resident, who proposes without showing the name.
KARIM = "habitant@example.org"

#: The workshop, held this many days ago, on the question of this index.
WORKSHOP_DAYS_AGO, WORKSHOP_QUESTION = 10, 0
WORKSHOP = {
    "kind": "workshop", "title": "Atelier de l’évaluation : trouver un stage",
    "description": "Deux heures pour dire ce qui a changé pour trouver un stage ou un "
                   "emploi depuis 2024, avec la Mission locale.",
    "place": "Centre social Bellefontaine", "address": "", "organiser": "Centre social",
    "signatory_id": None, "bring": "", "step_free": True, "childcare": True,
    "interpretation": "arabe", "capacity": 25, "latitude": None, "longitude": None}
CONCLUSIONS = (
    "Trouver un stage reste difficile sans réseau : les jeunes ne connaissent pas les "
    "entreprises du quartier, et les entreprises ne les connaissent pas.\n"
    "La permanence France Travail du mardi est connue et appréciée, mais ses horaires "
    "tombent pendant les cours.\n"
    "Propositions : un forum des stages au centre social au printemps ; une permanence "
    "le mercredi après-midi ; une liste des entreprises qui acceptent des stagiaires de "
    "troisième.")
WORKSHOP_PARTICIPANTS = 17


def seed(signatories: Sequence[Signatory], mirail: Quartier, users: dict[str, User],
         now: datetime) -> Evaluation:
    """The evaluation, opened three months ago and taking residents' questions for a few
    more weeks; its questions and the measured commitments."""
    contract = signatories[0].contract
    today = clock.local_day(now, "Europe/Paris")
    starts = today - timedelta(days=90)
    evaluation = services.open_evaluation(db(), contract, {
        "kind": "midterm", "title": "Évaluation à mi-parcours du contrat de ville",
        "purpose": "Savoir, avec les habitants, ce qui a changé depuis 2024 dans les "
                   "quartiers, et si les signataires tiennent leurs promesses.",
        "starts_on": starts, "ends_on": today + timedelta(days=200),
        "proposals_until": today + timedelta(days=20)},
        actor=None, now=_at(starts, 9))
    orientations = contract.orientations
    people = {**users, "Karim": _karim(mirail, now - timedelta(days=80))}
    for n, (text, indexes, proposed) in enumerate(QUESTIONS):
        ids = [orientations[i].id for i in indexes]
        at = now - timedelta(days=80 - 10 * n)
        if proposed is None:
            services.add_question(db(), evaluation, text, ids, actor=None, now=at)
        else:
            _proposed(evaluation, mirail, text, ids, proposed, people, at)
    _measure(signatories, now)
    return evaluation


def _at(day: date, hour: int) -> datetime:
    return clock.to_utc(datetime.combine(day, time(hour)), "Europe/Paris")


def _karim(quartier: Quartier, now: datetime) -> User:
    """A second resident of Grand Mirail, so that a question comes from someone who is
    no demo account."""
    user = accounts.sign_up(db(), email=KARIM, password=secrets.token_urlsafe(12),
                            display_name="Karim", language="fr",
                            quartier_id=quartier.id, now=now).user
    user.email_confirmed_at = now
    return user


def _proposed(evaluation: Evaluation, mirail: Quartier, text: str, orientation_ids: list[int],
              proposed: tuple[str, bool, str, str, str], people: dict[str, User],
              at: datetime) -> EvaluationQuestion:
    """A resident's question: proposed, published by the conseil citoyen, supported,
    then kept by the committee (a pilot) in its own words, with a reason."""
    who, show_name, words, why, reason = proposed
    author, moderator = people[who], people[MODERATOR]
    proposal = proposals.propose(db(), evaluation, {
        "text": words, "why": why, "quartier_id": mirail.id, "show_name": show_name},
        author=author, now=at, today=clock.local_day(at, "Europe/Paris"))
    if proposal.moderation != State.PUBLISHED:
        kind = registry.get(proposals.KIND)
        assert kind is not None
        moderation.decide(db(), kind, proposal, "publish", actor=moderator,
                          now=at + timedelta(hours=3))
    for k, key in enumerate(SUPPORTERS):
        supporter = people[key]
        if supporter.id != author.id:
            moment = at + timedelta(days=1, hours=k)
            proposals.support(db(), proposal, supporter, now=moment,
                              today=clock.local_day(moment, "Europe/Paris"))
    return proposals.keep(db(), proposal, text, orientation_ids, reason,
                          actor=people[PILOT], now=at + timedelta(days=6))


def _measure(signatories: Sequence[Signatory], now: datetime) -> None:
    for s_index, o_index, label, unit, baseline, target, values, source in INDICATORS:
        signatory = signatories[s_index]
        commitment = next(c for c in signatory.commitments
                          if c.orientation.position == o_index)
        indicator = services.add_indicator(db(), commitment, {
            "label": label, "unit": unit, "baseline": Decimal(baseline),
            "baseline_year": 2023, "target": Decimal(target), "target_year": 2030},
            actor=None, now=now)
        for year, value in values.items():
            services.record_value(db(), indicator, year, Decimal(value), source, actor=None,
                                  now=now)


def workshop(evaluation: Evaluation, mirail: Quartier, users: dict[str, User],
             now: datetime) -> None:
    """The workshop on the first question: announced three weeks before, held ten days
    ago, attached to its question by the committee, its conclusions recorded the next
    day by the animator."""
    animator, pilot = users[ANIMATOR], users[PILOT]
    day = clock.local_day(now, "Europe/Paris") - timedelta(days=WORKSHOP_DAYS_AGO)
    starts = _at(day, 17)
    event = events.create(db(), mirail, {
        **WORKSHOP, "starts_at": starts, "ends_at": starts + timedelta(hours=2)},
        author=animator, proposed=False, now=starts - timedelta(days=21))
    found = workshops.attach(db(), evaluation.questions[WORKSHOP_QUESTION], event,
                             actor=pilot, now=starts - timedelta(days=20))
    workshops.record(db(), found, CONCLUSIONS, WORKSHOP_PARTICIPANTS, actor=animator,
                     now=starts + timedelta(days=1))
