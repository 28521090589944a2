"""Tests of pilotage: indicators, reports, exports and statistical secrecy."""
