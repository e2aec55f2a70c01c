"""Bounded concurrent work for the pipelines (compare, report): one loop instead of one each.

Judge and extraction calls are network-bound, so a few run at once. Results are handed back
to the calling thread as each call finishes, so the caller stores it at once and a run that
is stopped (Ctrl-C, a crash, a budget reached) keeps everything that finished.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

Item = TypeVar("Item")


def as_finished(
    work: Callable[[Item], object], items: Iterable[Item], concurrency: int, *, stop: Callable[[], bool] = lambda: False, name: str = "worker"
) -> Iterator[tuple[Item, Future | None]]:
    """Run ``work(item)`` on ``concurrency`` threads; yield ``(item, future)`` as each call finishes.

    At most twice ``concurrency`` calls are submitted ahead, so once ``stop()`` turns true
    (a budget reached, a failure the caller is about to raise) little work has started that
    nobody wants: no new call starts, the calls in flight finish and are yielded, and the
    items never started are yielded last with ``None`` in place of a future. The future's
    ``result()`` raises what the call raised; what to do with that is the caller's choice.
    Leaving the loop early (Ctrl-C, an exception in the caller) cancels the calls not yet
    started and returns at once: a call in flight may wait on the network for up to the
    request timeout, and Ctrl-C must not (the CLI's entry point then exits without joining
    those threads; whatever finished was already handed back and stored).
    """
    limit = max(1, concurrency)
    pool = ThreadPoolExecutor(max_workers=limit, thread_name_prefix=name)
    queue = deque(items)
    pending: dict[Future, Item] = {}
    completed = False
    try:
        while queue or pending:
            while queue and len(pending) < 2 * limit and not stop():
                item = queue.popleft()
                pending[pool.submit(work, item)] = item
            if not pending:
                break
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                yield pending.pop(future), future
        for item in queue:  # never started: stop() turned true
            yield item, None
        completed = True
    finally:
        pool.shutdown(wait=completed, cancel_futures=True)
