"""Each severity has its own word and symbol, so none is mistaken for another."""

from mitra.domain.alerts import Severity
from mitra.domain.severity_looks import LOOKS, look


def test_every_severity_has_a_distinct_word_and_symbol() -> None:
    assert set(LOOKS) == set(Severity)
    assert len({v.word for v in LOOKS.values()}) == len(Severity)
    assert len({v.symbol for v in LOOKS.values()}) == len(Severity)
    assert len({v.light for v in LOOKS.values()}) == len(Severity)
    assert len({v.print_symbol for v in LOOKS.values()}) == len(Severity)


def test_an_unknown_severity_is_shown_as_information_not_hidden() -> None:
    assert look("bogus").word == "Information"
    assert look(Severity.EMERGENCY).word == "Emergency"
