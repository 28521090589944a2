import pytest

from civic.core.money import format_cents


@pytest.mark.parametrize(("cents", "locale", "text"), [
    (150000, "fr", "1\u202f500,00\xa0€"),
    (150000, "en", "€1,500.00"),
    (5, "fr", "0,05\xa0€"),
    (0, "fr", "0,00\xa0€"),
])
def test_cents_are_shown_as_euros_in_the_reader_s_language(cents: int, locale: str,
                                                            text: str) -> None:
    assert format_cents(cents, locale) == text
