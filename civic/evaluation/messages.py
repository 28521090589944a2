"""What a refused change says, next to its field."""

from __future__ import annotations

from typing import Any

from civic.core.i18n import _l

ERRORS: dict[str, Any] = {
    "target_not_after_baseline": _l("L’année de l’objectif doit venir après celle du point "
                                    "de départ."),
    "target_is_baseline": _l("L’objectif doit être différent du point de départ."),
    "values_before_baseline": _l("Des valeurs sont déjà saisies avant cette année : "
                                 "choisissez une année plus ancienne."),
    "before_baseline": _l("Cette année vient avant le point de départ de l’indicateur."),
    "future_year": _l("Cette année n’est pas encore passée."),
    "source_required": _l("Ce champ est obligatoire."),
    "unknown_kind": _l("Choisissez dans la liste."),
    "ends_before_start": _l("La fin doit venir après le début."),
    "kind_taken": _l("Cette évaluation existe déjà pour ce contrat."),
    "orientation_required": _l("Cochez au moins une orientation du contrat."),
    "proposals_outside": _l("Ce jour doit tomber entre le début et la fin de l’évaluation."),
    # Questions proposed by residents, and the committee's decisions.
    "proposals_closed": _l("Le temps des propositions est passé pour cette évaluation."),
    "proposal_text_required": _l("Écrivez votre question."),
    "proposal_text_short": _l("Écrivez une question d’au moins 10 caractères."),
    "proposal_text_long": _l("300 caractères au plus : raccourcissez votre question."),
    "proposal_why_long": _l("1000 caractères au plus."),
    "proposal_quartier": _l("Choisissez votre quartier dans la liste."),
    "proposal_not_published": _l("Cette proposition n’est pas publiée."),
    "proposal_own": _l("Vous ne pouvez pas soutenir votre propre proposition."),
    "proposal_decided": _l("Le comité a déjà décidé : les soutiens sont arrêtés."),
    "decision_reason_required": _l("Écrivez la raison du comité : elle sera publique."),
    "decision_reason_long": _l("1000 caractères au plus."),
    "kept_text_required": _l("Écrivez la question, dans les mots du comité."),
    "kept_text_long": _l("500 caractères au plus."),
    "already_kept": _l("Cette proposition est déjà une question de l’évaluation. Pour changer "
                       "ses mots, modifiez la question."),
    "merge_question": _l("Choisissez une question de cette évaluation."),
    "merge_own_question": _l("Cette question vient déjà de cette proposition."),
    # Workshops
    "not_a_workshop": _l("Choisissez un atelier du contrat dans la liste."),
    "workshop_cancelled": _l("Cet atelier a été annulé."),
    "workshop_taken": _l("Cet atelier travaille déjà sur une question de l’évaluation."),
    "workshop_recorded": _l("Les conclusions de cet atelier sont déjà notées : il reste "
                            "attaché à sa question."),
    "workshop_not_started": _l("L’atelier n’a pas encore commencé : ses conclusions se "
                               "notent après."),
    "conclusions_required": _l("Écrivez les conclusions de l’atelier."),
    "conclusions_too_long": _l("5000 caractères au plus."),
    "participants_range": _l("Indiquez un nombre entre 0 et 10 000."),
    "caption_required": _l("Dites en quelques mots ce que montre la photo."),
    "caption_too_long": _l("200 caractères au plus."),
    "too_many_photos": _l("Un atelier a 6 photos au plus. Retirez-en une avant d’en ajouter "
                          "une autre."),
    "question_in_use": _l("Une enquête ou un atelier porte sur cette question : elle ne "
                          "peut plus être supprimée."),
    # Surveys: building them.
    "title_required": _l("Écrivez un titre dans cette langue."),
    "too_long": _l("Ce texte est trop long."),
    "closes_before_opening": _l("La clôture doit venir après l’ouverture."),
    "results_published": _l("Les résultats sont publiés : l’enquête ne change plus."),
    "rules_fixed_by_answers": _l("Des personnes ont déjà répondu : cette règle ne peut "
                                 "plus changer."),
    "label_required": _l("Écrivez la question dans cette langue."),
    "too_few_options": _l("Donnez au moins deux choix, un par ligne."),
    "too_many_options": _l("Douze choix au plus."),
    "same_option_twice": _l("Le même choix est écrit deux fois."),
    "scale_words": _l("Écrivez un mot pour chacun des cinq points de l’échelle."),
    "options_differ": _l("Il faut le même nombre de choix dans chaque langue."),
    "number_too_large": _l("Ce nombre est trop grand."),
    "maximum_not_above_minimum": _l("Le maximum doit être plus grand que le minimum."),
    "items_fixed_by_answers": _l("Des personnes ont déjà répondu : on peut corriger les "
                                 "mots, mais pas changer les questions."),
    "unknown_item_kind": _l("Choisissez dans la liste."),
    "unknown_question": _l("Choisissez une question de cette évaluation."),
    # Surveys: answering them.
    "answer_required": _l("Cette question demande une réponse."),
    "unknown_option": _l("Choisissez dans la liste."),
    "not_a_number": _l("Écrivez un nombre, par exemple 3 ou 12,5."),
    "invisible_characters": _l("Ce texte contient des caractères invisibles. Retapez-le "
                               "sans copier-coller."),
    "too_many_decimals": _l("Deux chiffres après la virgule au plus."),
    "below_minimum": _l("Ce nombre est trop petit."),
    "above_maximum": _l("Ce nombre est trop grand."),
    "nothing_answered": _l("Vous n’avez répondu à aucune question."),
    "survey_closed": _l("Cette enquête n’est pas ouverte en ce moment."),
    "account_or_code": _l("Pour répondre, connectez-vous ou tapez le code reçu sur papier."),
    "already_answered": _l("Vous avez déjà répondu à cette enquête. Merci !"),
    "code_mistyped": _l("Ce code est mal tapé : vérifiez chaque caractère."),
    "code_unknown_or_used": _l("Ce code n’existe pas ou a déjà servi."),
    "code_count": _l("Entre 1 et 500 codes."),
    # Paper forms.
    "paper_needs_batch": _l("Choisissez la pile de questionnaires papier."),
    "batch_full": _l("Tous les questionnaires comptés dans cette pile sont déjà saisis. "
                     "Recomptez la pile si elle en contient plus."),
    "batch_label_required": _l("Dites d’où vient la pile, par exemple « Permanence du "
                               "12 mars »."),
    "batch_closed": _l("Cette pile est déjà close."),
    "counted_range": _l("Entre 1 et 10 000 questionnaires."),
    "count_below_entered": _l("Plus de questionnaires sont déjà saisis que ce nombre."),
    "batch_not_reconciled": _l("Le nombre saisi ne correspond pas encore au nombre compté."),
    # The tablet handed to a resident.
    "handover_gone": _l("Ces réponses sont déjà envoyées, ou le temps est écoulé. "
                        "L’animatrice ou l’animateur donne à nouveau la tablette."),
    # Publishing a survey's results.
    "results_already_published": _l("Les résultats de cette enquête sont déjà publiés."),
    "results_before_close": _l("L’enquête n’est pas encore close : ses résultats se "
                               "publient après sa fermeture."),
    "results_paper_open": _l("Des piles de questionnaires papier ne sont pas closes : "
                             "finissez de les saisir et closez-les d’abord, sinon ces "
                             "réponses seraient perdues."),
}
