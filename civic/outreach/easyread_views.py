"""Routes of the easy-read pages: the list, and one page each for the FPH, the vote, the
idea box and personal data. Public, in the reader's language, nothing to decide."""

from __future__ import annotations

from flask import abort, current_app, render_template, session, url_for

from civic.outreach import bp, easyread
from civic.outreach.easyread import EasyReadPage


@bp.route("/facile-a-lire")
def easyread_index() -> str:
    return render_template("outreach/easyread/index.html", pages=easyread.PAGES)


@bp.route("/facile-a-lire/<slug>")
def easyread_page(slug: str) -> str:
    found = easyread.page(slug) or abort(404)
    return render_template(found.template, page=found, pages=easyread.PAGES,
                           facts=easyread.settings(current_app.config),
                           full_page=_full_page(found))


def _full_page(page: EasyReadPage) -> str | None:
    """The ordinary page it mirrors; ``None`` when it belongs to a quartier and the reader
    has not chosen one yet (the page then sends them to the list of quartiers)."""
    if not page.per_quartier:
        return url_for(page.full_page)
    code = session.get("quartier")
    return url_for(page.full_page, code=code) if code else None
