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
}
