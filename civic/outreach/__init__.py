"""Reaching residents where they are: posters for building halls with a QR code, link
previews for the messaging apps, easy-read pages, and the mail a resident chooses to
receive (follows, the weekly digest, a quartier's letter without an account)."""

from flask import Blueprint

bp = Blueprint("outreach", __name__)

from civic.outreach import (  # noqa: E402, F401
    digest,
    easyread_views,
    mail_views,
    permissions,
    personal_data,
    poster_views,
    preview_views,
)
