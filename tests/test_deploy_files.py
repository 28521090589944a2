"""The deployment files, read as the operator who runs them expects them to be: two app
replicas behind a proxy that checks them, a health check on every service that stays up,
migrations before the apps, no process running as root, no secret in the repository, and
every setting of the code listed in .env.example."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
#: Settings whose value is a secret (not CIVIC_FPH_SECRET_MONTHS, a duration).
SECRET_NAME = re.compile(r"PASSWORD|SECRET_KEY|TOKEN|(^|_)KEY$")
INTERPOLATED = re.compile(r"^\$\{[A-Z_]+(:?[-?][^}]*)?\}$")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines()]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
            for line in lines if line and not line.startswith("#")]


def caddyfile() -> list[str]:
    return [line.split("#", 1)[0].strip()
            for line in (ROOT / "Caddyfile").read_text(encoding="utf-8").splitlines()
            if line.split("#", 1)[0].strip()]


def command_of(service: dict[str, Any]) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else list(command)


def test_two_app_replicas_wait_for_the_migration(compose: dict[str, Any]) -> None:
    services = compose["services"]
    app = services["app"]
    assert app["deploy"]["replicas"] == 2
    assert command_of(services["migrate"]) == ["flask", "--app", "wsgi", "db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    for name in ("app", "worker"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"}, name
        assert services[name]["image"] == services["migrate"]["image"], name
    assert command_of(services["worker"]) == ["flask", "--app", "wsgi", "worker"]
    assert services["db"]["image"].split(":")[1].startswith("15")
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in
               services["db"]["volumes"])


def test_every_service_that_stays_up_has_a_health_check(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        if service.get("restart") == "no":  # one-shot: the migration
            continue
        check = service.get("healthcheck", {})
        assert not check.get("disable"), name
        assert check.get("test"), name
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name
    assert "/healthz" in " ".join(compose["services"]["app"]["healthcheck"]["test"])
    assert "/readyz" in " ".join(compose["services"]["worker"]["healthcheck"]["test"])


def test_caddy_sends_visitors_to_both_replicas_while_they_are_ready(
        compose: dict[str, Any]) -> None:
    lines = caddyfile()
    site = compose["services"]["caddy"]["environment"]["SITE_ADDRESS"]
    assert lines[0] == "{$SITE_ADDRESS} {"
    assert INTERPOLATED.match(site)
    replicas = compose["services"]["app"]["deploy"]["replicas"]
    port = "8000"
    upstreams = [f"{compose['name']}-app-{n}:{port}" for n in range(1, replicas + 1)]
    assert f"reverse_proxy {' '.join(upstreams)} {{" in lines
    assert "health_uri /readyz" in lines
    # HTML is never compressed by the proxy (BREACH); the app compresses the rest itself.
    assert not any(line.split()[0] == "encode" for line in lines)
    assert any(f"CIVIC_BIND=0.0.0.0:{port}" in line for line in
               (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines())
    # The apps publish no port: only Caddy (network "front") reaches them.
    assert "ports" not in compose["services"]["app"]
    assert compose["services"]["caddy"]["networks"] == ["front"]
    assert all("front" not in compose["services"][name]["networks"]
               for name in ("worker", "migrate", "db", "redis"))


def test_the_image_runs_gunicorn_as_an_unprivileged_user(
        dockerfile: list[tuple[str, str]]) -> None:
    stages = [n for n, (op, _) in enumerate(dockerfile) if op == "FROM"]
    assert all(dockerfile[n][1].startswith("python:3.11-slim") for n in stages)
    final = dockerfile[stages[-1]:]
    users = [argument for op, argument in final if op == "USER"]
    assert users
    assert users[-1].split(":")[0] not in ("root", "0")
    ops = [op for op, _ in final]
    assert ops.index("USER") < ops.index("CMD")
    assert ("CMD", '["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]') in final
    assert any(op == "ENV" and "CIVIC_ENV=production" in argument for op, argument in final)
    assert any(op == "HEALTHCHECK" and "/healthz" in argument for op, argument in final)
    runs = " ".join(argument for op, argument in dockerfile if op == "RUN")
    assert "pybabel compile -d translations -D messages" in runs
    assert "[dev]" not in runs
    assert ".[" not in runs


def test_no_secret_or_backup_is_committed_or_copied_into_the_image(
        compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        environment = service.get("environment", {})
        for key, value in environment.items():
            if SECRET_NAME.search(key):
                assert INTERPOLATED.match(str(value)), f"{name}: {key}"
            for password in re.findall(r"://[^:/@]+:([^@]+)@", str(value)):
                assert INTERPOLATED.match(password), f"{name}: {key}"
    example = settings_in_example()
    for key, value in example.items():
        if SECRET_NAME.search(key) and not key.startswith("#"):
            assert value == "", key
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    for kept_out in (".env", "*.tar.gz", "instance/", ".git/", ".venv/"):
        assert kept_out in ignored


def settings_in_example() -> dict[str, str]:
    """``NAME=value`` lines of .env.example; those commented out keep their ``#``."""
    found = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"(# )?([A-Z][A-Z0-9_]*)=(.*)", line.strip())
        if match:
            found[(match[1] or "") + match[2]] = match[3]
    return found


def test_env_example_lists_every_setting_the_code_reads() -> None:
    config = (ROOT / "civic" / "config.py").read_text(encoding="utf-8")
    gunicorn = (ROOT / "gunicorn.conf.py").read_text(encoding="utf-8")
    read = {f"CIVIC_{name}" for name in re.findall(r'_(?:env|flag)\(\s*"([A-Z_]+)"', config)}
    read |= set(re.findall(r'"(CIVIC_[A-Z_]+)"', config + gunicorn))
    assert {"CIVIC_SECRET_KEY", "CIVIC_DATABASE_URL", "CIVIC_BIND"} <= read
    listed = {name.removeprefix("# ") for name in settings_in_example()}
    assert read - listed == set()
    compose_text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    for variable in set(re.findall(r"\$\{([A-Z_]+)", compose_text)):
        assert variable in listed, variable
