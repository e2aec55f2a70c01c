"""The corrective-denial check beside the offline judge: "a repositioning, not a withdrawal"."""

from __future__ import annotations

import numpy as np

from checker.judges.denials import denial_clash, denied
from checker.judges.nli import NLIJudge, Scored
from checker.schemas import Claim
from tests.fakes import article

FULL_WITHDRAWAL = "Russian forces have fully withdrawn from the Ukrainian capital, Kyiv, the Pentagon said Wednesday."
REPOSITIONING = "It assesses that these movements are reflective of a “repositioning, not a major withdrawal.”"


def test_a_denial_is_the_head_of_what_follows_a_comma_and_not() -> None:
    assert [stem for stem, _ in denied(REPOSITIONING)] == ["withdr"]
    assert [stem for stem, _ in denied("Russia’s retreat is a “relocation”, not a “withdrawal”")] == ["withdr"]
    assert denied("Russia is not withdrawing.") == []  # no comma: not the corrective form
    assert denied("He is, not only, a spokesman.") == []  # "not only" adds, it does not deny


def test_a_report_that_affirms_what_the_other_denies_clashes_either_way_round() -> None:
    assert denial_clash(REPOSITIONING, FULL_WITHDRAWAL)
    assert denial_clash(FULL_WITHDRAWAL, REPOSITIONING)


def test_no_clash_where_the_other_report_denies_too_or_matches_only_a_modifier() -> None:
    assert not denial_clash(REPOSITIONING, "Russia has not withdrawn its forces from Kyiv.")
    assert not denial_clash(REPOSITIONING, "Officials said it was a relocation, not a withdrawal.")
    # "major" modifies the denied word; a major offensive is no withdrawal.
    assert not denial_clash(REPOSITIONING, "We all should be prepared to watch for a major offensive.")
    assert not denial_clash("Russia is not only withdrawing, it is regrouping.", FULL_WITHDRAWAL)


def test_the_judge_turns_a_denial_clash_into_a_contradiction_the_model_read_as_a_paraphrase() -> None:
    judge = NLIJudge.__new__(NLIJudge)  # the decision logic alone: no weights needed
    judge.agree_at, judge.contradict_at, judge.model_name = 0.55, 0.35, "nli-minilm"
    other = article(FULL_WITHDRAWAL, "2022-03-29", name="later")
    claim = Claim(id="c", article_id="a", text=REPOSITIONING, speaker="A", kind="event", start=0, end=len(REPOSITIONING), source_text=REPOSITIONING)
    # Probabilities the shipped model gives a pair of this shape: entailment over the threshold.
    scored = [Scored(0, len(FULL_WITHDRAWAL), FULL_WITHDRAWAL, np.array([0.554, 0.125, 0.321]))]
    verdict = judge.decide(claim, article(REPOSITIONING, "2022-03-29", name="a"), other, scored)
    assert verdict.label == "contradict"
    assert verdict.quote == FULL_WITHDRAWAL
    assert "denial clash: True" in (verdict.raw or "")
