"""For the pages of every part that live under a quartier's address."""

from __future__ import annotations

from flask import abort

from civic.core.db import session as db
from civic.territory import queries
from civic.territory.models import Quartier


def quartier_or_404(code: str) -> Quartier:
    """The quartier of ``/quartiers/<code>/…``, or the "page not found" page."""
    return queries.quartier_by_code(db(), code) or abort(404)
