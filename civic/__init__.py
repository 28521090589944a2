"""civic: the participation site of a contrat de ville."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application; ``config`` overrides the environment's settings (tests)."""
    from civic.core.web import App

    app = App(__name__, instance_path=str(ROOT / "instance"),
                template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    from civic import config as settings

    app.config.from_mapping(settings.load(Path(app.instance_path), config))
    settings.check(app.config)

    from civic.core import db, errors, security, templating, uploads, web
    from civic.core.extensions import babel, csrf, limiter, login_manager
    from civic.core.i18n import select_locale

    web.init_app(app)
    db.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    uploads.init_app(app)
    from civic.core import compression, logs, static

    logs.init_app(app)
    compression.init_app(app)
    static.init_app(app)

    from civic import (
        accounts,
        budget,
        evaluation,
        events,
        ideas,
        map,
        moderation,
        outreach,
        permanence,
        pilotage,
        territory,
    )
    from civic.core import health
    from civic.core.cli import db_cli
    from civic.demo import seed_demo_command
    from civic.territory.cli import territory_cli

    app.register_blueprint(health.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(territory.bp)
    app.register_blueprint(budget.bp)
    app.register_blueprint(permanence.bp)
    app.register_blueprint(moderation.bp)
    app.register_blueprint(ideas.bp)
    app.register_blueprint(map.bp)
    app.register_blueprint(events.bp)
    app.register_blueprint(pilotage.bp)
    app.register_blueprint(evaluation.bp)
    app.register_blueprint(outreach.bp)
    app.cli.add_command(db_cli)
    from civic.core.backup import backup_command, restore_command

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(territory_cli)
    app.cli.add_command(seed_demo_command)
    from civic.accounts.cli import accounts_cli

    app.cli.add_command(accounts_cli)
    from civic.budget.cli import fph_cli, pb_cli

    app.cli.add_command(pb_cli)
    app.cli.add_command(fph_cli)
    from civic.events.cli import events_cli

    app.cli.add_command(events_cli)
    from civic.pilotage.cli import pilotage_cli

    app.cli.add_command(pilotage_cli)
    from civic.core.uploads import uploads_cli

    app.cli.add_command(uploads_cli)
    from civic.core import jobs, mail  # noqa: F401  (mail declares its jobs)

    jobs.init_app(app)
    return app
