"""Posters to print (A4 or A3, French then a second language, a QR code to the page and
its short address, the quartier's permanence hours) and the short addresses themselves.

Printing changes nothing, so it is neither a POST nor audited: the choices travel in the
query string, and the print page can be bookmarked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse
from wtforms import RadioField, SelectField
from wtforms.validators import AnyOf

from civic.accounts.permissions import is_pilot
from civic.budget.models import Round
from civic.core import clock
from civic.core.db import session as db
from civic.core.forms import blank_choice, choices, is_db_int
from civic.core.i18n import LANGUAGE_NAMES, _, _l, text_direction
from civic.core.permissions import require
from civic.core.qr import qr_svg
from civic.core.web import timezone, visitor
from civic.evaluation.models import Survey
from civic.events.labels import WEEKDAYS
from civic.events.models import Event
from civic.outreach import bp, posters
from civic.territory.models import Quartier
from civic.territory.pages import quartier_or_404

Page = str | BaseResponse | tuple[str, int]
KIND_WORDS = "any(fph, evenement, enquete, idees)"
#: Given to the quartier field for anything that is not one of its choices.
NOT_A_QUARTIER = -1


def _quartier_or_none(value: Any) -> int | None:
    """The quartier field's value: None for "none", NOT_A_QUARTIER for anything that is
    not a quartier's id (the form then says so, rather than failing)."""
    if value in ("", None, "None"):
        return None
    text = str(value)
    return int(text) if text.isascii() and is_db_int(text) else NOT_A_QUARTIER


class PosterForm(FlaskForm):
    """The poster's size and second language (and, for a poster of the whole contract,
    whose permanence hours it prints). Read from the query string: nothing is changed."""

    class Meta:
        csrf = False

    format = RadioField(
        _l("Taille du papier"), default="a4", validate_choice=False,
        choices=choices([("a4", _l("A4 : une feuille ordinaire")),
                         ("a3", _l("A3 : deux fois plus grand, pour un hall"))]),
        validators=[AnyOf(posters.SIZES, message=_l("Choisissez A4 ou A3."))])
    langue = RadioField(
        _l("Deuxième langue, sous le français"), default="", validate_choice=False,
        choices=choices([("en", LANGUAGE_NAMES["en"]), ("ar", LANGUAGE_NAMES["ar"]),
                         ("", _l("Aucune : seulement en français"))]),
        validators=[AnyOf(posters.SECOND_LANGUAGES,
                          message=_l("Choisissez une des langues proposées."))])
    quartier = SelectField(
        _l("Horaires de permanence à imprimer"), coerce=_quartier_or_none,
        validate_choice=False,
        description=_l("L’affiche concerne tout le contrat : choisissez le quartier où "
                       "vous l’accrochez."))


def _subject(kind: str, key: str) -> Any:
    found = posters.subject(db(), kind, key) or abort(404)
    require(current_user, "outreach.poster", found)
    return found


def survey_page(survey: Survey, *, external: bool = False) -> str:
    """The resident's page of a survey when the site has one, else the page of its
    evaluation."""
    if "evaluation.answer_survey" in current_app.view_functions:
        return url_for("evaluation.answer_survey", survey_id=survey.id, _external=external)
    return url_for("evaluation.evaluation", evaluation_id=survey.evaluation_id,
                   _external=external)


def _survey_poster_address(survey: Survey) -> str:
    """Where a survey's poster leads: its short address for posters, which counts the
    answers as coming from a poster, when the site has one."""
    if "evaluation.survey_poster" in current_app.view_functions:
        return url_for("evaluation.survey_poster", survey_id=survey.id, _external=True)
    return survey_page(survey, external=True)


def page_url(poster: posters.Poster, *, external: bool = False) -> str:
    """The page a poster leads to."""
    if poster.page_endpoint is None:
        return survey_page(poster.subject, external=external)
    return url_for(poster.page_endpoint, _external=external, **poster.page_values)


def _form(poster: posters.Poster, formdata: Any = None) -> tuple[PosterForm, list[Quartier]]:
    """The form, with the quartiers whose hours it may print (none when the poster has
    its own quartier)."""
    form = PosterForm(formdata)
    user = visitor()
    offered = [] if poster.quartier is not None else posters.quartier_choices(
        db(), user, pilot=is_pilot(user))
    form.quartier.choices = choices(blank_choice(_("Aucun")) + [(q.id, q.name)
                                                               for q in offered])
    if formdata is None and len(offered) == 1:
        form.quartier.data = offered[0].id
    return form, offered


def _hours_quartier(poster: posters.Poster, form: PosterForm,
                    offered: list[Quartier]) -> Quartier | None:
    """The quartier whose hours are printed, or None; a value not offered is an error
    next to the field."""
    if poster.quartier is not None:
        return poster.quartier
    chosen = form.quartier.data
    found = next((q for q in offered if q.id == chosen), None)
    if chosen is not None and found is None:
        form.quartier.errors = [*form.quartier.errors,
                                _("Choisissez un quartier de la liste, ou « Aucun ».")]
    return found


def _choose(poster: posters.Poster, form: PosterForm, status: int = 200) -> Page:
    return render_template("outreach/posters/choose.html", poster=poster, form=form,
                           page=page_url(poster)), status


@bp.route(f"/affiches/<{KIND_WORDS}:kind>/<key>")
def poster_form(kind: str, key: str) -> Page:
    """Choosing the size and the second language of a poster."""
    poster = posters.poster(kind, _subject(kind, key), now=clock.now(), timezone=timezone())
    form, _offered = _form(poster, request.args or None)
    return _choose(poster, form)


def addresses(poster: posters.Poster) -> tuple[str, str]:
    """What the QR code holds (the page's full address) and the short address printed
    under it. A survey's poster uses the evaluation's address for posters for both,
    so that its answers count as coming from a poster."""
    if not poster.short_endpoint:
        short = _survey_poster_address(poster.subject)
        return short, short
    return (page_url(poster, external=True),
            url_for(poster.short_endpoint, _external=True, **poster.short_values))


@bp.route(f"/affiches/<{KIND_WORDS}:kind>/<key>/imprimer")
def poster_print(kind: str, key: str) -> Page:
    """The poster itself, ready to print."""
    now = clock.now()
    poster = posters.poster(kind, _subject(kind, key), now=now, timezone=timezone())
    form, offered = _form(poster, request.args)
    valid = form.validate()
    quartier = _hours_quartier(poster, form, offered)
    if not valid or form.errors:
        return _choose(poster, form, 400)
    languages = ["fr", *([form.langue.data] if form.langue.data else [])]
    hours = posters.hours(db(), quartier, languages=len(languages), now=now,
                          timezone=timezone()) if quartier is not None else None
    address, short = addresses(poster)
    change = url_for("outreach.poster_form", kind=kind, key=key, format=form.format.data,
                     langue=form.langue.data or None,
                     quartier=form.quartier.data if poster.quartier is None else None)
    return render_template(
        "outreach/posters/print.html", poster=poster, size=form.format.data,
        page_height=posters.PRINTED_HEIGHT[form.format.data],
        words=[_words(poster, code) for code in languages], hours=hours,
        qr=qr_svg(address), address=address, short=short.split("://", 1)[-1], change=change)


@dataclass(frozen=True)
class Words:
    """A poster's words in one of its languages, dates and days written its way."""

    code: str
    direction: str
    #: What the poster announces: its call, dates and place (a rendered section).
    facts: Markup
    scan: str
    meet: str
    closed: str
    days: dict[int, str]


def _words(poster: posters.Poster, code: str) -> Words:
    with force_locale(code):
        facts = render_template("outreach/posters/_block.html", poster=poster,
                                calls=posters.CALLS, periods=posters.PERIODS)
        return Words(
            code=code, direction=text_direction(code),
            facts=Markup(facts),  # noqa: S704  (a rendered template: escaped already)
            scan=_("Scannez le code, ou tapez l’adresse :"),
            meet=_("Rencontrer un animateur"), closed=_("fermé"),
            days={day: str(name) for day, name in WEEKDAYS.items()})


# --- Short addresses, printed on the posters ---------------------------------------------


@bp.route("/v/<int:round_id>")
def short_round(round_id: int) -> BaseResponse:
    """« v » for vote: a round of the FPH."""
    found = db().get(Round, round_id) or abort(404)
    return redirect(url_for("budget.round_page", round_id=found.id))


@bp.route("/a/<int:event_id>")
def short_event(event_id: int) -> BaseResponse:
    """« a » for agenda: an event."""
    found = db().get(Event, event_id) or abort(404)
    return redirect(url_for("events.event", event_id=found.id))


@bp.route("/b/<code>")
def short_ideas(code: str) -> BaseResponse:
    """« b » for boîte à idées: a quartier's idea box."""
    return redirect(url_for("ideas.browse", code=quartier_or_404(code).code))
