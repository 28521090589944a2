"""Reasons residents give when they report a post, and the templates moderators start
from when they reject or hide one. The text of a template is only a starting point:
the moderator edits it, and the edited text is what the author and the public read."""

from __future__ import annotations

from typing import Any

from civic.core.i18n import _l

REPORT_REASONS: dict[str, Any] = {
    "insult": _l("Insulte ou propos blessant"),
    "personal": _l("Donne des informations personnelles sur quelqu’un"),
    "spam": _l("Publicité ou message sans rapport"),
    "false": _l("Information fausse"),
    "other": _l("Autre raison"),
}

REJECTION_TEMPLATES: dict[str, Any] = {
    "respect": _l("Ce message ne respecte pas les règles de respect : pas d’insulte, "
                  "pas d’attaque contre une personne ou un groupe."),
    "personal": _l("Ce message cite une personne ou donne des informations personnelles. "
                   "Vous pouvez le reposter sans nom ni adresse."),
    "duplicate": _l("Une idée très proche existe déjà. Soutenez-la et ajoutez un "
                    "commentaire : elle aura plus de poids."),
    "off_topic": _l("Ce message ne concerne pas la vie du quartier."),
    "advertising": _l("Les publicités ne sont pas acceptées."),
    "unclear": _l("Nous n’avons pas compris la proposition. Vous pouvez la réécrire "
                  "plus simplement, ou venir en parler à une permanence."),
}
