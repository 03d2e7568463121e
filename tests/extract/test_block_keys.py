"""Block keys and template-free cleaning on their fast paths give what the general path gives."""

from __future__ import annotations

import pytest

from archiver.extract.boilerplate import Overrides, block_key, clean, normalize_block


@pytest.mark.parametrize("line, same_as", [
    ("Raised £٣٥٢٦ so far", "Raised £3526 so far"),  # Arabic-Indic digits
    ("Raised £３５２６ so far", "Raised £3526 so far"),  # full-width digits (NFKC)
    ("Straße 12 closed", "STRASSE 99 closed"),  # casefold makes it ASCII; digits still masked
    ("No digits in this one", "no  DIGITS in this one"),
])
def test_every_kind_of_digit_is_masked(line, same_as):
    assert block_key(line) == block_key(same_as)
    assert normalize_block("Page 7 of 9") == "page 0 of 0"


@pytest.mark.parametrize("text, want", [
    ("One.\n\nTwo.", "One.\n\nTwo."),
    ("\nOne.\n\n\n\nTwo.\n\n", "One.\n\nTwo."),
    ("", ""),
])
def test_cleaning_with_nothing_to_remove_only_collapses_blank_runs(text, want):
    assert clean(text, set()) == want
    # the general path (a rule that matches nothing) agrees
    assert clean(text, set(), Overrides(drop_text=("zzz never there",))) == want


def _general(line: str) -> str:
    """normalize_block without its fast paths: what every block's key was before them."""
    import re
    import unicodedata
    text = unicodedata.normalize("NFKC", line or "")
    text = re.sub(r"^\s*(?:[-*•·▪►»›]|\d+[.)])\s+", "", text).casefold()
    return " ".join(re.sub(r"\d+", "0", text).split())


@pytest.mark.parametrize("line", [
    "A plain single-spaced sentence.", " leading space", "trailing space ", "two  spaces",
    "tab\tinside", "carriage\rreturn", "vertical\x0btab", "form\x0cfeed",
    "unit\x1cseparators\x1d\x1e\x1f", "no-break\u00a0space", "ideographic\u3000space",
    "em\u2003space", "• bullet item", "12. numbered item", "- dash item", "ＦＵＬＬ width",
    "", " ", "\t", "x",
])
def test_block_normalisation_fast_paths_give_the_general_form(line):
    assert normalize_block(line) == _general(line)
