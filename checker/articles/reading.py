"""Turning a file on disk into text, or a clear refusal.

Kept apart from cleaning so that every format shares one set of rules for the things users
get wrong: a path that is not there, a file too big, a binary file, an unusual encoding.
"""

from __future__ import annotations

import codecs
import re
import stat
from pathlib import Path
from typing import NamedTuple

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
        found = []
        for p in sorted(path.rglob("*")):
            if p.suffix.lower() not in SUPPORTED_SUFFIXES or _hidden(p, path) or p.is_dir():
                continue
            if p.is_file():
                found.append(p)
            else:  # a named pipe, a socket, a device: reading it could block forever
                warnings.append(f"{p}: {_kind(p)}, not a regular file; skipped")
        if not found:
            warnings.append(f"{path}: no readable articles in this folder (looked for {', '.join(SUPPORTED_SUFFIXES)})")
        files.extend(found)
    elif not path.is_file():
        warnings.append(f"{path}: {_kind(path)}, not a regular file; skipped (give the article's file itself)")
    elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
        warnings.append(f"{path}: unsupported file type '{path.suffix or 'none'}'; use one of {', '.join(SUPPORTED_SUFFIXES)}")
    else:
        files.append(path)


def _kind(path: Path) -> str:
    mode = path.stat().st_mode
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


class Decoded(NamedTuple):
    """A file's text, and what was repaired to read it (None when nothing was)."""

    text: str
    repair: str | None = None


def read_text(path: Path, max_bytes: int) -> Decoded:
    """The file's text, decoded; raises InputError naming the file and the fix."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            # Opening a named pipe blocks until something writes to it: never open one.
            raise InputError(f"{path}: {_kind(path)}, not a regular file", "Give the article's file itself")
        size = info.st_size
        if size > max_bytes:
            raise InputError(
                f"{path}: file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit",
                "Split it into one article per file, or raise CHECKER_MAX_FILE_MB",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})", "Check the path and its permissions") from None
    return decode(data, str(path))


def decode(data: bytes, name: str) -> Decoded:
    if not data.strip():
        raise InputError(f"{name}: file is empty", "Remove it or add the article text")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return Decoded(_strict(data, encoding, name))
    if b"\x00" in data[:8192]:
        raise InputError(f"{name}: looks like a binary file, not text", "Give a .txt, .md, .html, .json or .jsonl article")
    try:
        return Decoded(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    mixed = _mixed_utf8(data)
    if mixed is not None:
        return mixed
    # Not UTF-8: let charset-normalizer pick (latin-1 and cp1252 captures are common on
    # older news sites). Refuse rather than guess when it finds nothing plausible.
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise InputError(f"{name}: cannot tell the text encoding", "Re-save the file as UTF-8")
    return Decoded(_strict(data, best.encoding, name))


def _windows_1252(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("cp1252", errors="replace"), error.end


codecs.register_error("checker-cp1252", _windows_1252)
# A well-formed multi-byte UTF-8 character (2 to 4 bytes).
_UTF8_CHAR = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


def _mixed_utf8(data: bytes) -> Decoded | None:
    """Text pasted together from a UTF-8 page and a latin-1 one: read as either encoding
    alone, one half becomes mojibake ("retirÃ©es"), and quotes repeat it "verbatim". When the
    file holds valid UTF-8 characters beside bytes that are not UTF-8, each invalid byte is
    read as Windows-1252 (latin-1's superset) and the rest as UTF-8, and the repair is said."""
    utf8 = _UTF8_CHAR.findall(data)
    if not utf8:
        return None  # no UTF-8 at all: a single-encoding file, for charset detection
    foreign = len(_HIGH_BYTE.findall(data)) - sum(len(c) for c in utf8)
    text = data.decode("utf-8", errors="checker-cp1252")
    return Decoded(text, f"mixed encodings: {len(utf8)} UTF-8 characters beside {foreign} bytes that are not UTF-8, read as Windows-1252 (latin-1)")


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise InputError(f"{name}: not valid {encoding} text", "Re-save the file as UTF-8") from None
    if not text.strip():
        raise InputError(f"{name}: file is empty", "Remove it or add the article text")
    return text
