"""Permanences: the animator's tablet — kiosk and paper votes, printed vote codes."""

from flask import Blueprint

bp = Blueprint("permanence", __name__)

from civic.permanence import permissions, section, slot_views, views  # noqa: E402, F401
