"""The offline judge's logic without its weights: numbers, decisions, cascade, sentence claims."""

from __future__ import annotations

import numpy as np
import pytest

from checker.claims.offline_claims import SentenceExtractor, checkable, kind_of, speaker_of
from checker.errors import ConfigError
from checker.judges.cascade import CascadeJudge
from checker.judges.figures import figures, numbers_disagree, same_spelling
from checker.judges.nli import NLIJudge, Scored, candidate_spans, thresholds
from checker.schemas import Article, Claim, Evidence, Verdict
from tests.fakes import article

PASSAGE = "Representatives met in Turkey on Tuesday. The war forced nearly 4 million refugees to flee Ukraine. Talks continue on Wednesday."


def claim(text: str) -> Claim:
    return Claim(id="c", article_id="a", text=text, speaker="A", kind="event", start=0, end=len(text), source_text=text)


def test_figures_are_scaled_and_keyed_by_what_they_count() -> None:
    assert figures("nearly 4 million refugees and 8,500 troops in 2022") == {"refugee": {4e6}, "troop": {8500.0}}
    assert figures("one of the two officials, for two weeks") == {"official": {2.0}, "week": {2.0}, "span of 2": {14.0}}
    assert figures("7% of voters, up from 5 percent") == {"percent": {7.0, 5.0}}
    assert numbers_disagree("10 million refugees fled", PASSAGE)
    assert numbers_disagree("nearly 4 thousand refugees fled", PASSAGE)
    assert not numbers_disagree("nearly four million refugees fled", PASSAGE)  # the same figure in words
    assert not numbers_disagree("4 million refugees fled", PASSAGE)
    assert not numbers_disagree("about 4.05 million refugees fled", PASSAGE)  # rounding, not a conflict
    assert not numbers_disagree("8,500 troops were on alert", PASSAGE)  # not counted in the passage


def test_spans_of_time_in_different_units_disagree() -> None:
    sentence = "The negotiator said the two sides would meet again in the next two weeks."
    assert numbers_disagree("The sides will meet again within two months.", sentence)
    assert not numbers_disagree("The sides will meet again within 14 days.", sentence)
    assert not numbers_disagree("The sides will meet again within two weeks.", sentence)
    # Spans with other counts in other units are seldom the same span: "the last 24 hours" of
    # fighting is not the "eight years" of the conflict.
    assert not numbers_disagree("Shelling went on for the last 24 hours.", "The conflict has gone on for eight years.")
    assert not numbers_disagree("The talks took three days.", "The offensive lasted two weeks.")
    assert numbers_disagree("The offensive lasted two days.", "The offensive lasted two weeks.")
    # "three days ago" dates an event relative to its report: two reports a day apart differ.
    assert not numbers_disagree("Talks began three days ago.", "Talks began two days ago, officials said.")


def test_amounts_of_money_are_compared_within_their_currency_whatever_follows_them() -> None:
    assert figures("an additional $100 million in military assistance") == {"money $": {1e8}}
    assert figures("£5bn of cuts, €3.5 billion, US$2000 in fines") == {"money £": {5e9}, "money €": {3.5e9}, "money $": {2000.0}}
    assert figures("a 5m wall") == {}  # without a currency sign "m" is metres, not millions
    sentence = "The United States announced the approval of an additional $100 million in military assistance."
    assert numbers_disagree("The US approved an additional $10 million in military aid.", sentence)
    assert not numbers_disagree("The US approved another $100m of military aid.", sentence)
    assert not numbers_disagree("Britain approved £10 million in aid.", sentence)  # another currency, another amount


def test_a_figure_given_elsewhere_in_the_evidence_is_not_a_conflict() -> None:
    sentence = "Some 5,000 troops arrived on Monday."
    assert numbers_disagree("8,500 troops were put on alert.", sentence)
    assert not numbers_disagree("8,500 troops were put on alert.", sentence, elsewhere="In all, 8,500 troops are on alert.")


def test_candidates_are_sentences_and_neighbouring_pairs_within_the_evidence() -> None:
    other = article(PASSAGE, "2022-03-29")
    spans = candidate_spans(other, [Evidence(chunk_id="x", text=PASSAGE, start=0, end=len(PASSAGE), score=1.0)])
    texts = [PASSAGE[s:e] for s, e in spans]
    assert "The war forced nearly 4 million refugees to flee Ukraine." in texts
    assert any(t.startswith("Representatives met") and t.endswith("flee Ukraine.") for t in texts)
    assert len(spans) == 5  # 3 sentences + 2 pairs


def scored(other: Article, *rows: tuple[str, tuple[float, float, float]]) -> list[Scored]:
    out = []
    for text, probs in rows:
        start = other.text.index(text)
        out.append(Scored(start, start + len(text), text, np.array(probs, dtype=np.float32)))
    return out


def decide(text: str, rows, a_date="2022-03-29", b_date="2022-03-29", at: tuple[float, float] = (0.55, 0.55)) -> Verdict:
    judge = NLIJudge.__new__(NLIJudge)  # decide() needs no weights
    judge.model_name = "nli-minilm"
    judge.agree_at, judge.contradict_at = at
    other = article(PASSAGE, b_date)
    return judge.decide(claim(text), article(text, a_date, "a"), other, scored(other, *rows))


REFUGEES = "The war forced nearly 4 million refugees to flee Ukraine."


def test_a_strong_entailment_agrees_and_quotes_its_sentence() -> None:
    verdict = decide("Nearly four million refugees fled.", [(REFUGEES, (0.9, 0.05, 0.05)), ("Talks continue on Wednesday.", (0.1, 0.8, 0.1))])
    assert verdict.label == "agree" and verdict.quote == REFUGEES and verdict.quote_start == PASSAGE.index(REFUGEES)
    assert verdict.judge == "nli" and verdict.confidence == pytest.approx(0.9)


def test_a_strong_contradiction_on_the_same_day_contradicts() -> None:
    verdict = decide("No refugees left Ukraine.", [(REFUGEES, (0.05, 0.1, 0.85))])
    assert verdict.label == "contradict" and verdict.quote == REFUGEES


def test_a_contradiction_between_different_dates_is_superseded() -> None:
    verdict = decide("No refugees left Ukraine.", [(REFUGEES, (0.05, 0.1, 0.85))], a_date="2022-02-25")
    assert verdict.label == "superseded" and "32 days apart" in verdict.rationale


def test_different_figures_contradict_even_when_the_model_hesitates() -> None:
    verdict = decide("More than 10 million refugees fled Ukraine.", [(REFUGEES, (0.3, 0.5, 0.2))])
    assert verdict.label == "contradict" and "different figure" in verdict.rationale


def test_different_figures_contradict_even_when_the_model_says_entailed() -> None:
    # The model's blind spot: everything but the figure is the same, so it says entailed.
    verdict = decide("More than 10 million refugees fled Ukraine.", [(REFUGEES, (0.98, 0.01, 0.01))])
    assert verdict.label == "contradict" and "different figure" in verdict.rationale


MET = "Representatives met in Turkey on Tuesday."


def test_agreement_is_earned_by_one_sentence_not_by_a_pair() -> None:
    """A pair of sentences entailing the claim where neither sentence does is not agreement
    (the model inflates same-story pairs; thresholds are tuned on single sentences)."""
    pair = f"{MET} {REFUGEES}"
    rows = [(MET, (0.3, 0.6, 0.1)), (REFUGEES, (0.35, 0.6, 0.05)), (pair, (0.9, 0.05, 0.05))]
    assert decide("Refugees fled after the talks in Turkey.", rows).label == "not_addressed"
    # One sentence that alone entails it agrees, and is the quote.
    rows[1] = (REFUGEES, (0.8, 0.15, 0.05))
    verdict = decide("Refugees fled after the talks in Turkey.", rows)
    assert verdict.label == "agree" and verdict.quote == REFUGEES


def test_a_pair_of_sentences_can_still_contradict() -> None:
    pair = f"{MET} {REFUGEES}"
    rows = [(MET, (0.1, 0.8, 0.1)), (REFUGEES, (0.1, 0.7, 0.2)), (pair, (0.05, 0.1, 0.85))]
    verdict = decide("No refugees left Ukraine before the talks.", rows)
    assert verdict.label == "contradict" and verdict.quote == pair


def test_nothing_strong_is_not_addressed_without_a_quote() -> None:
    verdict = decide("Lavrov met Blinken in Geneva.", [(REFUGEES, (0.2, 0.7, 0.1))])
    assert verdict.label == "not_addressed" and verdict.quote is None


def test_the_thresholds_stored_with_the_weights_decide(tmp_path) -> None:
    assert thresholds(tmp_path) == (0.55, 0.55)  # no file: the defaults
    (tmp_path / "thresholds.json").write_text('{"agree_at": 0.35, "contradict_at": 0.6, "mean": 0.59}')
    assert thresholds(tmp_path) == (0.35, 0.6)
    rows = [(REFUGEES, (0.4, 0.45, 0.15))]
    assert decide("Nearly four million refugees fled.", rows).label == "not_addressed"
    assert decide("Nearly four million refugees fled.", rows, at=(0.35, 0.6)).label == "agree"
    assert decide("No refugees left.", [(REFUGEES, (0.1, 0.32, 0.58))], at=(0.35, 0.6)).label == "not_addressed"


def test_a_broken_thresholds_file_names_itself_and_the_fix(tmp_path) -> None:
    (tmp_path / "thresholds.json").write_text('{"agree_at": "high"}')
    with pytest.raises(ConfigError) as raised:
        thresholds(tmp_path)
    assert "thresholds.json" in raised.value.one_line() and "tune_thresholds --write" in raised.value.one_line()


class FixedJudge:
    def __init__(self, verdict: Verdict) -> None:
        self.verdict = verdict
        self.calls = 0
        self.name = "fixed"
        self.llm = self.scorer = self.screening = None

    def judge(self, *args) -> Verdict:
        self.calls += 1
        return self.verdict


@pytest.mark.parametrize(
    ("offline", "sent"),
    [
        (Verdict(label="agree", confidence=0.95, judge="nli"), False),
        (Verdict(label="not_addressed", confidence=0.9, judge="nli"), False),
        (Verdict(label="agree", confidence=0.6, judge="nli"), True),  # uncertain
        (Verdict(label="contradict", confidence=0.99, judge="nli"), True),  # every conflict is checked
        (Verdict(label="superseded", confidence=0.99, judge="nli"), True),
    ],
)
def test_the_cascade_sends_conflicts_and_doubts_to_the_llm(offline: Verdict, sent: bool) -> None:
    llm = FixedJudge(Verdict(label="agree", confidence=0.8, judge="llm"))
    cascade = CascadeJudge(FixedJudge(offline), llm)  # type: ignore[arg-type]
    result = cascade.judge(claim("x"), article("x", None, "a"), article(PASSAGE, None), [])
    assert llm.calls == int(sent) and cascade.screening.escalated == int(sent) and cascade.screening.screened == 1
    assert result.judge == ("llm" if sent else "nli")


def test_the_offline_verdict_stands_when_the_llm_fails() -> None:
    llm = FixedJudge(Verdict(label="unscored", error="timeout", judge="llm"))
    cascade = CascadeJudge(FixedJudge(Verdict(label="contradict", confidence=0.9, judge="nli")), llm)  # type: ignore[arg-type]
    result = cascade.judge(claim("x"), article("x", None, "a"), article(PASSAGE, None), [])
    assert result.label == "contradict" and "offline verdict stands" in result.quote_note


def test_speakers_kinds_and_what_counts_as_a_claim() -> None:
    assert speaker_of("“Nobody should be fooling ourselves,” Defense Department spokesman John Kirby said.") == "John Kirby"
    assert speaker_of("Russian forces have fully withdrawn from Kyiv, the Pentagon said Wednesday.") == "the Pentagon"
    assert speaker_of("The war is over.") is None
    assert kind_of("“We are leaving,” he said.") == "quote" and kind_of("About 8,500 troops left.") == "number"
    assert kind_of("Russia may push out from the Donbas region.") == "assessment" and kind_of("Troops left the city.") == "event"
    assert not checkable("Will Russia leave Kyiv for good this time?")
    assert not checkable("US backtracks on talk of Russian invasion")
    assert checkable("Russian forces have fully withdrawn from the capital.")


def test_sentence_claims_resolve_pronouns_to_the_last_named_speaker() -> None:
    text = (
        "Kirby briefed reporters on Tuesday at the Pentagon.\n\n“We see strikes on Kyiv every single day now,” he said.\n\n"
        "Is the war over?\n\nSource link"
    )
    claims, dropped = SentenceExtractor().extract(article(text, "2022-03-29", "a"))
    assert [c.text for c in claims] == [
        "Kirby briefed reporters on Tuesday at the Pentagon.",
        "“We see strikes on Kyiv every single day now,” he said.",
    ]
    assert claims[1].speaker == "Kirby" and claims[1].kind == "quote" and dropped == 0
    assert all(text[c.start : c.end] == c.text for c in claims)


def test_sentence_splitting_is_safe_across_threads() -> None:
    """Judges and extractors run in thread pools; a shared pysbd segmenter mixed up texts."""
    from concurrent.futures import ThreadPoolExecutor

    from checker.articles import sentences
    from tests.conftest import CORPUS

    texts = [path.read_text(encoding="utf-8") for path in sorted(CORPUS.glob("*.md"))] * 4
    expected = [sentences.split(text) for text in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(sentences.split, texts)) == expected


def test_settings_name_another_judge_folder(tmp_path, monkeypatch) -> None:
    # A retrained judge is measured from its own folder before it replaces the bundled one.
    import shutil

    from checker.config import Settings, bundled_judge_dir
    from checker.pipelines.judging import build

    folder = tmp_path / "judge"
    folder.mkdir()
    for name in ("model.onnx", "tokenizer.json", "tokenizer_config.json", "config.json"):
        if (bundled_judge_dir() / name).exists():
            shutil.copy(bundled_judge_dir() / name, folder / name)
    (folder / "thresholds.json").write_text('{"agree_at": 0.65, "contradict_at": 0.4}')
    monkeypatch.setenv("CHECKER_JUDGE_MODEL", str(folder))
    judging = build("nli", Settings(), None)
    assert judging.judge.name.endswith(":0.65/0.4:e4") and judging.judge.model_dir == folder  # type: ignore[attr-defined]


@pytest.mark.slow
@pytest.mark.parametrize("said", ["", ", officials said", ", the Pentagon said on Tuesday", ", according to the Pentagon"])
def test_an_attributed_negation_contradicts(said: str) -> None:
    """Who said it is the speaker, not what happened: an attributed negation still contradicts
    (with ", officials said" the judge once said `agree`), and the quote keeps the attribution."""
    text = f"Russian forces have not withdrawn from Kyiv{said}."
    other = article(text, None)
    passage = Evidence(chunk_id="b:0", text=text, start=0, end=len(text), score=1.0)
    verdict = NLIJudge().judge(claim("Russian forces have withdrawn from Kyiv"), article("x", None, "a"), other, [passage])
    assert verdict.label == "contradict" and verdict.quote == text


@pytest.mark.slow
def test_an_attributed_report_is_not_made_an_agreement() -> None:
    """Entailment is read as written: the attribution never turns a report into an `agree` it
    was not before (FNC-1 calls an attributed report 'discuss')."""
    from checker.judges.nli import ENTAIL, probabilities, read_pairs

    pairs = [("Russian forces have withdrawn from Kyiv, officials said.", "Russian forces have withdrawn from Kyiv.")]
    as_written = probabilities([(same_spelling(p), same_spelling(c)) for p, c in pairs])
    assert read_pairs(pairs)[0][ENTAIL] == pytest.approx(as_written[0][ENTAIL])
