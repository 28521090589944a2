"""gunicorn settings for civic: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Read from the environment:

- ``CIVIC_BIND``: where to listen, ``host:port`` (several separated by commas); default
  ``127.0.0.1:8000``, this machine only. In a container: ``0.0.0.0:8000``.
- ``CIVIC_WORKERS``: worker processes; default 2.
- ``CIVIC_FORWARDED_ALLOW_IPS``: the reverse proxies whose ``X-Forwarded-Proto`` is
  believed (comma-separated addresses, ``*`` for any); default ``127.0.0.1,::1``.
- ``CIVIC_LOG_FORMAT``: ``json`` (default) or ``text``, as for the app.

No access log: the app writes its own, with the URL rule instead of the path and without
the client's address (civic/core/logs.py). gunicorn's error log goes to stderr through
the app's formatter, one JSON object a line.
"""

import os

from civic.core.logs import gunicorn_logging

bind = [address.strip() for address in os.environ.get("CIVIC_BIND", "127.0.0.1:8000").split(",")]
workers = int(os.environ.get("CIVIC_WORKERS", "2"))
forwarded_allow_ips = os.environ.get("CIVIC_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = None
errorlog = "-"
logconfig_dict = gunicorn_logging(os.environ.get("CIVIC_LOG_FORMAT", "json"))
