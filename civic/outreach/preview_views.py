"""Link previews: the Open Graph and Twitter card tags of every page (written by
base.html with what these helpers give), and the card images of a round, an event, a
survey and the site.

Messaging apps fetch a shared link without a session or a language, so cards are
written in the site's first language, and only for what everyone may see: an event
waiting for moderation, or a survey not open yet, gets the site's card.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Response, abort, current_app, request, url_for
from flask_babel import force_locale

from civic.budget.models import Round
from civic.core import clock
from civic.core.db import session as db
from civic.core.i18n import _, format_date, format_datetime, get_locale
from civic.core.permissions import can
from civic.core.web import base_url
from civic.evaluation.models import Survey
from civic.events.labels import KINDS as EVENT_KINDS
from civic.events.models import Event
from civic.outreach import bp
from civic.outreach.previews import Card, png

#: Open Graph's names of the site's languages.
OG_LOCALES = {"fr": "fr_FR", "en": "en_GB", "ar": "ar_AR"}
#: How long a card may be kept without asking again, and for ever when its address
#: carries its version.
MAX_AGE = 3600
YEAR = 365 * 24 * 3600


def _host() -> str:
    parts = urlsplit(base_url())
    return parts.netloc + parts.path


def _site_language() -> str:
    return str(current_app.config["LANGUAGES"][0])


def _site_card() -> Card:
    return Card(label="civic", title=_("La participation des habitants des quartiers"),
                lines=(_("Votez pour des projets, donnez vos idées, venez aux "
                         "événements."),), footer=_host())


def _round_card(round_: Round) -> Card:
    vote = _("du %(start)s au %(end)s", start=format_date(round_.vote_starts_at, "d MMMM"),
             end=format_date(round_.vote_ends_at, "d MMMM y"))
    return Card(label=_("Fonds de participation des habitants"), title=round_.title,
                lines=(round_.fund.quartier.name, _("Vote : %(dates)s", dates=vote)),
                footer=_host())


def _event_card(event: Event) -> Card:
    when = format_datetime(event.starts_at, "EEEE d MMMM y, HH:mm")
    label = _("Événement annulé") if event.cancelled_at else str(EVENT_KINDS[event.kind])
    quartier = event.quartier.name if event.quartier else _("Tout le contrat")
    return Card(label=label, title=event.title,
                lines=(quartier, when, event.place), footer=_host())


def _survey_card(survey: Survey) -> Card:
    dates = _("du %(start)s au %(end)s", start=format_date(survey.opens_at, "d MMMM"),
              end=format_date(survey.closes_at, "d MMMM y"))
    return Card(label=_("Enquête de l’évaluation du contrat de ville"),
                title=survey.text(_site_language(), "title"),
                lines=(_("Réponses : %(dates)s", dates=dates),), footer=_host())


def _public(subject: Any) -> bool:
    """Whether everyone may see it now."""
    if isinstance(subject, Event):
        return can(None, "events.view", subject)
    if isinstance(subject, Survey):
        return subject.opens_at <= clock.now()
    return True


#: The kinds of page with a card of their own: the model shown, and its card.
_CARDS: dict[str, tuple[type[Any], Callable[[Any], Card]]] = {
    "fph": (Round, _round_card), "evenement": (Event, _event_card),
    "enquete": (Survey, _survey_card)}


def _own_card(kind: str | None, subject: Any) -> Card | None:
    """The card of ``subject`` in the site's language, if it has one and is public."""
    entry = _CARDS.get(kind or "")
    if entry is None or not isinstance(subject, entry[0]) or not _public(subject):
        return None
    with force_locale(_site_language()):
        return entry[1](subject)


def site_card_text() -> Card:
    with force_locale(_site_language()):
        return _site_card()


def card_url(kind: str | None = None, subject: Any = None) -> str:
    """The full address of the card of ``subject`` (the site's card when it has none,
    or is not public), its version in ``v``."""
    drawn = _own_card(kind, subject)
    if drawn is None:
        return url_for("outreach.site_card", v=site_card_text().version, _external=True)
    return url_for("outreach.card_image", kind=kind, item_id=subject.id, v=drawn.version,
                   _external=True)


def page_address() -> str:
    """The page's address as shared: the site's own address, without the query."""
    return base_url() + request.path


@bp.app_context_processor
def _preview_helpers() -> dict[str, Any]:
    return {"preview_card": card_url, "page_address": page_address,
            "preview_locale": OG_LOCALES.get(str(get_locale()), "fr_FR")}


def _send(drawn: Card) -> Response:
    """The card as PNG, drawn only if the browser or the app does not hold it already."""
    version = drawn.version
    response = current_app.response_class(mimetype="image/png")
    response.set_etag(version)
    response.cache_control.public = True
    response.cache_control.max_age = YEAR if request.args.get("v") == version else MAX_AGE
    if request.if_none_match.contains(version):
        response.status_code = 304
        return response
    response.set_data(png(drawn))
    return response


@bp.route("/apercu/site.png")
def site_card() -> Response:
    return _send(site_card_text())


@bp.route("/apercu/<any(fph, evenement, enquete):kind>/<int:item_id>.png")
def card_image(kind: str, item_id: int) -> Response:
    drawn = _own_card(kind, db().get(_CARDS[kind][0], item_id))
    if drawn is None:
        abort(404)
    return _send(drawn)
