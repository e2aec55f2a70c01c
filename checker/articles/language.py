"""Which language a text is in, as far as checker needs to know today: whether the offline
judge, trained on English only, can read it.

Two tests, the surer first: a text whose letters are mostly of another script (Cyrillic,
Chinese, Arabic, ...) is not English, whatever a classifier says of a short span; a text in
Latin letters is English unless py3langid (langid.py's maintained fork: its model ships in
the package, numpy only) is sure it is another language. Short spans are never called
foreign on the classifier's word alone: names and datelines are in no language.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from py3langid.langid import LanguageIdentifier

SURE = 0.9  # the classifier's normalised probability needed to call Latin-script text foreign
MIN_WORDS = 5
_NAMES = {"fr": "French", "de": "German", "es": "Spanish", "it": "Italian", "pt": "Portuguese", "nl": "Dutch", "pl": "Polish",
          "ru": "Russian", "uk": "Ukrainian", "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "ar": "Arabic", "tr": "Turkish"}  # fmt: skip
_SCRIPTS = {"CJK": "Chinese", "HIRAGANA": "Japanese", "KATAKANA": "Japanese", "HANGUL": "Korean", "CYRILLIC": "Cyrillic script",
            "ARABIC": "Arabic", "HEBREW": "Hebrew", "GREEK": "Greek", "DEVANAGARI": "Hindi", "THAI": "Thai"}  # fmt: skip


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _script(letter: str) -> str:
    name = unicodedata.name(letter, "")
    return next((script for script in _SCRIPTS if name.startswith(script)), "LATIN" if "LATIN" in name else "OTHER")


def not_english(text: str) -> str | None:
    """The language (or script) ``text`` is in when it is not English, else None."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return None
    scripts: dict[str, int] = {}
    for letter in letters:
        script = _script(letter)
        scripts[script] = scripts.get(script, 0) + 1
    main = max(scripts, key=lambda s: scripts[s])
    if main != "LATIN" and scripts[main] * 2 > len(letters):
        return _SCRIPTS.get(main, "a non-Latin script")
    if len(re.findall(r"[^\W\d_]+", text)) < MIN_WORDS:
        return None
    code, probability = _identifier().classify(text)
    return _NAMES.get(code, f"language '{code}'") if code != "en" and probability >= SURE else None
