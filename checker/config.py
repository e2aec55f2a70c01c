"""Settings, from (highest first) command-line flags, ``CHECKER_*`` variables, a config file.

The config file is ``checker.toml`` in the working directory, or the file named by
``CHECKER_CONFIG``. Flags are applied by the CLI through ``Settings.with_overrides``.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from checker.errors import ConfigError

CONFIG_FILE_ENV = "CHECKER_CONFIG"
DEFAULT_CONFIG_FILE = "checker.toml"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHECKER_", extra="ignore")

    store: Path = Field(default=Path(".checker"), description="Folder of the embedded index and results database.")
    chroma_url: str | None = Field(default=None, description="A Chroma server, e.g. http://127.0.0.1:8000.")
    collection_prefix: str = Field(default="checker", description="Prefix of the Chroma collection names.")
    chunk_size: int = Field(default=800, ge=100, le=4000, description="Characters per chunk.")
    chunk_overlap: int = Field(default=120, ge=0, le=1000, description="Characters shared by neighbouring chunks.")
    max_file_mb: float = Field(default=10.0, gt=0, description="Larger input files are skipped.")
    embedding_batch: int = Field(default=64, ge=1, le=1024)

    @field_validator("chroma_url")
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
            return self.model_validate({**self.model_dump(), **given})
        except ValidationError as exc:
            raise ConfigError(_first_problem(exc)) from None

    @property
    def results_db(self) -> Path:
        return self.store / "results.sqlite3"


class _TomlFileSource(PydanticBaseSettingsSource):
    """Reads the ``[checker]`` table (or the top level) of the config file, if there is one."""

    def __call__(self) -> dict[str, Any]:
        path = Path(os.environ.get(CONFIG_FILE_ENV, DEFAULT_CONFIG_FILE))
        if not path.is_file():
            if CONFIG_FILE_ENV in os.environ:
                raise ConfigError(f"config file {path} (from {CONFIG_FILE_ENV}) does not exist",
                                  f"Create it or unset {CONFIG_FILE_ENV}")
            return {}
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config file {path} is not valid TOML ({exc})", "Fix or remove it") from None
        return data.get("checker", data)

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover
        return None, field_name, False


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
