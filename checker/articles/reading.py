"""Turning a file on disk into text, or a clear refusal.

Kept apart from cleaning so that every format shares one set of rules for the things users
get wrong: a path that is not there, a file too big, a binary file, an unusual encoding.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from charset_normalizer import from_bytes

from checker.errors import InputError

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl")

# Byte-order marks decide the encoding outright; checked longest first (UTF-32 LE starts
# with the UTF-16 LE mark).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def discover(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """Expand folders into the supported files below them, in a stable order.

    Returns the files and one warning per path that yields nothing. A path that does not
    exist is an error for that path only: the rest is still read.
    """
    files: list[Path] = []
    warnings: list[str] = []
    for path in paths:
        try:
            _discover_one(path, files, warnings)
        except OSError as exc:  # a folder we may not list, a path we may not stat: that path only
            warnings.append(f"{path}: cannot read ({exc.strerror or type(exc).__name__}); check its permissions")
    unique = list(dict.fromkeys(p.resolve() for p in files))
    return unique, warnings


def _discover_one(path: Path, files: list[Path], warnings: list[str]) -> None:
    if not path.exists():
        warnings.append(f"{path}: no such file or folder; check the path")
    elif path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not _hidden(p, path))
        if not found:
            warnings.append(f"{path}: no readable articles in this folder (looked for {', '.join(SUPPORTED_SUFFIXES)})")
        files.extend(found)
    elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
        warnings.append(f"{path}: unsupported file type '{path.suffix or 'none'}'; use one of {', '.join(SUPPORTED_SUFFIXES)}")
    else:
        files.append(path)


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def read_text(path: Path, max_bytes: int) -> str:
    """The file's text, decoded; raises InputError naming the file and the fix."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"{path}: file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit",
                "Split it into one article per file, or raise CHECKER_MAX_FILE_MB",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})", "Check the path and its permissions") from None
    return decode(data, str(path))


def decode(data: bytes, name: str) -> str:
    if not data.strip():
        raise InputError(f"{name}: file is empty", "Remove it or add the article text")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(data, encoding, name)
    if b"\x00" in data[:8192]:
        raise InputError(f"{name}: looks like a binary file, not text", "Give a .txt, .md, .html, .json or .jsonl article")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Not UTF-8: let charset-normalizer pick (latin-1 and cp1252 captures are common on
    # older news sites). Refuse rather than guess when it finds nothing plausible.
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise InputError(f"{name}: cannot tell the text encoding", "Re-save the file as UTF-8")
    return _strict(data, best.encoding, name)


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise InputError(f"{name}: not valid {encoding} text", "Re-save the file as UTF-8") from None
    if not text.strip():
        raise InputError(f"{name}: file is empty", "Remove it or add the article text")
    return text
