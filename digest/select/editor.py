"""The editor's hand on one issue: pins, drops and a note, from ``issues/<id>.toml`` and flags.

Example ``config/issues/2025-W19.toml``::

    note = "Big week for **anime**: ..."
    drop = ["https://site/2025/05/06/some-review/"]
    [[pin]]
    url = "https://site/2025/05/07/another-review/"
    position = 1
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from digest.errors import ConfigError
from digest.settings.config import Config, describe_validation_error
from digest.urls import canonical_url


@dataclass(frozen=True)
class PinRequest:
    url: str
    position: int | None = None  # 1-based slot among the top picks; None: at the top, in the order given


@dataclass(frozen=True)
class EditorChoices:
    pins: tuple[PinRequest, ...] = ()
    drops: tuple[str, ...] = ()
    note: str | None = None
    source: str | None = None  # the issue file, for messages

    def merged(self, flags: EditorChoices) -> EditorChoices:
        """Command-line flags add to the issue file and win over it.

        A flag's note replaces the file's; ``--pin`` of a URL the file drops un-drops it, and
        ``--drop`` of a URL the file pins un-pins it (flags are the editor's latest word).
        """
        pinned = {p.url for p in flags.pins}
        dropped = set(flags.drops)
        return replace(
            self,
            pins=flags.pins + tuple(p for p in self.pins if p.url not in pinned and p.url not in dropped),
            drops=tuple(dict.fromkeys(tuple(d for d in self.drops if d not in pinned) + flags.drops)),
            note=flags.note if flags.note is not None else self.note,
        )


class _Pin(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str
    position: int | None = Field(default=None, ge=1, le=50)


class _IssueFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(default=None, max_length=5000)
    pin: list[_Pin] = []
    drop: list[str] = []

    @field_validator("pin", mode="before")
    @classmethod
    def _url_only(cls, value: Any) -> Any:
        """``pin = ["URL", ...]`` is short for ``[[pin]] url = "URL"``.

        Done before validation rather than with ``_Pin | str``: a union reports a bad
        ``[[pin]]`` twice, under ``pin[0]._Pin.position`` and ``pin[0].str``, with no line.
        """
        if isinstance(value, list):
            return [{"url": v} if isinstance(v, str) else v for v in value]
        return value


def parse_pin(text: str) -> PinRequest:
    """``URL`` or ``URL@N`` from the command line."""
    url, sep, position = text.rpartition("@")
    if sep and position.isdigit():
        return PinRequest(canonical_url(url), int(position))
    return PinRequest(canonical_url(text))


def issue_file(config: Config, issue_id: str) -> Path:
    return config.resolve(config.issues_dir) / f"{issue_id}.toml"


def load_editor_choices(config: Config, issue_id: str) -> EditorChoices:
    path = issue_file(config, issue_id)
    if not path.exists():
        return EditorChoices()
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the issue file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    try:
        parsed = _IssueFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(path, text, exc)) from None
    pins = tuple(PinRequest(canonical_url(p.url), p.position) for p in parsed.pin)
    return EditorChoices(
        pins=pins,
        drops=tuple(canonical_url(d) for d in parsed.drop),
        note=parsed.note.strip() if parsed.note and parsed.note.strip() else None,
        source=str(path),
    )
