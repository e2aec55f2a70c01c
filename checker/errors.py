"""User-facing errors.

Every failure a user can cause or fix (a bad file, a missing setting, an unreachable
server) is raised as a ``CheckerError`` whose message names the input and the fix. The CLI
prints it as one line and exits non-zero; anything else is a bug and keeps its traceback
only under ``--debug``.
"""

from __future__ import annotations


class CheckerError(Exception):
    """An error the user can act on: ``message`` says what is wrong, ``hint`` how to fix it."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        text = self.message.rstrip(".")
        return f"{text}. {self.hint.rstrip('.')}." if self.hint else f"{text}."


class InputError(CheckerError):
    """A file or value given by the user cannot be used as it is."""


class StoreError(CheckerError):
    """The index (Chroma) or the results database cannot be opened or written."""


class ConfigError(CheckerError):
    """A setting is missing or inconsistent."""


class LLMError(CheckerError):
    """The LLM endpoint failed in a way retries did not fix."""


class ExtractionFailed(CheckerError):
    """No claims could be extracted from one article (the LLM call failed, or it never gave a
    valid answer). Nothing is stored for that article, so the next run tries it again; the
    run goes on with the other articles and says which ones are missing and why."""

    exit_code = 1


def brief(exc: BaseException, limit: int = 200) -> str:
    """An exception as one line of at most ``limit`` characters, for a user-facing message."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."
