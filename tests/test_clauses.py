"""Clause-level claims: a multi-fact sentence becomes one verbatim claim per statement."""

from __future__ import annotations

from checker.articles.clauses import split
from checker.claims.offline_claims import SentenceExtractor
from checker.pipelines.report_pairs import pair_up
from checker.storage.claim_index import Neighbour
from tests.fakes import article

KIRBY = (
    "Pentagon spokesman John Kirby said the United States had seen a “small number” of Russian troops "
    "withdraw from Kiev, but said it was “too soon” to say whether the reduction was real."
)


def _texts(text: str, start: int = 0) -> list[str]:
    return [text[lo - start : hi - start] for lo, hi in split(text, start)]


def test_a_sentence_joining_two_statements_splits_at_the_joint_without_the_conjunction() -> None:
    assert _texts(KIRBY) == [
        "Pentagon spokesman John Kirby said the United States had seen a “small number” of Russian troops withdraw from Kiev",
        "said it was “too soon” to say whether the reduction was real.",
    ]
    quote = "“We believe this is a relocation, not a real withdrawal, and we must all be prepared to see a major offensive,” Kirby said."
    assert _texts(quote) == [
        "“We believe this is a relocation, not a real withdrawal",
        "we must all be prepared to see a major offensive,” Kirby said.",
    ]
    assert _texts("Troops left the northern city on Friday; officials expect them to regroup in the east.") == [
        "Troops left the northern city on Friday",
        "officials expect them to regroup in the east.",
    ]


def test_lists_short_parts_and_plain_sentences_stay_whole() -> None:
    listed = "Russian forces have fully withdrawn from the Ukrainian capital, Kyiv, and the city of Chernihiv to its north."
    assert _texts(listed) == [listed]  # ", and the city" is a list, not a second statement
    assert _texts("It rained on the city, but not much at all today.") == ["It rained on the city, but not much at all today."]
    assert _texts("Short one, yet it did; and so on and on and on forever more.") == ["Short one, yet it did; and so on and on and on forever more."]
    opening = "and the troops stayed in the north for many weeks more."
    assert _texts(opening) == [opening]  # a sentence's own first word is kept, whatever it is


def test_offsets_are_into_the_article() -> None:
    text = "Intro sentence here. " + KIRBY
    spans = split(KIRBY, start=21)
    assert [text[lo:hi] for lo, hi in spans] == _texts(KIRBY)


def test_offline_claims_are_clauses_verbatim_with_their_sentence_as_span() -> None:
    text = "Kirby briefed reporters on Tuesday at the Pentagon.\n\n" + KIRBY
    claims, _ = SentenceExtractor().extract(article(text, "2022-03-29", "a"))
    assert [c.text for c in claims] == ["Kirby briefed reporters on Tuesday at the Pentagon.", *_texts(KIRBY)]
    first, second = claims[1], claims[2]
    assert (first.start, first.end) == (second.start, second.end) and text[first.start : first.end] == KIRBY == first.source_text
    assert all(c.text in c.source_text for c in claims)
    assert first.speaker == second.speaker == "John Kirby" and first.id != second.id


def test_max_claims_counts_clauses() -> None:
    claims, _ = SentenceExtractor(max_claims=2).extract(article("Kirby briefed reporters on Tuesday at the Pentagon.\n\n" + KIRBY, "2022-03-29", "a"))
    assert len(claims) == 2 and claims[1].text.endswith("withdraw from Kiev")


def test_a_report_judges_an_earlier_claim_once_against_a_later_sentence() -> None:
    """Two clauses of one later sentence are one piece of evidence: the closer pair is kept."""
    earlier = article("Russian troops have begun leaving the area around Kiev this week.", "2022-03-28", "early")
    later = article(KIRBY, "2022-03-29", "late")
    (e_claim,), _ = SentenceExtractor().extract(earlier)
    l_claims, _ = SentenceExtractor().extract(later)
    assert len(l_claims) == 2
    near = {e_claim.id: [Neighbour(l_claims[0].id, later.id, 0.62), Neighbour(l_claims[1].id, later.id, 0.71)]}
    candidates = pair_up({earlier.id: earlier, later.id: later}, {earlier.id: [e_claim], later.id: l_claims}, near, {}, 0.5)
    assert [(c.pair.earlier, c.pair.later, c.pair.similarity) for c in candidates] == [(e_claim.id, l_claims[1].id, 0.71)]
