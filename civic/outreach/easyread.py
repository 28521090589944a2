"""The easy-read pages (« Facile à lire »): which pages there are, their address, title and
pictogram, the ordinary page each one mirrors, and the settings their sentences quote.

Each page says in short sentences what a first-time resident needs: how the FPH works,
how to vote, what happens to an idea, what the site keeps about them. The sentences are
in ``templates/outreach/easyread/``, one sentence per message so that translators can
keep them short too. Figures that depend on the site's settings (the secrecy threshold,
how long things are kept) are read from the configuration, never written in the text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from civic.core.i18n import _l


@dataclass(frozen=True)
class EasyReadPage:
    #: The last part of the address: /facile-a-lire/<slug>.
    slug: str
    #: The page's title, also the link's text on the list of pages.
    title: Any
    #: One sentence that says what the page explains, under the link.
    summary: Any
    #: The file of its pictogram in static/img/pictograms/.
    pictogram: str
    #: The ordinary page it mirrors: an endpoint, and whether that page belongs to a
    #: quartier (then the reader's chosen quartier is needed to reach it).
    full_page: str
    per_quartier: bool = False

    @property
    def template(self) -> str:
        return f"outreach/easyread/{self.slug.replace('-', '_')}.html"


PAGES: tuple[EasyReadPage, ...] = (
    EasyReadPage("fph", _l("Le FPH\u00a0: de l’argent pour les projets du quartier"),
                 _l("Comment les habitants choisissent des projets pour leur quartier."),
                 "money.svg", "territory.quartier", per_quartier=True),
    EasyReadPage("voter", _l("Voter pour les projets du FPH"),
                 _l("Qui peut voter, comment voter, et pourquoi votre vote est secret."),
                 "ballot-box.svg", "territory.quartier", per_quartier=True),
    EasyReadPage("idees", _l("La boîte à idées"),
                 _l("Comment donner une idée, et ce qu’elle devient."),
                 "lightbulb.svg", "ideas.browse", per_quartier=True),
    EasyReadPage("vos-donnees", _l("Vos données"),
                 _l("Ce que le site garde sur vous, et vos droits."),
                 "lock.svg", "territory.privacy"),
)

_BY_SLUG = {page.slug: page for page in PAGES}


def page(slug: str) -> EasyReadPage | None:
    return _BY_SLUG.get(slug)


@dataclass(frozen=True)
class Settings:
    """The figures of the site's settings that the pages quote."""

    #: Totals about people are published from this many people (SMALL_CELL_THRESHOLD).
    threshold: int
    #: Days after an event before its signups' names and contacts are deleted.
    signup_days: int
    #: Months after a vote's results before its coded ballots are deleted.
    secret_months: int
    #: Whether the maps load their background from another site (TILE_URL).
    map_tiles: bool


def settings(config: Mapping[str, Any]) -> Settings:
    return Settings(threshold=int(config["SMALL_CELL_THRESHOLD"]),
                    signup_days=int(config["EVENT_SIGNUP_RETENTION_DAYS"]),
                    secret_months=int(config["FPH_SECRET_MONTHS"]),
                    map_tiles=bool(config["TILE_URL"]))
