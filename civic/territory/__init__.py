"""Territory: the contract, its quartiers, orientations and signatories."""

from flask import Blueprint

bp = Blueprint("territory", __name__)

from civic.territory import cli, permissions, views  # noqa: E402,F401  (registers rules, routes)
