"""Steering data (pilotage): the indicators, dashboards, exports, API, open data and the
yearly report of the contract. It reads every other part; no part reads it."""

from flask import Blueprint

bp = Blueprint("pilotage", __name__)

from civic.pilotage import api, permissions, services, views  # noqa: E402, F401
