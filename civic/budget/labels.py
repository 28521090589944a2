"""Words shown for phases, statuses and channels, in the reader's language."""

from __future__ import annotations

from typing import Any

from civic.core.i18n import _l

PHASES: dict[str, Any] = {
    "upcoming": _l("Bientôt"),
    "submission": _l("Propositions ouvertes"),
    "review": _l("Examen des projets"),
    "vote": _l("Vote ouvert"),
    "counting": _l("Vote clos, dépouillement en cours"),
    "results": _l("Résultats"),
    "follow_up": _l("Suivi des projets"),
}

#: What a resident can do now, phase by phase.
PHASE_HINTS: dict[str, Any] = {
    "upcoming": _l("Les propositions ouvriront bientôt. Commencez à en parler autour de vous !"),
    "submission": _l("Vous avez une idée pour le quartier ? Proposez un projet."),
    "review": _l("Le comité du FPH examine les projets. Le vote ouvrira ensuite."),
    "vote": _l("Choisissez les projets que vous voulez voir financés."),
    "counting": _l("Le vote est clos. Les résultats arrivent bientôt."),
    "results": _l("Découvrez les projets financés."),
    "follow_up": _l("Suivez l’avancement des projets financés."),
}

#: The pilot's button to move a round on by hand, phase by phase: what it does, and
#: what cannot be undone afterwards (said before it is done).
NEXT_STEPS: dict[str, tuple[Any, Any]] = {
    "upcoming": (_l("Ouvrir les propositions"),
                 _l("Les habitants pourront proposer des projets dès maintenant. La date "
                    "d’ouverture des propositions devient aujourd’hui et ne pourra plus "
                    "changer.")),
    "submission": (_l("Clore les propositions et passer à l’examen"),
                   _l("Plus personne ne pourra proposer de projet. On ne peut pas rouvrir "
                      "les propositions.")),
    "review": (_l("Ouvrir le vote"),
               _l("Le vote s’ouvre maintenant. Les projets du bulletin, la façon de voter et "
                  "l’enveloppe ne pourront plus changer. On ne peut pas revenir à l’examen.")),
    "vote": (_l("Clore le vote"),
             _l("Plus personne ne pourra voter, ni en ligne, ni à une permanence, ni avec un "
                "code. Les bulletins papier pourront encore être saisis jusqu’au "
                "dépouillement. On ne peut pas rouvrir le vote : pour le prolonger, "
                "changez plutôt sa date de clôture.")),
    "results": (_l("Passer au suivi des projets"),
                _l("Les résultats restent publiés. La session passe au suivi des projets "
                   "financés, et on ne peut pas revenir en arrière.")),
}

STATUSES: dict[str, Any] = {
    "submitted": _l("En attente d’examen"),
    "changes_requested": _l("Modifications demandées"),
    "admitted": _l("Retenu pour le vote"),
    "rejected": _l("Refusé"),
    "merged": _l("Fusionné avec un autre projet"),
    "withdrawn": _l("Retiré par son auteur"),
}

FOLLOW_UP: dict[str, Any] = {
    "to_start": _l("Pas encore commencé"),
    "in_progress": _l("En cours"),
    "done": _l("Terminé"),
    "abandoned": _l("Abandonné"),
}

CHANNELS: dict[str, Any] = {
    "online": _l("En ligne"),
    "kiosk": _l("À une permanence (tablette)"),
    "paper": _l("Sur papier"),
    "code": _l("Avec un code de vote"),
}

METHODS: dict[str, Any] = {
    "approval": _l("Cochez les projets que vous soutenez."),
    "knapsack": _l("Cochez des projets : leur total ne doit pas dépasser l’enveloppe."),
    "cumulative": _l("Répartissez vos points entre les projets."),
}

CHECKLIST: dict[str, Any] = {
    "within_cap": _l("Montant dans le plafond"),
    "in_quartier": _l("Dans le quartier"),
    "fund_rules": _l("Conforme aux règles du fonds"),
    "carried_locally": _l("Mené par des gens du quartier"),
}


def all_labels() -> dict[str, dict[str, Any]]:
    return {"phases": PHASES, "hints": PHASE_HINTS, "statuses": STATUSES,
            "follow_up": FOLLOW_UP, "channels": CHANNELS, "methods": METHODS,
            "checklist": CHECKLIST, "next_steps": NEXT_STEPS}
