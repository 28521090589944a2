"""What a moderator or a resident reads when a moderation action is refused."""

from __future__ import annotations

from typing import Any

from civic.core.i18n import _l

ERRORS: dict[str, Any] = {
    "action": _l("Cette action n’existe pas."),
    "state": _l("Cette publication a déjà été traitée. Rechargez la page."),
    "reason_required": _l("Écrivez la raison : l’auteur et les habitants la liront."),
    "reason_long": _l("La raison est trop longue : 1000 caractères au plus."),
    "forbidden": _l("Vous ne pouvez pas modérer cette publication."),
    "elsewhere": _l("Cette publication se décide sur sa propre page."),
    "no_title": _l("Cette publication n’a pas de titre."),
    "title_required": _l("Ce champ est obligatoire."),
    "title_long": _l("120 caractères au plus."),
    "report_reason": _l("Choisissez une raison."),
    "mode": _l("Choisissez une option."),
}


def error_text(code: str) -> str:
    return str(ERRORS.get(code, ERRORS["forbidden"]))


def attach_error(form: Any, error: Any) -> None:
    """Put the refusal next to its field, or as a message at the top of the page."""
    from flask import flash

    field = getattr(form, error.field or "", None)
    if field is not None:
        field.errors = [*field.errors, error_text(error.code)]
    else:
        flash(error_text(error.code), "error")
