"""What each FPH error code says to a person, in their language."""

from __future__ import annotations

from typing import Any

from civic.core.forms import show_error
from civic.core.i18n import _, _l, get_locale
from civic.core.money import format_cents

ERRORS: dict[str, Any] = {
    "cap_over_envelope": _l("Le plafond par projet ne peut pas dépasser l’enveloppe."),
    "min_over_cap": _l("Le minimum par projet ne peut pas dépasser le plafond."),
    "approval_range": _l("Le maximum doit être au moins égal au minimum."),
    "points_range": _l("Il faut au moins 1 point par votant, et le maximum sur un projet "
                        "ne peut pas dépasser ce total."),
    "fund_exists": _l("Ce quartier a déjà un fonds pour cette année."),
    "fund_locked": _l("Le vote a commencé : la façon de voter, la règle et l’enveloppe ne "
                      "peuvent plus changer."),
    "quartier": _l("Choisissez un quartier."),
    "dates_order": _l("Cette date doit venir après la précédente."),
    "date_passed": _l("Cette date est passée : elle reste telle quelle."),
    "date_in_past": _l("Choisissez une date à venir. Pour passer à l’étape suivante tout de "
                       "suite, utilisez le bouton de la liste des fonds."),
    "cannot_advance": _l("Cette session ne peut pas passer à l’étape suivante à la main."),
    "not_submission": _l("Les propositions ne sont pas ouvertes."),
    "not_editable": _l("Ce projet ne peut plus être modifié."),
    "not_review": _l("Ce n’est pas le moment de l’examen."),
    "own_project": _l("Vous ne pouvez pas examiner votre propre projet."),
    "not_reviewable": _l("Ce projet ne peut plus être examiné."),
    "checklist_incomplete": _l("Cochez tous les critères avant de retenir le projet."),
    "changes_too_late": _l("Les propositions sont closes : on ne peut plus demander de "
                           "modifications."),
    "message_required": _l("Écrivez un message à l’auteur."),
    "merge_target": _l("Choisissez un autre projet de la même session."),
    "decision": _l("Choisissez une décision."),
    "not_vote": _l("Le vote n’est pas ouvert."),
    "name_required": _l("Indiquez vos prénom et nom."),
    "must_live_here": _l("Il faut habiter le quartier pour voter."),
    "birth_date": _l("Cette date de naissance n’est pas possible."),
    "already_voted": _l("Une personne avec ce nom et cette date de naissance a déjà voté. "
                        "On ne peut voter qu’une fois."),
    "unknown_project": _l("Un des projets choisis n’est pas sur le bulletin."),
    "bad_points": _l("Le nombre de points n’est pas valable."),
    "too_few": _l("Choisissez au moins un projet."),
    "over_envelope": _l("Le total de vos choix dépasse l’enveloppe."),
    "too_many_points": _l("Vous avez donné plus de points que vous n’en avez."),
    "too_many_on_one": _l("Vous avez donné trop de points à un seul projet."),
    "not_funded": _l("Ce projet n’a pas été financé."),
    "permanence_times": _l("L’heure de fin doit venir après l’heure de début."),
    "not_checked": _l("Cochez cette case après avoir vérifié la déclaration avec la personne."),
    "code_mistyped": _l("Ce code contient une erreur de frappe. Vérifiez chaque caractère."),
    "code_used": _l("Ce code n’est pas valable ou a déjà servi."),
    "paper_closed": _l("On ne peut plus saisir de bulletin papier pour cette session."),
    "codes_too_late": _l("Le vote est clos : on ne peut plus imprimer de codes."),
    "paper_mismatch": _l("Le nombre de bulletins papier saisis ne correspond pas au nombre "
                         "de votants sur papier d’une permanence. Terminez la saisie d’abord."),
    "seal_broken": _l("Le scellé de l’urne ne correspond plus aux bulletins : le "
                      "dépouillement est arrêté. Prévenez l’équipe du contrat de ville."),
    "box_not_ready": _l("Le vote n’est pas encore ouvert : les garants de l’urne n’ont pas "
                        "tous reçu leur part de clé."),
    "box_sealed": _l("L’urne est déjà scellée : les garants ne peuvent plus changer."),
    "trustees_count": _l("Choisissez de 2 à 7 garants."),
    "trustee_not_allowed": _l("Un garant doit être pilote, ou membre du conseil citoyen "
                              "de ce quartier."),
    "trustees_needed": _l("Le nombre de parts nécessaires doit être entre 2 et le nombre "
                          "de garants."),
    "not_trustee": _l("Vous n’êtes pas garant de cette urne."),
    "share_given": _l("Votre part de clé vous a déjà été remise. Elle ne peut pas être "
                      "donnée deux fois."),
    "share_malformed": _l("Ce texte n’est pas une part de clé entière. Recopiez toute la "
                          "ligne qui commence par FPH, ou choisissez le fichier reçu."),
    "share_mistyped": _l("Cette part de clé contient une erreur de frappe. Vérifiez chaque "
                         "caractère."),
    "share_other_round": _l("Cette part de clé est celle d’une autre session de vote."),
    "share_wrong": _l("Cette part de clé n’ouvre pas cette urne."),
    "share_twice": _l("Cette part a déjà été saisie. Il faut les parts de garants "
                      "différents."),
    "already_counted": _l("Le dépouillement est déjà fait."),
    "not_counting": _l("Le dépouillement n’est possible qu’une fois le vote clos."),
    "paper_over_register": _l("Chaque personne inscrite sur papier ici a déjà son bulletin "
                              "saisi. Si quelqu’un a été oublié dans le registre, ajoutez-le "
                              "d’abord."),
    "paper_not_found": _l("Aucun bulletin papier de cette permanence n’a ce reçu. Recopiez "
                          "le reçu affiché après la saisie."),
    "paper_void_pending": _l("L’annulation de ce bulletin est déjà demandée : une autre "
                             "personne doit la confirmer."),
    "paper_void_same_person": _l("Une autre personne doit confirmer : on ne confirme pas sa "
                                 "propre demande."),
    "paper_void_done": _l("Cette demande est déjà confirmée : le bulletin n’est plus dans "
                          "l’urne."),
}


def attach_error(form: Any, error: Any) -> None:
    """Show a BudgetError next to its field, or as a message at the top of the page."""
    show_error(form, error.field, error_text(error))


def error_text(error: Any) -> str:
    """The message for a BudgetError, with its figures where it has some."""
    locale = str(get_locale())
    details = error.details
    if error.code == "lines_total":
        return _("Le total des lignes du budget est de %(lines)s : il doit être égal au "
                 "montant demandé.",
                 lines=format_cents(details["lines"], locale))
    if error.code == "over_cap":
        return _("Un projet peut demander %(cap)s au plus.",
                 cap=format_cents(details["cap"], locale))
    if error.code == "under_min":
        return _("Un projet doit demander au moins %(min)s.",
                 min=format_cents(details["min"], locale))
    if error.code == "too_young":
        return _("Il faut avoir au moins %(age)s ans pour voter.", age=details["min_age"])
    if error.code == "share_missing":
        return _("Il faut les parts de %(n)s garants différents pour ouvrir l’urne.",
                 n=details["needed"])
    if error.code == "too_many":
        return _("Vous avez choisi trop de projets.")
    return str(ERRORS[error.code])
