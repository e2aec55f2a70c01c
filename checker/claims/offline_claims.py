"""Claims without an LLM: the clauses of an article's checkable sentences, with speaker and kind.

Each claim is one clause of a sentence of the cleaned article (the whole sentence when it
makes one statement; checker/articles/clauses.py), verbatim, so its text is exact by
construction; its span is its sentence's, which a judge reads as the claim's context.
Skipped: questions, fragments and headings (no sentence ending, or too few words), and
sentences with no content beyond attribution. The speaker comes from attribution patterns
("..., Kirby said", "according to X", "X told reporters"); "he"/"she" take the last named
speaker, as a reader would; otherwise the outlet speaks in its own voice.
"""

from __future__ import annotations

import re

from checker.articles import clauses, sentences
from checker.claims.base import claim_id
from checker.schemas import Article, Claim, ClaimKind

MIN_WORDS = 6
_VERBS = r"(?:said|says|told(?: \w+)?|briefed(?: \w+)?|added|warned|noted|insisted|argued|predicted|cautioned|stated|confirmed|denied)"
_NAME = r"(?:[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){0,3})"
_ROLE = r"(?:(?:a |an |the )?(?:senior |top )?[\w.\- ]{0,40}?(?:official|spokesman|spokeswoman|spokesperson|secretary|minister|adviser|officer|president|negotiator))"
_PATTERNS = [
    # “...,” Defense Department spokesman John Kirby said / “...,” he said
    re.compile(rf"[,”\"]\s*(?:[\w. ]{{0,40}}?(?:spokesman|spokeswoman|secretary|minister|adviser)\s+)?(?P<speaker>{_NAME})\s+(?:went on|{_VERBS})"),
    re.compile(rf"[,”\"]\s*(?P<speaker>{_ROLE}|he|she|they|this person)\s+(?:went on|{_VERBS})", re.I),
    # ..., the Pentagon said Wednesday.
    re.compile(rf"[,”\"]\s*(?P<speaker>the [A-Z][\w.]+(?: [A-Z][\w.]+)*)\s+{_VERBS}"),
    # ..., said a senior U.S. defense official.
    re.compile(rf"\b{_VERBS}\s+(?P<speaker>{_ROLE}|{_NAME})\s*[,.]"),
    re.compile(r"\baccording to (?P<speaker>[^,.;]{3,60})"),
    # national security adviser Jake Sullivan predicted ... / Kirby told reporters ...
    re.compile(rf"(?P<speaker>{_NAME})\s+(?:{_VERBS}|went on)\b"),
    re.compile(rf"^(?P<speaker>{_ROLE})\s+(?:{_VERBS}|went on)\b"),
]
_NOT_SPEAKERS = {
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
}
_LEADING = re.compile(r"^(?:but|and|however|still|meanwhile|yet|so|in fact)\s+", re.I)
_PRONOUNS = {"he", "she", "they", "this person"}
_ASSESSMENT = re.compile(
    r"\b(believe[sd]?|assess(?:es|ed|ing)?|expect(?:s|ed)?|may|might|could|likely|appears?|predict(?:s|ed)?|warn(?:s|ed)?)\b", re.I
)


def speaker_of(sentence: str) -> str | None:
    for pattern in _PATTERNS:
        match = pattern.search(sentence)
        if match:
            speaker = _LEADING.sub("", " ".join(match.group("speaker").split()).strip(" ,"))
            if speaker.lower() in _NOT_SPEAKERS:
                continue
            if speaker and speaker[0].isupper() or speaker.lower() in _PRONOUNS or speaker.lower().startswith(("a ", "an ", "the ")):
                return speaker
    return None


def kind_of(sentence: str) -> ClaimKind:
    if re.search(r"[“”\"]", sentence):
        return "quote"
    if re.search(r"\d", sentence):
        return "number"
    if _ASSESSMENT.search(sentence):
        return "assessment"
    return "event"


# A hypothetical states no fact: "The war could end today if Mr. Putin did withdraw" says
# nothing about whether he did, yet reads to the model like a report that he did.
_HYPOTHETICAL = re.compile(
    r"\b(?:if|unless|were he|were she|were they)\b[^.]*\b(?:would|could|might)\b|"
    r"\b(?:would|could|might)\b[^.]*\b(?:if|unless)\b",
    re.I,
)


def checkable(sentence: str) -> bool:
    text = sentence.strip()
    if text.endswith("?") or len(text.split()) < MIN_WORDS or _HYPOTHETICAL.search(text):
        return False
    return bool(re.search(r"[.!”\"’']$", text))  # a sentence, not a heading or fragment


class SentenceExtractor:
    """The offline extractor: the clauses of every checkable sentence, at most ``max_claims``
    claims in the article's order."""

    def __init__(self, max_claims: int = 20) -> None:
        self.max_claims = max_claims
        # v2 (2026-12-03): one claim per clause, not per sentence.
        self.name = f"sentences:v2:{max_claims}"
        self.asks_llm = False

    def extract(self, article: Article) -> tuple[list[Claim], int]:
        claims: list[Claim] = []
        last_named: str | None = None
        for sentence in sentences.split(article.text):
            speaker = speaker_of(sentence.text)
            if speaker and speaker.lower() not in _PRONOUNS:
                last_named = speaker
            elif speaker:
                speaker = last_named or speaker
            if not checkable(sentence.text):
                continue
            for lo, hi in clauses.split(sentence.text, sentence.start, MIN_WORDS):
                clause = article.text[lo:hi]
                claims.append(
                    Claim(
                        id=claim_id(article.id, clause),
                        article_id=article.id,
                        text=clause,
                        speaker=speaker or article.outlet,
                        when=article.published.isoformat() if article.published else None,
                        kind=kind_of(clause),
                        start=sentence.start,
                        end=sentence.end,
                        source_text=sentence.text,
                    )
                )
        return claims[: self.max_claims], 0
