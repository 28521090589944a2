"""The contract's evaluation: what the signatories promised, measured year by year
(indicators of their commitments, with a baseline, a target and a value a year entered
by their referent)."""

from flask import Blueprint

bp = Blueprint("evaluation", __name__)

from civic.evaluation import permissions, views  # noqa: E402,F401
