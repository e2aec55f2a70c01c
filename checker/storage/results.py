"""Opening the results store from its URL-like setting: the one place a backend is chosen.

``sqlite:///path/to/results.sqlite3`` (the default, beside the index in ``--store``; SQLAlchemy's
spelling, so an absolute path has four slashes) is the
only backend today; another registers its scheme in ``_BACKENDS`` and nothing above the
storage layer changes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from checker.errors import ConfigError
from checker.storage.results_base import ClaimsHistory, ResultsStore, VerdictKey, cache_key
from checker.storage.secrets import redact_url
from checker.storage.sqlite_results import SQLiteResults


def _sqlite(location: str, read_only: bool) -> ResultsStore:
    if not location.startswith("sqlite:///") or len(location) == len("sqlite:///"):
        raise ConfigError(f"results store {location}: no file named", "Write sqlite:///relative/path or sqlite:////absolute/path")
    return SQLiteResults(Path(location[len("sqlite:///") :]), read_only=read_only)


_BACKENDS: dict[str, Callable[[str, bool], ResultsStore]] = {"sqlite": _sqlite}


def sqlite_url(path: Path) -> str:
    """SQLAlchemy's spelling: ``sqlite:///relative/path``, ``sqlite:////absolute/path``."""
    return f"sqlite:///{path}"


def open_results(location: str, read_only: bool = False) -> ResultsStore:
    """The results store at ``location``; a dry run opens it ``read_only``."""
    scheme = urlsplit(location).scheme if "://" in location else ""
    backend = _BACKENDS.get(scheme)
    if backend is None:
        raise ConfigError(
            f"results store {redact_url(location)}: unknown kind {scheme or '(none)'!r}",
            f"Use one of: {', '.join(f'{name}:///PATH' for name in _BACKENDS)}",
        )
    return backend(location, read_only)


__all__ = ["ClaimsHistory", "ResultsStore", "VerdictKey", "cache_key", "open_results", "sqlite_url"]
