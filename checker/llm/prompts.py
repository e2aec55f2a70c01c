"""Prompts as files in ``prompts/``: one Jinja syntax, strict variables, a content hash.

A prompt file is YAML front matter (``description``) and a body with two sections, the
system message and the user message, separated by a line ``=== user ===``. Placeholders
are Jinja's ``{{ name }}``; a variable the caller does not pass raises instead of
rendering as empty. The hash of the file's bytes is recorded with every result, so a
result always says which prompt produced it, and an edited prompt cannot reuse old answers.

Article text is untrusted: ``fence`` wraps it between markers the text cannot forge, and
the prompts tell the model that fenced text is material to analyse, never instructions.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import frontmatter
import jinja2

from checker import config
from checker.errors import ConfigError

PROMPTS_DIR = config.prompts_dir()
SECTION_BREAK = re.compile(r"^=== user ===\s*$", re.M)


class Fenced(str):
    """Text already between fence markers: printed as it is."""


# The longest a value outside a fence may be: a title, an outlet, a speaker, a date.
LINE_LIMIT = 200


def one_line(value: object) -> object:
    """Every value a prompt prints outside a fence (Jinja's ``finalize``): one line, no fence
    markers, at most LINE_LIMIT characters. Titles, outlets and speakers come from articles
    (attacker-controlled in scraped HTML) or from the model reading them, so none of them may
    add lines or forge a fence; fenced text is left whole."""
    if isinstance(value, Fenced) or not isinstance(value, str):
        return value
    text = " ".join(value.split()).replace("<<<", "‹‹‹").replace(">>>", "›››")
    return text if len(text) <= LINE_LIMIT else text[: LINE_LIMIT - 1] + "…"


_env = jinja2.Environment(
    finalize=one_line,
    undefined=jinja2.StrictUndefined,
    autoescape=False,  # plain text for a model, not HTML
    keep_trailing_newline=False,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["fence"] = lambda text, label="ARTICLE": fence(text, label)


@dataclass(frozen=True)
class Prompt:
    name: str
    sha: str
    description: str
    system: jinja2.Template
    user: jinja2.Template

    def render(self, **variables: object) -> list[tuple[str, str]]:
        """The (role, content) messages, or ConfigError naming a missing variable."""
        try:
            return [("system", self.system.render(**variables).strip()), ("user", self.user.render(**variables).strip())]
        except jinja2.UndefinedError as exc:
            raise ConfigError(f"prompt {self.name}: {exc.message}", "Pass the variable or fix the placeholder in the prompt file") from None


@cache
def load(name: str, directory: Path = PROMPTS_DIR) -> Prompt:
    path = directory / f"{name}.md"
    try:
        data = path.read_bytes()
    except OSError:
        raise ConfigError(f"prompt file {path} is missing", "Restore it from the repository") from None
    post = frontmatter.loads(data.decode("utf-8"))
    parts = SECTION_BREAK.split(post.content, maxsplit=1)
    if len(parts) != 2:
        raise ConfigError(f"prompt file {path} has no '=== user ===' line", "Separate the system and user messages with it")
    try:
        system, user = (_env.from_string(part.strip()) for part in parts)
    except jinja2.TemplateSyntaxError as exc:
        raise ConfigError(f"prompt file {path}: line {exc.lineno}: {exc.message}", "Fix the template syntax") from None
    return Prompt(
        name=name,
        sha=hashlib.sha256(data).hexdigest()[:12],
        description=str(post.metadata.get("description", "")),
        system=system,
        user=user,
    )


def fence(text: str, label: str = "ARTICLE") -> Fenced:
    """Wrap untrusted text between markers; markers inside the text are defused first."""
    begin, end = f"<<<{label}", f"{label}>>>"
    cleaned = text.replace("<<<", "‹‹‹").replace(">>>", "›››")
    return Fenced(f"{begin}\n{cleaned}\n{end}")
