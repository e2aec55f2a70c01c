"""The bounded pool behind compare and report (checker/pipelines/pool.py)."""

from __future__ import annotations

import threading
import time

import pytest

from checker.pipelines.pool import as_finished


def test_every_item_is_yielded_once_with_its_own_result() -> None:
    got = {item: future.result() for item, future in as_finished(lambda n: n * n, range(20), 3)}
    assert got == {n: n * n for n in range(20)}


def test_no_more_calls_run_at_once_than_the_concurrency() -> None:
    lock, running, most = threading.Lock(), [0], [0]

    def work(_: int) -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.01)
        with lock:
            running[0] -= 1

    list(as_finished(work, range(30), 3))
    assert most[0] == 3


def test_a_failed_call_is_the_callers_to_raise_and_the_others_still_finish() -> None:
    def work(n: int) -> int:
        if n == 2:
            raise ValueError("bad item")
        return n

    outcomes = {}
    for item, future in as_finished(work, range(5), 2):
        try:
            outcomes[item] = future.result()
        except ValueError as exc:
            outcomes[item] = str(exc)
    assert outcomes == {0: 0, 1: 1, 2: "bad item", 3: 3, 4: 4}


def test_stop_starts_nothing_new_finishes_what_is_in_flight_and_yields_the_rest_unstarted() -> None:
    started: list[int] = []
    lock = threading.Lock()

    def work(n: int) -> int:
        with lock:
            started.append(n)
        return n

    stopped = False
    finished, unstarted = [], []
    for item, future in as_finished(work, range(100), 2, stop=lambda: stopped):  # noqa: B023 - reads the flag as it is now
        if future is None:
            unstarted.append(item)
            continue
        finished.append(future.result())
        stopped = True  # as a budget reached on the first answer would
    # At most 2 x concurrency calls were ever submitted, and every one of them finished.
    assert sorted(finished) == sorted(started)
    assert 1 <= len(started) <= 4
    assert sorted(finished + unstarted) == list(range(100))


def test_leaving_early_cancels_what_has_not_started() -> None:
    started: list[int] = []
    lock = threading.Lock()

    def work(n: int) -> int:
        with lock:
            started.append(n)
        time.sleep(0.01)
        return n

    with pytest.raises(KeyboardInterrupt):
        for _item, _future in as_finished(work, range(100), 2):
            raise KeyboardInterrupt  # Ctrl-C in the calling thread
    time.sleep(0.05)
    assert len(started) <= 4  # only what was submitted ahead ever ran
