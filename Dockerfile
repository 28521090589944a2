# civic's production image: gunicorn serving wsgi:app, as an unprivileged user.
#   docker build -t civic .
# compose.yaml runs it three ways: the site (gunicorn), the worker (`flask --app wsgi worker`)
# and the one-shot migration (`flask --app wsgi db upgrade`).

# --- Build: dependencies, the project, compiled translations -------------------------
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
WORKDIR /app

# The dependencies alone first (from pyproject.toml and an empty package), so that a change
# of code reuses this layer.
COPY pyproject.toml ./
RUN mkdir civic && touch civic/__init__.py \
    && pip install . \
    && pip uninstall --yes civic \
    && rm -rf civic build civic.egg-info

COPY . .
# The project itself, without the dev extras; editable, so that it runs from /app where its
# templates, static files, translations and migrations are.
RUN pip install --no-deps --editable . \
    && pybabel compile -d translations -D messages \
    && python -m compileall -q civic migrations wsgi.py gunicorn.conf.py

# --- Run -------------------------------------------------------------------------------
FROM python:3.11-slim

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CIVIC_ENV=production \
    CIVIC_BIND=0.0.0.0:8000

# libfribidi: Pillow shapes Arabic titles on the link-preview cards with it.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends libfribidi0 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 civic \
    && useradd --system --uid 10001 --gid civic --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin civic

WORKDIR /app
COPY --from=build /opt/venv /opt/venv
# The code belongs to root and is read-only for the app; only instance/ is its own (photos
# under CIVIC_UPLOAD_DIR when CIVIC_UPLOAD_STORAGE=local).
COPY --from=build /app /app
RUN mkdir -p /app/instance && chown civic:civic /app/instance

USER civic:civic
EXPOSE 8000

# Alive: the process answers. Readiness (database, schema, Redis) is /readyz, asked by Caddy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
