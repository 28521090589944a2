"""The journal of actions in words: a short sentence for each action code, a name for
each kind of object and each field, and an entry put the way the journal page shows it.

An action, a kind of object or a field without words here shows its code: the page
still says what happened, only less nicely. The parts name their actions when they call
``audit.record`` (a part, a dot, a verb); every one of them has its sentence here.
The words of coded values (states, phases, roles) are the ones the parts show residents,
so that the journal and the rest of the site say the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from flask import url_for
from werkzeug.routing import BuildError

from civic.core.forms import is_db_int
from civic.core.i18n import _, _l, format_date, format_datetime, get_locale
from civic.core.money import format_cents

#: What was done, said after the name of who did it ("Paula a refusé une publication").
ACTIONS: dict[str, Any] = {
    # Accounts and roles
    "accounts.role_granted": _l("a donné un rôle"),
    "accounts.role_revoked": _l("a retiré un rôle"),
    "accounts.deleted": _l("a supprimé un compte, à la demande de la personne"),
    "accounts.second_factor_added": _l("a mis en place la connexion en deux étapes"),
    "accounts.second_factor_removed": _l("a retiré un moyen de connexion en deux étapes"),
    "accounts.second_factor_reset": _l("a réinitialisé la connexion en deux étapes d’un "
                                       "compte"),
    "accounts.recovery_codes_made": _l("a créé de nouveaux codes de secours"),
    "accounts.recovery_code_used": _l("a utilisé un code de secours pour se connecter"),
    # Participation fund (FPH)
    "budget.fund_created": _l("a créé un fonds de participation (FPH)"),
    "budget.fund_updated": _l("a changé un fonds de participation (FPH)"),
    "budget.round_created": _l("a créé une session du FPH"),
    "budget.round_updated": _l("a changé une session du FPH"),
    "budget.round_imported": _l("a importé une session du FPH déjà dépouillée"),
    "budget.phase_advanced": _l("a fait passer une session du FPH à l’étape suivante"),
    "budget.project_admit": _l("a retenu un projet pour le vote"),
    "budget.project_changes": _l("a demandé des modifications sur un projet"),
    "budget.project_reject": _l("a refusé un projet"),
    "budget.project_merge": _l("a fusionné un projet avec un autre"),
    "budget.follow_up": _l("a mis à jour l’avancement d’un projet"),
    "budget.trustees_named": _l("a désigné les garants de l’urne"),
    "budget.share_received": _l("a reçu sa part de la clé de l’urne"),
    "budget.box_sealed": _l("a scellé l’urne"),
    "budget.paper_voter_added": _l("a inscrit un votant sur papier"),
    "budget.paper_void_asked": _l("a demandé de retirer un bulletin papier de l’urne"),
    "budget.paper_void_confirmed": _l("a retiré un bulletin papier de l’urne"),
    "budget.paper_void_withdrawn": _l("a annulé une demande de retrait de bulletin papier"),
    "budget.seal_broken": _l("a trouvé l’urne modifiée : le dépouillement est arrêté"),
    "budget.counted": _l("a dépouillé le vote"),
    "budget.results_published": _l("a publié les résultats du vote"),
    "budget.secret_destroyed": _l("a effacé le secret du vote, comme prévu"),
    # Events
    "events.create": _l("a créé un événement"),
    "events.propose": _l("a proposé un événement"),
    "events.edit": _l("a modifié un événement"),
    "events.cancel": _l("a annulé un événement"),
    "events.attendance": _l("a noté le nombre de présents à un événement"),
    "events.message": _l("a écrit aux inscrits d’un événement"),
    "events.purge": _l("a effacé les inscriptions des événements passés"),
    # Idea box
    "ideas.entered_for": _l("a saisi une idée pour quelqu’un"),
    "ideas.answer": _l("a répondu à une idée"),
    "ideas.forwarding_answered": _l("a noté la réponse d’un signataire à une idée"),
    # Mail
    "mail.retried": _l("a relancé des courriels en échec"),
    # Quartier map
    "map.walk_created": _l("a créé une marche exploratoire"),
    "map.walk_updated": _l("a modifié une marche exploratoire"),
    "map.walk_point": _l("a ajouté un point pendant une marche exploratoire"),
    "map.to_idea": _l("a fait d’un point de la carte une idée"),
    "map.landmark_added": _l("a ajouté un repère sur la carte"),
    "map.landmark_removed": _l("a retiré un repère de la carte"),
    # Moderation
    "moderation.publish": _l("a accepté une publication"),
    "moderation.reject": _l("a refusé une publication"),
    "moderation.hide": _l("a masqué une publication"),
    "moderation.restore": _l("a remis en ligne une publication"),
    "moderation.edit_title": _l("a reformulé un titre"),
    "moderation.mode": _l("a changé le réglage de la modération d’un quartier"),
    # Permanences
    "permanence.opened": _l("a ouvert une permanence"),
    "permanence.slot_added": _l("a ajouté un horaire de permanence"),
    "permanence.slot_removed": _l("a retiré un horaire de permanence"),
    "permanence.closure_added": _l("a ajouté une fermeture de la permanence"),
    "permanence.closure_removed": _l("a retiré une fermeture de la permanence"),
    "permanence.codes_generated": _l("a imprimé des codes de vote"),
    "permanence.codes_voided": _l("a annulé des codes de vote"),
    # Steering data
    "pilotage.token_created": _l("a créé un jeton d’accès aux données"),
    "pilotage.token_revoked": _l("a révoqué un jeton d’accès aux données"),
    "pilotage.export": _l("a téléchargé un tableau de chiffres"),
    # Contract and quartiers
    "territory.contract_created": _l("a décrit le contrat de ville"),
    "territory.contract_updated": _l("a modifié le contrat de ville"),
    "territory.quartier_created": _l("a ajouté un quartier"),
    "territory.quartier_updated": _l("a modifié un quartier"),
    "territory.qpv_imported": _l("a importé des quartiers du fichier national"),
    "territory.orientation_created": _l("a ajouté une orientation du contrat"),
    "territory.orientation_updated": _l("a modifié une orientation du contrat"),
    "territory.signatory_created": _l("a ajouté un signataire"),
    "territory.signatory_updated": _l("a modifié un signataire"),
    "territory.commitments_updated": _l("a modifié les engagements d’un signataire"),
    # Evaluation
    "evaluation.opened": _l("a ouvert une évaluation du contrat"),
    "evaluation.changed": _l("a modifié une évaluation du contrat"),
    "evaluation.question_added": _l("a ajouté une question à une évaluation"),
    "evaluation.question_changed": _l("a modifié une question d’une évaluation"),
    "evaluation.question_removed": _l("a supprimé une question d’une évaluation"),
    # Measured commitments
    "evaluation.indicator_added": _l("a ajouté un indicateur à un engagement"),
    "evaluation.indicator_changed": _l("a modifié l’indicateur d’un engagement"),
    "evaluation.indicator_removed": _l("a supprimé l’indicateur d’un engagement"),
    "evaluation.value_entered": _l("a saisi la valeur d’une année"),
    "evaluation.value_corrected": _l("a corrigé la valeur d’une année"),
    # Questions proposed by residents
    "evaluation.proposal_made": _l("a proposé une question pour l’évaluation"),
    "evaluation.proposal_kept": _l("a gardé une question proposée comme question de "
                                   "l’évaluation"),
    "evaluation.proposal_merged": _l("a rapproché une question proposée d’une question de "
                                     "l’évaluation"),
    "evaluation.proposal_set_aside": _l("a mis de côté une question proposée pour "
                                        "l’évaluation"),
    # Workshops of the evaluation
    "evaluation.workshop_attached": _l("a attaché un atelier à une question de l’évaluation"),
    "evaluation.workshop_detached": _l("a détaché un atelier de sa question"),
    "evaluation.workshop_recorded": _l("a noté les conclusions d’un atelier"),
    "evaluation.workshop_corrected": _l("a corrigé les conclusions d’un atelier"),
    "evaluation.workshop_photo_added": _l("a ajouté une photo à un atelier"),
    "evaluation.workshop_photo_removed": _l("a retiré une photo d’un atelier"),
    "evaluation.results_published": _l("a publié les résultats d’une enquête de "
                                       "l’évaluation"),
    # Surveys of the evaluation
    "evaluation.survey_created": _l("a créé une enquête de l’évaluation"),
    "evaluation.survey_changed": _l("a modifié une enquête de l’évaluation"),
    "evaluation.survey_item_added": _l("a ajouté une question à une enquête"),
    "evaluation.survey_item_changed": _l("a modifié une question d’une enquête"),
    "evaluation.survey_item_removed": _l("a retiré une question d’une enquête"),
    "evaluation.survey_item_moved": _l("a changé l’ordre des questions d’une enquête"),
    "evaluation.survey_codes_printed": _l("a imprimé des codes pour une enquête"),
    "evaluation.survey_codes_voided": _l("a annulé un lot de codes d’une enquête"),
    "evaluation.paper_batch_opened": _l("a ouvert une pile de questionnaires papier"),
    "evaluation.paper_batch_recounted": _l("a recompté une pile de questionnaires papier"),
    "evaluation.paper_batch_closed": _l("a fermé une pile de questionnaires papier, "
                                        "tous saisis"),
    # The quartiers' letters
    "outreach.letter_exported": _l("a téléchargé les adresses de la lettre d’un quartier"),
}

#: The parts of the site, by the first word of their action codes: the journal's filter.
KINDS: dict[str, Any] = {
    "moderation": _l("Modération"),
    "ideas": _l("Boîte à idées"),
    "map": _l("Carte du quartier"),
    "events": _l("Événements"),
    "budget": _l("Fonds de participation (FPH)"),
    "permanence": _l("Permanences"),
    "territory": _l("Contrat et quartiers"),
    "accounts": _l("Comptes et rôles"),
    "mail": _l("Courriels"),
    "pilotage": _l("Données de pilotage"),
    "evaluation": _l("Évaluation et engagements mesurés"),
    "outreach": _l("Affiches, lettres et courriels choisis"),
}

#: What an action was done on, by ``target_type``.
TARGETS: dict[str, Any] = {
    "idea": _l("Idée"),
    "comment": _l("Commentaire"),
    "point": _l("Point de la carte"),
    "walk": _l("Marche exploratoire"),
    "landmark": _l("Repère de la carte"),
    "event": _l("Événement"),
    "fund": _l("Fonds de participation"),
    "round": _l("Session du FPH"),
    "project": _l("Projet FPH"),
    "permanence": _l("Permanence"),
    "contract": _l("Contrat de ville"),
    "quartier": _l("Quartier"),
    "orientation": _l("Orientation"),
    "signatory": _l("Signataire"),
    "user": _l("Compte"),
    "role": _l("Rôle"),
    "mail": _l("Courriel"),
    "table": _l("Tableau"),
    "api_token": _l("Jeton d’accès aux données"),
    "commitment_indicator": _l("Indicateur d’un engagement"),
    "evaluation": _l("Évaluation du contrat"),
    "eval_proposal": _l("Question proposée pour l’évaluation"),
    "workshop": _l("Atelier de l’évaluation"),
    "survey": _l("Enquête de l’évaluation"),
    "survey_text": _l("Réponse libre à une enquête"),
}

#: Field names, in what changed (``changed``) and in the other details of an entry.
FIELDS: dict[str, Any] = {
    # Measured commitments
    "label": _l("Ce qu’on mesure"),
    "unit": _l("Unité"),
    "baseline": _l("Point de départ"),
    "baseline_year": _l("Année du point de départ"),
    "target": _l("Objectif"),
    "target_year": _l("Année de l’objectif"),
    "value": _l("Valeur"),
    "source": _l("D’où vient ce chiffre ?"),
    "values": _l("Valeurs saisies"),
    "purpose": _l("À quoi elle sert"),
    "starts_on": _l("Début"),
    "ends_on": _l("Fin"),
    "text": _l("Texte"),
    "orientations": _l("Orientations"),
    "proposals_until": _l("Dernier jour pour proposer des questions"),
    "evaluation_id": _l("Évaluation"),
    "decision": _l("Décision du comité d’évaluation"),
    "decision_reason": _l("Raison du comité d’évaluation"),
    # Common
    "title": _l("Intitulé"),
    "name": _l("Nom"),
    "description": _l("Description"),
    "kind": _l("Catégorie"),
    "status": _l("Statut"),
    "moderation": _l("État de la publication"),
    "moderation_mode": _l("Réglage de la modération"),
    "idea_status": _l("Réponse à l’idée"),
    "reason": _l("Motif"),
    "message": _l("Message envoyé"),
    "count": _l("Nombre"),
    "changes": _l("Ce qui a changé"),
    "position": _l("Rang"),
    # Contract, quartiers, signatories
    "start_year": _l("Première année"),
    "end_year": _l("Dernière année"),
    "code": _l("Code"),
    "commune": _l("Commune"),
    "population": _l("Population"),
    "perimeter": _l("Périmètre"),
    "referent_name": _l("Référent·e"),
    "referent_email": _l("E-mail du ou de la référent·e"),
    "commitment": _l("Engagements"),
    "created": _l("Ajoutés"),
    "updated": _l("Mis à jour"),
    "skipped": _l("Laissés de côté"),
    # FPH
    "year": _l("Année"),
    "envelope_cents": _l("Enveloppe"),
    "cap_cents": _l("Plafond par projet"),
    "min_project_cents": _l("Montant minimum d’un projet"),
    "min_age": _l("Âge minimum pour voter"),
    "rules_text": _l("Règlement"),
    "vote_method": _l("Façon de voter"),
    "approval_min": _l("Projets à cocher, au moins"),
    "approval_max": _l("Projets à cocher, au plus"),
    "points_total": _l("Points à répartir"),
    "points_max": _l("Points par projet, au plus"),
    "tally_rule": _l("Règle de décompte"),
    "min_score": _l("Score minimum"),
    "submission_starts_at": _l("Ouverture des propositions"),
    "review_starts_at": _l("Début de l’examen"),
    "vote_starts_at": _l("Ouverture du vote"),
    "vote_ends_at": _l("Clôture du vote"),
    "follow_up_starts_at": _l("Début du suivi"),
    "phase": _l("Étape"),
    "follow_up": _l("Avancement"),
    "spent_cents": _l("Dépensé"),
    "merged_into": _l("Fusionné avec le projet"),
    "seal": _l("Sceau de l’urne"),
    "ballots": _l("Bulletins"),
    "receipt": _l("Reçu du bulletin"),
    "asked_by": _l("Demandé par le compte"),
    "trustees": _l("Garants"),
    "needed": _l("Garants nécessaires"),
    "selected": _l("Projets retenus"),
    "results_hash": _l("Empreinte des résultats"),
    "batch": _l("Série de codes"),
    # Permanences
    "permanence": _l("Permanence"),
    "place": _l("Lieu"),
    "slot": _l("Horaire"),
    "closure": _l("Fermeture"),
    # Events
    "address": _l("Adresse"),
    "latitude": _l("Latitude"),
    "longitude": _l("Longitude"),
    "starts_at": _l("Début"),
    "ends_at": _l("Fin"),
    "organiser": _l("Organisé par"),
    "bring": _l("À apporter"),
    "step_free": _l("Accessible en fauteuil"),
    "childcare": _l("Garde d’enfants"),
    "interpretation": _l("Interprétariat"),
    "capacity": _l("Places"),
    "attendance": _l("Présents"),
    "sent": _l("Courriels envoyés"),
    "events": _l("Événements"),
    # Ideas and map
    "idea": _l("Idée"),
    "walk": _l("Marche exploratoire"),
    "author_name": _l("Au nom de"),
    "signatory": _l("Signataire"),
    "signatory_id": _l("Signataire"),
    "due_on": _l("Réponse attendue le"),
    "delay_days": _l("Délai de réponse (jours)"),
    "meeting_point": _l("Lieu de rendez-vous"),
    "route": _l("Parcours"),
    "participants": _l("Participants"),
    "conclusions": _l("Conclusions"),
    "caption": _l("Ce que montre la photo"),
    "question_id": _l("Question de l’évaluation"),
    "opens_at": _l("Ouverture"),
    "closes_at": _l("Clôture"),
    "once": _l("Une réponse par compte ou par code imprimé"),
    "ask_profile": _l("Questions facultatives sur la personne"),
    "texts": _l("Textes dans les trois langues"),
    "item": _l("Question de l’enquête"),
    "quartier": _l("Quartier"),
    "counted": _l("Questionnaires papier comptés"),
    "pile": _l("Pile de questionnaires papier"),
    "pile_label": _l("Nom de la pile"),
    # Accounts, mail, steering data
    "role": _l("Rôle"),
    "quartier_id": _l("Quartier"),
    "how": _l("Moyen"),
    "left": _l("Codes restants"),
    "mails": _l("Courriels"),
    "format": _l("Format du fichier"),
}

#: Fields holding the id of something: shown as « n° 12 ».
NUMBERED = frozenset({"slot", "closure", "permanence", "batch", "pile", "walk", "idea", "signatory",
                      "signatory_id", "merged_into", "asked_by", "quartier_id", "selected",
                      "question_id", "evaluation_id", "item"})

#: The words of coded values, by field (the same words the parts show elsewhere).
VALUES: dict[str, dict[str, Any]] = {
    "moderation": {"pending": _l("En attente de relecture"), "published": _l("Publié"),
                   "rejected": _l("Refusé"), "hidden": _l("Masqué")},
    "moderation_mode": {"pre": _l("Après relecture par le conseil citoyen"),
                        "post": _l("Tout de suite ; le conseil citoyen relit ensuite")},
    "idea_status": {"new": _l("En attente d’une réponse"), "under_study": _l("À l’étude"),
                    "fph": _l("À proposer au FPH"),
                    "forwarded": _l("Transmise à un signataire"),
                    "planned": _l("Déjà prévue"), "not_feasible": _l("Pas réalisable"),
                    "done": _l("Réalisée")},
    "phase": {"upcoming": _l("Bientôt"), "submission": _l("Propositions ouvertes"),
              "review": _l("Examen des projets"), "vote": _l("Vote ouvert"),
              "counting": _l("Vote clos, dépouillement en cours"),
              "results": _l("Résultats"), "follow_up": _l("Suivi des projets")},
    "follow_up": {"to_start": _l("Pas encore commencé"), "in_progress": _l("En cours"),
                  "done": _l("Terminé"), "abandoned": _l("Abandonné")},
    "role": {"moderator": _l("Membre du conseil citoyen (modération)"),
             "animator": _l("Animateur ou animatrice"),
             "signatory": _l("Référent·e d’un signataire"),
             "evaluator": _l("Membre du comité d’évaluation"),
             "pilot": _l("Pilote du contrat")},
    "decision": {"pending": _l("En attente de la décision du comité"),
                 "kept": _l("Gardée par le comité"),
                 "merged": _l("Rapprochée d’une question de l’évaluation"),
                 "set_aside": _l("Mise de côté par le comité")},
    "how": {"app": _l("Application de codes"), "key": _l("Clé de sécurité")},
}

#: What ``before`` and ``after`` of an entry are about, by action, then by part.
BEFORE_AFTER: dict[str, str] = {
    "moderation.edit_title": "title",
    "moderation.mode": "moderation_mode",
    "moderation": "moderation",
    "ideas.answer": "idea_status",
}

#: The page of an object, when it has an obvious one: endpoint and its argument.
LINKS: dict[str, tuple[str, str]] = {
    "idea": ("ideas.idea", "idea_id"),
    "point": ("map.point", "point_id"),
    "event": ("events.event", "event_id"),
    "round": ("budget.round_page", "round_id"),
    "project": ("budget.project_page", "project_id"),
    "evaluation": ("evaluation.evaluation", "evaluation_id"),
    "eval_proposal": ("evaluation.proposal", "proposal_id"),
    "workshop": ("evaluation.workshop", "event_id"),
    "survey": ("evaluation.survey_results", "survey_id"),
}

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
#: A string this long without a space (a seal, a receipt) may break anywhere.
_TOKEN_LENGTH = 24


def action_label(code: str) -> str:
    """The sentence of an action code; the code itself when it has none."""
    return str(ACTIONS[code]) if code in ACTIONS else code


def kind_label(kind: str) -> str:
    return str(KINDS[kind]) if kind in KINDS else kind


def target_label(target_type: str) -> str:
    return str(TARGETS[target_type]) if target_type in TARGETS else target_type


def field_label(name: str) -> str:
    """The name of a field; its code when it has none."""
    return str(FIELDS[name]) if name in FIELDS else name


@dataclass(frozen=True)
class Shown:
    """A value as plain text."""

    text: str
    #: A long string without spaces (a seal, a receipt): the page lets it wrap anywhere.
    token: bool = False


@dataclass(frozen=True)
class Change:
    """One field that changed: its name, its value before and after."""

    field: str
    before: Shown
    after: Shown


@dataclass(frozen=True)
class Fact:
    """Another detail of an entry: « label : value »."""

    label: str
    value: Shown


@dataclass(frozen=True)
class Line:
    """An entry of the journal as the page shows it."""

    id: int
    at: datetime
    #: Who acted: a display name, « système » or « compte supprimé ».
    actor: str
    #: Whether ``actor`` is a person's name (written as such, isolated from the sentence).
    named: bool
    sentence: str
    code: str
    target: str
    target_url: str | None
    changes: list[Change] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)


def _moment(text: str) -> datetime | date | None:
    """A date or a date and time written by the code (ISO), else None."""
    try:
        if _DATE.fullmatch(text):
            return date.fromisoformat(text)
        if _DATETIME.fullmatch(text):
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    except ValueError:
        return None
    return None


def _number(value: Any) -> str | None:
    """The digits of an id, whether the log kept it as a number or as text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and is_db_int(value):
        return value
    return None


def _text(value: str, name: str) -> Shown:
    if value == "None":  # some parts write their values with str(): None became "None"
        return Shown("—")
    words = VALUES.get(name, {})
    if value in words:
        return Shown(str(words[value]))
    moment = _moment(value)
    if isinstance(moment, datetime):
        return Shown(format_datetime(moment, "short"))
    if isinstance(moment, date):
        return Shown(format_date(moment, "medium"))
    if name.endswith("_cents") and value.lstrip("-").isdigit():
        return Shown(format_cents(int(value), str(get_locale())))
    return Shown(value, token=len(value) >= _TOKEN_LENGTH and not any(
        c.isspace() for c in value))


def shown(value: Any, name: str = "") -> Shown:
    """A value of the log as plain text: a date as a date, an amount in euros, a coded
    value in words, an id as « n° 12 », nothing as « — »; never JSON."""
    if value is None:
        return Shown("—")
    if isinstance(value, bool):
        return Shown(_("oui") if value else _("non"))
    if name in NUMBERED and not isinstance(value, list | tuple | dict):
        number = _number(value)
        if number is not None:
            return Shown(_("n° %(number)s", number=number))
    if isinstance(value, int | float):
        if name.endswith("_cents") and isinstance(value, int):
            return Shown(format_cents(value, str(get_locale())))
        return Shown(str(value))
    if isinstance(value, str):
        return _text(value, name)
    if isinstance(value, list | tuple):
        return Shown(", ".join(shown(item, name).text for item in value) or "—")
    if isinstance(value, dict):
        return Shown("; ".join(f"{field_label(str(k))} : {shown(v, str(k)).text}"
                               for k, v in value.items()) or "—")
    return Shown(str(value))


def _actor(entry: Any) -> tuple[str, bool]:
    actor = entry.actor
    if actor is None:
        return _("système"), False
    if actor.deleted_at is not None or not actor.display_name:
        return _("compte supprimé"), False
    return str(actor.display_name), True


def _target(entry: Any) -> tuple[str, str | None]:
    """« Session du FPH n° 12 » and the object's page, if it has an obvious one."""
    label = target_label(entry.target_type)
    target_id = entry.target_id
    if target_id is None:
        return label, None
    if not is_db_int(target_id):
        return _("%(kind)s nommé « %(name)s »", kind=label, name=target_id), None
    text = _("%(kind)s n° %(number)s", kind=label, number=target_id)
    link = LINKS.get(entry.target_type)
    if link is None:
        return text, None
    endpoint, argument = link
    values: dict[str, Any] = {argument: int(target_id)}
    try:
        return text, url_for(endpoint, **values)
    except BuildError:  # that part is not installed on this site
        return text, None


def _field_name(entry: Any, name: str) -> str:
    if entry.action == "territory.commitments_updated" and is_db_int(name):
        return str(_("Orientation n° %(number)s", number=name))
    return field_label(name)


def _changed(entry: Any, changed: dict[Any, Any]) -> tuple[list[Change], list[Fact]]:
    """``{"field": [old, new]}`` as rows of before and after."""
    changes: list[Change] = []
    facts: list[Fact] = []
    for key, pair in changed.items():
        name = str(key)
        if isinstance(pair, list | tuple) and len(pair) == 2:
            changes.append(Change(_field_name(entry, name), shown(pair[0], name),
                                  shown(pair[1], name)))
        else:
            facts.append(Fact(_field_name(entry, name), shown(pair, name)))
    return changes, facts


def _pairs(entry: Any, details: dict[str, Any]) -> list[Change]:
    """``before`` and ``after`` (a moderation decision, an answer), and a ``phase`` as
    ``[old, new]``: taken out of ``details`` as rows of before and after."""
    changes: list[Change] = []
    about = BEFORE_AFTER.get(entry.action) or BEFORE_AFTER.get(entry.action.split(".")[0])
    if about and "before" in details and "after" in details:
        changes.append(Change(field_label(about), shown(details.pop("before"), about),
                              shown(details.pop("after"), about)))
    phase = details.get("phase")
    if isinstance(phase, list) and len(phase) == 2:
        del details["phase"]
        changes.append(Change(field_label("phase"), shown(phase[0], "phase"),
                              shown(phase[1], "phase")))
    return changes


def _details(entry: Any) -> tuple[list[Change], list[Fact]]:
    """What changed, side by side, and the other details as « label : value »."""
    details = dict(entry.details) if isinstance(entry.details, dict) else {
        "details": entry.details}
    changes: list[Change] = []
    facts: list[Fact] = []
    if isinstance(details.get("changed"), dict):
        changes, facts = _changed(entry, details.pop("changed"))
    changes.extend(_pairs(entry, details))
    if isinstance(details.get("values"), dict):  # what an object was created with
        facts.extend(Fact(field_label(str(k)), shown(v, str(k)))
                     for k, v in details.pop("values").items())
    if isinstance(details.get("changes"), list):  # the names of the fields that changed
        facts.append(Fact(field_label("changes"), Shown(", ".join(
            field_label(str(n)) for n in details.pop("changes")) or "—")))
    for key, value in details.items():
        if value in (None, "", [], {}):  # nothing to say: the line would read « — »
            continue
        facts.append(Fact(field_label(str(key)), shown(value, str(key))))
    return changes, facts


def describe(entry: Any) -> Line:
    """An entry in words, in the reader's language (needs a request context)."""
    actor, named = _actor(entry)
    target, url = _target(entry)
    changes, facts = _details(entry)
    return Line(id=entry.id, at=entry.at, actor=actor, named=named,
                sentence=action_label(entry.action), code=entry.action, target=target,
                target_url=url, changes=changes, facts=facts)
