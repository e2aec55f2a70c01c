"""Making text safe to print, log and store: credentials in URLs, keys in command lines.

Everything checker records about a run (the results store's run history) or shows a user goes
through here first, so a key given on a command line or inside a URL is never written down.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
# Option names that can carry a secret: --api-key, --token, --password, --db-password, ...
_SECRET_OPTION = re.compile(r"^--?[\w-]*(key|token|password|passwd|secret|credential|auth)[\w-]*$", re.I)
# Query parameters that carry one: ?api_key=..., &token=..., &sig=...
_SECRET_PARAM = re.compile(r"(key|token|password|passwd|secret|sig|signature|auth)", re.I)
# A bare key on its own: OpenAI-style ("sk-..."), bearer tokens and the like.
_BARE_KEY = re.compile(r"\b(sk|pk|rk|ghp|gho|xox[bap])[-_][A-Za-z0-9_-]{12,}\b")


def redact_url(url: str) -> str:
    """The URL with any user:password@ replaced by ***@ and secret query values masked."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.scheme or not parts.netloc:
        return url
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_SECRET_PARAM.search(name) for name, _ in pairs):
            query = urlencode([(name, MASK if _SECRET_PARAM.search(name) else value) for name, value in pairs], safe="*")
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def redact_text(text: str) -> str:
    """Any URL in ``text`` redacted, and anything shaped like an API key masked."""
    text = re.sub(r"[a-zA-Z][a-zA-Z0-9+.-]*://\S+", lambda m: redact_url(m.group(0)), text)
    return _BARE_KEY.sub(MASK, text)


def redact_command(args: Sequence[str]) -> str:
    """A command line as it may be recorded: the value of every option that can hold a secret
    (``--api-key X``, ``--token=X``) masked, and every URL redacted."""
    shown: list[str] = []
    hide_next = False
    for arg in args:
        if hide_next:
            shown.append(MASK)
            hide_next = False
            continue
        name, eq, _value = arg.partition("=")
        if _SECRET_OPTION.match(name):
            if eq:
                shown.append(f"{name}={MASK}")
            else:
                shown.append(arg)
                hide_next = True
            continue
        shown.append(redact_text(arg))
    return " ".join(shown)
