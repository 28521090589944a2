"""What every template may use: can(), format filters, language and direction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel.numbers import format_decimal
from flask import Flask
from flask_login import current_user
from markupsafe import Markup

from civic.core import permissions
from civic.core.i18n import LANGUAGE_NAMES, format_date, format_datetime, get_locale, text_direction
from civic.core.money import format_cents, money_parts


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    @app.context_processor
    def _globals() -> dict[str, Any]:
        locale = str(get_locale())
        return {
            "can": lambda action, target=None: permissions.can(current_user, action, target),
            "lang": locale,
            "dir": text_direction(locale),
            "languages": LANGUAGE_NAMES,
        }

    @app.template_filter("bdi")
    def _bdi(value: Any) -> Markup:
        """Isolate a name inside a translated sentence, so that a French name keeps its
        order in an Arabic sentence: ``_("… %(name)s", name=x|bdi)``."""
        return Markup("<bdi>{}</bdi>").format(value)

    @app.template_filter("isolate")
    def _isolate(value: Any) -> str:
        """A name inside a page title (where no tag can go), isolated by Unicode's FSI
        and PDI marks: in an Arabic title, a French name keeps its order and its dash."""
        return f"\u2068{value}\u2069"

    @app.template_filter("money")
    def _money(cents: int) -> str:
        return format_cents(cents, str(get_locale()))

    @app.template_global("money_parts")
    def _money_parts() -> dict[str, str]:
        return money_parts(str(get_locale()))

    @app.template_filter("format_number")
    def _number(value: int | float) -> str:
        return format_decimal(value, locale=str(get_locale()))

    @app.template_filter("datetime")
    def _datetime(value: datetime | None, style: str = "medium") -> str:
        return format_datetime(value, style) if value else ""

    @app.template_filter("date")
    def _date(value: datetime | None, style: str = "long") -> str:
        return format_date(value, style) if value else ""
