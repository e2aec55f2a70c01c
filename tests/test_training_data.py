"""The judge's training and held-out splits, on small hand-made files shaped like ../shared/datasets."""

from __future__ import annotations

import pytest

# torch comes with the train extra (`make train-install`; `make test` installs it).
pytest.importorskip("torch", reason="needs the train extra: make train-install")

import json  # noqa: E402
from pathlib import Path  # noqa: E402

from training import data  # noqa: E402
from training.experiments import probe_polarity, probe_snli  # noqa: E402


def _write(path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def _sick(i: int, ab: str, ba: str, split: str = "TRAIN") -> dict:
    label = {"A_entails_B": "supported", "A_neutral_B": "not_enough_info", "A_contradicts_B": "contradicted"}[ab]
    return {
        "id": f"sick-{i}",
        "premise_or_evidence": f"A man is playing a guitar {i}",
        "claim": f"A person plays {i}",
        "label": label,
        "meta": {"semeval_set": split, "entailment_AB": ab, "entailment_BA": ba},
    }


def test_mirrored_pairs_read_sick_backwards_with_its_own_labels_and_reverse_only_snli_contradictions(tmp_path) -> None:
    _write(
        tmp_path / "nli" / "sick.jsonl",
        [
            _sick(1, "A_entails_B", "B_neutral_A"),
            _sick(2, "A_contradicts_B", "B_contradicts_A", split="TRIAL"),
            _sick(3, "A_entails_B", "B_entails_A", split="TEST"),  # the split the committed mixture never trains on
        ],
    )
    _write(
        tmp_path / "nli" / "snli_dev.jsonl",
        [
            {"premise_or_evidence": "Two women are embracing .", "claim": "The men are fighting .", "label": "contradicted"},
            {"premise_or_evidence": "Two women are embracing .", "claim": "Two women hug .", "label": "supported"},
            {"premise_or_evidence": "Two women are embracing .", "claim": "The sisters say goodbye .", "label": "not_enough_info"},
        ],
    )

    pairs = data.mirrored_pairs(datasets=tmp_path)

    sick = [p for p in pairs if p.source.startswith("nli/sick")]
    assert [(p.premise, p.hypothesis, p.label) for p in sick] == [
        ("A person plays 1", "A man is playing a guitar 1", 1),  # entailed one way, only neutral back
        ("A person plays 2", "A man is playing a guitar 2", 2),
    ]
    snli = [p for p in pairs if p.source.startswith("nli/snli")]
    assert [(p.premise, p.hypothesis, p.label) for p in snli] == [("The men are fighting.", "Two women are embracing.", 2)]


def test_more_headlines_trains_on_every_fnc_training_row_but_the_tuning_ones(tmp_path, monkeypatch) -> None:
    bodies = [f"Officials in town {i} said the bridge would reopen. Engineers inspected it twice." for i in range(80)]
    _write(
        tmp_path / "fnc1" / "fnc1_competition_test_related_only.jsonl",
        [{"premise_or_evidence": body, "claim": f"Bridge {i} reopens", "label": "supported"} for i, body in enumerate(bodies)],
    )
    _write(tmp_path / "nli" / "snli_dev.jsonl", [])
    _write(tmp_path / "nli" / "sick.jsonl", [])
    monkeypatch.setattr(data, "FNC_HEADLINES", 20)
    monkeypatch.setattr(data, "FNC_TUNING", 15)

    training = {p.hypothesis for p in data.more_headline_pairs(datasets=tmp_path) if p.source == "fnc1"}

    rows = data.fnc_rows(held_out=False, datasets=tmp_path)
    tuning = {r["claim"] for r in data.fnc_tuning_rows(datasets=tmp_path)}
    assert len(tuning) == 15
    assert not training & tuning
    assert training | tuning == {r["claim"] for r in rows}
    assert not training & {r["claim"] for r in data.fnc_rows(held_out=True, datasets=tmp_path)}


def test_the_snli_probe_scores_a_fixed_fifth_of_snli_dev_it_never_trains_on(tmp_path) -> None:
    _write(
        tmp_path / "nli" / "snli_dev.jsonl",
        [{"id": f"dev-{i}", "premise_or_evidence": f"A dog runs {i} .", "claim": f"An animal moves {i} .", "label": "supported"} for i in range(200)],
    )

    train, held = probe_snli.probe_split(tmp_path)

    assert len(train) + len(held) == 200 and 20 < len(held) < 60  # about one in five
    assert not {p.premise for p in train} & {p.premise for p in held}
    assert probe_snli.probe_split(tmp_path) == (train, held)  # the same split on every run
    assert all(p.premise.endswith(".") and not p.premise.endswith(" .") and p.label == 0 for p in train + held)  # untokenised like training pairs


def test_the_polarity_probe_flips_a_claim_at_its_first_auxiliary_both_ways() -> None:
    assert probe_polarity.flipped("Kirby said US troops would be sent to Ukraine.") == "Kirby said US troops would not be sent to Ukraine."
    assert probe_polarity.flipped("Putin has not agreed to meet Zelensky.") == "Putin has agreed to meet Zelensky."
    assert probe_polarity.flipped("Boris Johnson said a ceasefire wouldn’t be enough.") == "Boris Johnson said a ceasefire would be enough."
    assert probe_polarity.flipped("Moscow denied planning an attack.") is None  # no auxiliary: nothing to flip


def test_the_polarity_probe_finds_a_shared_word_negated_on_one_side_only() -> None:
    claim = "The talks in Geneva produced a breakthrough on Ukraine."
    assert probe_polarity.negated_shared_word(claim, "The talks in Geneva on Ukraine produced no breakthrough.") == "breakt"
    assert probe_polarity.negated_shared_word(claim, "The talks in Geneva on Ukraine produced a breakthrough.") is None
    # "not only" is no negation, and too little shared content is no evidence either way
    assert probe_polarity.negated_shared_word(claim, "Not only did the Geneva talks on Ukraine produce a breakthrough.") is None
    assert probe_polarity.negated_shared_word(claim, "There was no breakthrough.") is None


def test_rte_trains_on_its_train_and_test_parts_with_not_entailed_as_a_coarse_label(tmp_path) -> None:
    def rte(i: int, label: str, part: str) -> dict:
        return {"premise_or_evidence": f"Premise {i}.", "claim": f"Claim {i}.", "label": label, "meta": {"resplit": part}}

    _write(
        tmp_path / "nli" / "rte_glue_all.jsonl",
        [rte(1, "supported", "train"), rte(2, "inconsistent", "test"), rte(3, "supported", "dev"), rte(4, "inconsistent", "dev")],
    )
    pairs = data.rte_pairs(tmp_path)
    assert [(p.premise, p.label) for p in pairs] == [("Premise 1.", 0), ("Premise 2.", data.NOT_ENTAILED)]  # dev is held out


def _row(i: int, source: str, label: str, premise: str, claim: str, **meta) -> dict:  # type: ignore[no-untyped-def]
    return {
        "id": f"{source}-{i}",
        "premise_or_evidence": premise,
        "claim": claim,
        "label": label,
        "orig_label": meta.pop("orig_label", label),
        "meta": meta,
    }


def test_the_wide_mixture_never_trains_on_held_out_or_tuning_rows(tmp_path, monkeypatch) -> None:
    """Run J's mixture (training/wide.py) on tiny files: FEVER rows sharing a claim or an
    evidence text with FEVER Symmetric are dropped, FNC-1 train bodies shared with the
    competition test are dropped, and the tuning rows of FNC-1 train, MNLI and FEVER-NLI are
    kept out, while every source is used."""
    from training import wide

    monkeypatch.setattr(data, "FNC_HEADLINES", 5)
    sentence = "Officials in the town said the old bridge would reopen after engineers inspected it twice this week."
    bodies = [f"{sentence} Town {i} waited. The mayor of town {i} thanked the engineers for their careful work." for i in range(20)]
    _write(
        tmp_path / "fnc1" / "fnc1_competition_test_related_only.jsonl",
        [_row(i, "fnc", "supported", body, f"Bridge {i} reopens") for i, body in enumerate(bodies)],
    )
    _write(tmp_path / "nli" / "snli_dev.jsonl", [_row(i, "snli", "supported", f"A dog runs {i} .", f"An animal moves {i} .") for i in range(5)])
    _write(tmp_path / "nli" / "sick.jsonl", [])
    _write(
        tmp_path / "nli" / "rte_glue_all.jsonl",
        [_row(i, "rte", "inconsistent", f"Rain fell {i}.", f"It was dry {i}.", resplit="train") for i in range(3)],
    )
    _write(tmp_path / "nli" / "mnli_dev_matched.jsonl", [_row(i, "mnli", "contradicted", f"He left at {i}.", f"He stayed {i}.") for i in range(60)])
    _write(tmp_path / "nli" / "anli_dev.jsonl", [_row(i, "anli", "not_enough_info", f"A film from {i}.", f"It won {i} prizes.") for i in range(3)])
    held = [
        _row(i, "sym", "supported", f"Paris is the capital of France and its largest city number {i}.", f"Paris is a city {i}.") for i in range(3)
    ]
    _write(tmp_path / "fever" / "fever_symmetric.jsonl", held)
    fever = [_row(i, "fevernli", "inconsistent", f"Berlin hosts the parliament {i}.", f"Berlin is small {i}.") for i in range(60)] + [
        _row(100, "fevernli", "supported", "Some evidence.", "Paris is a city 0."),  # a held-out claim
        _row(101, "fevernli", "supported", "Title . Paris is the capital of France and its largest city number 1. More.", "A new claim."),
    ]  # a held-out evidence text inside the premise
    _write(tmp_path / "fever" / "fever_nli_binary.jsonl", fever)
    _write(tmp_path / "fever" / "sufficient_facts.jsonl", [_row(0, "sf", "supported", "Evidence text here.", "Paris is a city 2.")])
    _write(
        tmp_path / "covidfact" / "covidfact.jsonl",
        [_row(i, "covid", "contradicted", f"Masks cut spread {i}.", f"Masks raise spread {i}.") for i in range(3)],
    )
    train_rows = [
        _row(i, "fnctrain", "supported", body, f"Headline {i}", body_id=str(i), body_also_in_fnc1_test=i == 7) for i, body in enumerate(bodies)
    ]
    _write(tmp_path / "fnc1" / "fnc1_train_related_only.jsonl", train_rows)
    _write(
        tmp_path / "fnc1" / "fnc1_train_unrelated_sample.jsonl",
        [
            _row(i, "unrel", "not_enough_info", bodies[i], f"Unrelated {i}", body_id=str(i), body_also_in_fnc1_test=False, orig_label="unrelated")
            for i in range(20)
        ],
    )

    pairs = wide.wide_pairs(datasets=tmp_path)
    sources = {p.source for p in pairs}
    assert {
        "nli/mnli_dev_matched.jsonl",
        "nli/anli_dev.jsonl",
        "fever/fever_nli_binary.jsonl",
        "covidfact/covidfact.jsonl",
        "nli/rte_glue_all.jsonl",
        "fnc1",
        "nli/snli_dev.jsonl",
    } <= sources
    hypotheses = {p.hypothesis for p in pairs}
    assert "Paris is a city 0." not in hypotheses and "A new claim." not in hypotheses and "Paris is a city 2." not in hypotheses
    assert "Headline 7" not in hypotheses  # its body is a competition-test body
    for name in ("fnc1/", "nli/mnli_dev_matched.jsonl", "fever/fever_nli_binary.jsonl"):
        tuning = {r["claim"] for r in wide.tuning_rows(name, datasets=tmp_path)}
        assert tuning and not tuning & hypotheses, name
    # "inconsistent" (binary not-supported) is the coarse label, never called neutral or contradiction.
    assert {p.label for p in pairs if p.source == "fever/fever_nli_binary.jsonl"} == {data.NOT_ENTAILED}


def test_the_precision_objective_adds_fnc_agree_precision_as_a_fourth_term() -> None:
    """docs/history/THRESHOLDS-PLAN.md: the f1 objective is the mean of the three tuning macro-F1s; the
    precision objective averages the FNC-1 tuning precision of `agree` in as a fourth."""
    from training.tune_thresholds import objective

    row = {"fnc1_tuning_macro_f1": 0.6, "mnli_tuning_macro_f1": 0.6, "fever_tuning_macro_f1": 0.9, "fnc1_tuning_agree_precision": 0.3}
    assert objective(row, "f1") == 0.7
    assert objective(row, "precision") == 0.6


def test_metrics_name_the_shipped_weights_relative_to_the_repository(tmp_path: Path) -> None:
    # metrics.json is committed: an absolute path would name the machine it was measured on.
    from checker.evaluation.evals import ROOT
    from training import evaluate_nli

    assert evaluate_nli.shown_path(ROOT / "models" / "nli-minilm") == "models/nli-minilm"
    assert evaluate_nli.shown_path(tmp_path) == str(tmp_path)


def test_a_re_measurement_keeps_the_history_it_does_not_measure() -> None:
    # evaluate_nli rewrote metrics.json whole: re-measuring the shipped judge dropped the
    # figures of every earlier run and export recorded beside it.
    from training.evaluate_nli import with_history

    previous = {"snli_test_accuracy": 0.789, "export": {"precision": "int8"}, "run_m_fp32_export": {"snli_test_accuracy": 0.788}}
    merged = with_history({"snli_test_accuracy": 0.790, "pairs_per_second": 170.3}, previous)
    assert merged["snli_test_accuracy"] == 0.790 and merged["pairs_per_second"] == 170.3
    assert merged["run_m_fp32_export"] == {"snli_test_accuracy": 0.788} and merged["export"] == {"precision": "int8"}
    assert list(merged)[:2] == ["snli_test_accuracy", "pairs_per_second"]


def test_a_precision_floor_keeps_only_pairs_that_reach_it() -> None:
    """docs/history/THRESHOLD-FLOOR-PLAN.md: below the floor a pair cannot win, however high its mean."""
    from training.tune_thresholds import choose

    rows = [
        {"agree_at": 0.45, "mean": 0.70, "fnc1_tuning_agree_precision": 0.63},
        {"agree_at": 0.60, "mean": 0.69, "fnc1_tuning_agree_precision": 0.66},
        {"agree_at": 0.70, "mean": 0.68, "fnc1_tuning_agree_precision": 0.70},
    ]
    assert [r["agree_at"] for r in choose(rows)] == [0.45, 0.60, 0.70]
    assert [r["agree_at"] for r in choose(rows, 0.66)] == [0.60, 0.70]
    with pytest.raises(SystemExit, match=r"highest: 0\.7"):
        choose(rows, 0.8)
