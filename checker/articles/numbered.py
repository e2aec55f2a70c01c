"""Text shown to an LLM as numbered sentences, so the model cites by number and never copies.

Small models fail to copy a sentence character for character (and so did every claim and
quote that had to be found again in the article). Here the model answers with sentence
numbers, and the span it means is looked up: the quote or the claim's source is
``article.text[start:end]`` of those sentences, verbatim by construction.

The sentences are the offline judge's (checker.articles.sentences: pysbd within paragraphs), so both
judges quote the same units. Each sentence is one line (sentences never span a paragraph
break), which keeps a line's number the only thing before its text: article text cannot
forge a number of its own at the start of a line, and the whole block is still fenced.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from checker.articles.sentences import Sentence, split


@dataclass(frozen=True)
class NumberedText:
    """Sentences numbered from ``first``; offsets point into the text they were split from."""

    sentences: tuple[Sentence, ...]
    first: int = 1

    @property
    def last(self) -> int:
        return self.first + len(self.sentences) - 1

    def render(self) -> str:
        """One sentence per line, each after its number in brackets."""
        return "\n".join(f"[{self.first + i}] {s.text}" for i, s in enumerate(self.sentences))

    def problem(self, numbers: Sequence[int]) -> str | None:
        """Why ``numbers`` cannot be cited here, or None when every one is a sentence shown."""
        wrong = [n for n in numbers if not self.first <= n <= self.last]
        if not wrong:
            return None
        shown = f"{self.first} to {self.last}" if self.sentences else "none"
        return f"sentence number {wrong[0]} does not exist (the sentences shown are numbered {shown})"

    def span(self, numbers: Sequence[int]) -> tuple[int, int] | None:
        """The character span the numbers cite: the first cited sentence, extended over the
        ones cited right after it (3, 4, 5 is one passage; 3 and 9 cite 3, since one span
        cannot hold two places). None when no valid number is given."""
        valid = [n for n in numbers if self.first <= n <= self.last]
        if not valid:
            return None
        start = end = valid[0]
        while end + 1 in valid:
            end += 1
        return self.sentences[start - self.first].start, self.sentences[end - self.first].end


def of_text(text: str, first: int = 1) -> NumberedText:
    """The sentences of ``text``, numbered from ``first``."""
    return NumberedText(tuple(split(text)), first)


def of_passages(passages: Iterable[tuple[str, int]]) -> NumberedText:
    """The sentences of passages ``(text, start in the article)``, numbered across them in
    the order given, each sentence once even where passages overlap. Offsets are into the
    article the passages come from."""
    seen: set[int] = set()
    sentences: list[Sentence] = []
    for text, start in passages:
        for sentence in split(text, offset=start):
            if sentence.start not in seen:
                seen.add(sentence.start)
                sentences.append(sentence)
    return NumberedText(tuple(sentences))


def windows(numbered: NumberedText, max_chars: int) -> list[NumberedText]:
    """Consecutive runs of sentences of at most ``max_chars`` characters each (a longer
    sentence is a run of its own), keeping the article's numbering: a long article is read
    in windows so the prompt stays well inside a small model's context."""
    runs: list[NumberedText] = []
    begin, size = 0, 0
    for i, sentence in enumerate(numbered.sentences):
        if i > begin and size + len(sentence.text) + 1 > max_chars:
            runs.append(NumberedText(numbered.sentences[begin:i], numbered.first + begin))
            begin, size = i, 0
        size += len(sentence.text) + 1
    if begin < len(numbered.sentences) or not runs:
        runs.append(NumberedText(numbered.sentences[begin:], numbered.first + begin))
    return runs
