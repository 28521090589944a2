"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi run``."""

from civic import create_app

app = create_app()
