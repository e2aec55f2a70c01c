"""The offline judge's reading rules that do not need its model: hypotheticals are not
claims, one spelling per place name, and the quote is the single deciding sentence."""

from __future__ import annotations

import numpy as np

from checker.claims.offline_claims import checkable
from checker.judges.figures import same_spelling
from checker.judges.nli import ENTAIL, Scored, _single


def test_a_hypothetical_is_not_a_checkable_claim() -> None:
    assert not checkable("“The war could end today if Mr. Putin did the right thing and actually did withdraw all his forces from Ukraine,” he said.")
    assert not checkable("If the talks fail, Russia would attack the capital within days, officials warned.")
    assert checkable("Russian forces have fully withdrawn from Kyiv, the Pentagon said on Wednesday.")
    assert checkable("Kirby said the troops could be seen leaving the area around the city on Monday.")


def test_place_names_are_read_with_one_spelling() -> None:
    assert (
        same_spelling("Russia failed to take Kiev; Kiev's mayor spoke in the Donbass.")
        == "Russia failed to take Kyiv; Kyiv's mayor spoke in the Donbas."
    )
    assert same_spelling("Kievan Rus") == "Kievan Rus"  # a longer word is left alone


def _scored(start: int, end: int, entail: float) -> Scored:
    return Scored(start, end, "x" * (end - start), np.array([entail, 1 - entail, 0.0]))


def test_the_quote_is_the_single_sentence_when_it_alone_decides() -> None:
    """For a contradiction, which a pair of sentences may decide (agreement never is)."""
    first, second, pair = _scored(0, 10, 0.2), _scored(11, 20, 0.7), _scored(0, 20, 0.9)
    assert _single(pair, [first, second, pair], ENTAIL, 0.45) is second
    # When neither sentence alone reaches the threshold, the pair is the quote.
    weak = _scored(11, 20, 0.3)
    assert _single(pair, [first, weak, pair], ENTAIL, 0.45) is pair
