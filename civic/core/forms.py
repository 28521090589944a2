"""Validators and field helpers shared by every form."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from wtforms import Field, Form, HiddenField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from civic.core.i18n import _l
from civic.core.money import NotAnAmount, cents_to_input, parse_euros

_ALLOWED_CONTROLS = {"\n", "\r", "\t"}


class PlainText:
    """Refuse control characters (a pasted NUL or escape code) in free text."""

    def __init__(self, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, _form: Form, field: Field) -> None:
        value = field.data
        if not isinstance(value, str):
            return
        for char in value:
            if unicodedata.category(char) in {"Cc", "Cf"} and not (
                self.multiline and char in _ALLOWED_CONTROLS
            ) and char not in {"\u200f", "\u200e", "\u200d", "\u200c"}:
                raise ValidationError(_l("Ce texte contient des caractères invisibles. "
                                         "Retapez-le sans copier-coller."))
            if not self.multiline and char in _ALLOWED_CONTROLS:
                raise ValidationError(_l("Écrivez ce texte sur une seule ligne."))


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


#: The largest number an INTEGER column holds (PostgreSQL's int4): every id is below it.
DB_INT_MAX = 2**31 - 1


def db_int(value: Any) -> int:
    """A whole number the database can hold, else ``ValueError``: for ``coerce=`` and
    ``request.args.get(type=…)``, so that 20 digits are refused, not sent to the driver."""
    number = int(str(value).strip())
    if not -DB_INT_MAX - 1 <= number <= DB_INT_MAX:
        raise ValueError(value)
    return number


def is_db_int(value: Any) -> bool:
    """Digits only, and a number the database can hold."""
    text = str(value)
    return text.isdigit() and len(text) <= 10 and int(text) <= DB_INT_MAX


def optional_int(value: Any) -> int | None:
    """Coerce for select fields whose first choice is "none": '' → None."""
    if value in ("", None, "None"):
        return None
    return db_int(value)


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs; the value becomes the option's text."""
    return [SelectChoice("" if value is None else str(value), label) for value, label in pairs]


def blank_choice(label: Any) -> list[tuple[Any, Any]]:
    return [("", label)]


Filter = Callable[[Any], Any]
TEXT_FILTERS: list[Filter] = [strip]


class EurosField(StringField):
    """An amount typed in euros (``1 500,50``), read as integer cents in ``.data``."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw = valuelist[0] if valuelist else ""
        self.data = None
        if not self.raw.strip():
            return
        try:
            self.data = parse_euros(self.raw)
        except NotAnAmount as error:
            raise ValueError(_l("Écrivez un montant en euros, par exemple 1500 ou 1500,50.")) \
                from error

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return cents_to_input(self.data)


class NumberField(StringField):
    """A number as people type it (``1 250,5`` or ``1250.5``), read as a ``Decimal``
    with two decimals at most in ``.data``; ``limit`` bounds its size either way."""

    def __init__(self, *args: Any, limit: Decimal = Decimal("1e12"), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit = limit

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw = valuelist[0] if valuelist else ""
        self.data = None
        text = "".join(self.raw.split()).replace("\u202f", "").replace(",", ".")
        if not text:
            return
        try:
            number = Decimal(text)
        except InvalidOperation as error:
            raise ValueError(_l("Écrivez un nombre, par exemple 120 ou 12,5.")) from error
        if not number.is_finite() or abs(number) >= self.limit or (
                number != number.quantize(Decimal("0.01"))):
            raise ValueError(_l("Écrivez un nombre, par exemple 120 ou 12,5.")) from None
        self.data = number.quantize(Decimal("0.01"))

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        return format(self.data.normalize(), "f").replace(".", ",")


class HoneypotField(StringField):
    """A field people never see (the template hides it) and spam robots fill in."""

    def pre_validate(self, form: Form) -> None:
        if self.data:
            raise ValidationError(_l("Laissez ce champ vide."))


class CoordinateField(HiddenField):
    """Latitude or longitude filled by « use my position »; a bad value is dropped
    with a message rather than refused silently."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = (valuelist[0] if valuelist else "").strip().replace(",", ".")
        self.data = None
        if not raw:
            return
        try:
            self.data = float(raw)
        except ValueError as error:
            raise ValueError(_l("Cette position n’a pas pu être lue. Réessayez.")) from error

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)


def page_number(value: Any, last: int = 10_000) -> int:
    """A ``?page=`` argument as a page from 1 to ``last``: anything else is page 1 (or
    the last), never an offset too large for the database."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), last)


def attach(form: Any, error: Any, messages: Mapping[str, Any],
           fallback: str | None = None) -> None:
    """A service's ``RuleBroken`` shown with the part's message for its code (or the
    ``fallback`` code's), next to its field or above the form."""
    message = messages.get(error.code) or messages[fallback or error.code]
    show_error(form, error.field, str(message))


def show_error(form: Any, field_name: str | None, message: str) -> None:
    """A service's refusal next to the field it concerns; without one, above the form
    (the page answers 400 either way, since the form now has errors)."""
    from flask import flash

    field = getattr(form, field_name or "", None)
    if isinstance(field, Field):
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)
        flash(message, "error")
