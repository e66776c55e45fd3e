"""The editor's hand on one issue: pins, drops, a note, the order of the picks, a pick moved to
another section and a pick's blurb, from ``issues/<id>.toml`` and flags.

Example ``config/issues/2025-W19.toml``::

    note = "Big week for **anime**: ..."
    private_note = "Subscribers: use code WEEKLY for 10% off."   # email only, never archived
    drop = ["https://site/2025/05/06/some-review/"]
    order = ["https://site/2025/05/08/third/", "https://site/2025/05/07/another-review/"]  # these first

    [section]   # shown in another of the config's sections (its caps apply)
    "https://site/2025/05/08/third/" = "Comics"

    [blurb]     # the TL;DR shown for the pick: plain text, at most reviews.tldr_max_chars
    "https://site/2025/05/08/third/" = "Better than the first two."

    [[pin]]
    url = "https://site/2025/05/07/another-review/"
    position = 1
"""

from __future__ import annotations

import difflib
import fcntl
import hashlib
import json
import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from digest.errors import ConfigError, DigestError, UsageError
from digest.files import replace_file
from digest.select.edit_rules import TWICE, blurb_fault, blurb_text, order_slots, section_fault, twice
from digest.settings.config import Config
from digest.settings.problems import describe_validation_error
from digest.settings.tomlfile import describe, read_toml
from digest.urls import canonical_url

Pairs = tuple[tuple[str, str], ...]  # (URL, value) in the editor's order


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
    private_note: str | None = None  # in the email only, never in the web archive
    # The top picks these URLs name come first, in this order; None: the selection's order.
    order: tuple[str, ...] | None = None
    sections: Pairs = ()  # (URL, section name): shown in that section
    blurbs: Pairs = ()  # (URL, plain text): the TL;DR shown for that pick

    def merged(self, flags: EditorChoices) -> EditorChoices:
        """Command-line flags add to the issue file and win over it.

        A flag's note replaces the file's; ``--pin`` of a URL the file drops un-drops it, and
        ``--drop`` of a URL the file pins un-pins it (flags are the editor's latest word).
        A flag's order replaces the file's and takes the place of the positions of the pins it
        lists; a ``--pin URL@N`` takes URL out of the order, a ``--drop`` too. A flag's section or
        blurb for a URL replaces the file's; an empty one removes it.
        """
        pinned = {p.url for p in flags.pins}
        placed = {p.url for p in flags.pins if p.position is not None}
        dropped = set(flags.drops)
        ordered = set(flags.order or ())
        pins = flags.pins + tuple(p if p.url not in ordered else replace(p, position=None)
                                  for p in self.pins if p.url not in pinned and p.url not in dropped)
        order = flags.order if flags.order is not None else self.order
        if order is not None:
            order = tuple(u for u in order if u not in placed and u not in dropped) or None
        return replace(
            self,
            pins=pins,
            drops=tuple(dict.fromkeys(tuple(d for d in self.drops if d not in pinned) + flags.drops)),
            note=flags.note if flags.note is not None else self.note,
            order=order,
            sections=_overlaid(self.sections, flags.sections),
            blurbs=_overlaid(self.blurbs, flags.blurbs),
        )

    @property
    def edits(self) -> bool:
        """Whether these choices hold anything to keep in the issue file."""
        return bool(self.pins or self.drops or self.note is not None or self.order is not None
                    or self.sections or self.blurbs or self.private_note is not None)


def _overlaid(base: Pairs, top: Pairs) -> Pairs:
    merged = dict(base)
    for url, value in top:
        merged.pop(url, None)
        merged[url] = value
    return tuple((url, value) for url, value in merged.items() if value)


class _Pin(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str
    position: int | None = Field(default=None, ge=1, le=50)


class _IssueFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(default=None, max_length=5000)
    private_note: str | None = Field(default=None, max_length=5000)
    pin: list[_Pin] = []
    drop: list[str] = []
    order: list[str] = Field(default=[], max_length=50)
    section: dict[str, str] = {}
    blurb: dict[str, str] = {}

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


def gives_note(config: Config, issue_id: str) -> bool:
    """Does the issue file give a note or a private note (what a render will load the note's renderer
    for)? A file that cannot be read says no here: its build, or the desk's page, says what is wrong."""
    try:
        choices = load_editor_choices(config, issue_id)
    except DigestError:
        return False
    return bool(choices.note or choices.private_note)


def load_editor_choices(config: Config, issue_id: str) -> EditorChoices:
    path = issue_file(config, issue_id)
    if not path.exists():
        return EditorChoices()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the issue file: {exc}") from None
    raw = read_toml(path, text)  # not valid TOML, or nested past reading: ConfigError with the line
    try:
        parsed = _IssueFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(path, text, exc)) from None
    pins = tuple(PinRequest(canonical_url(p.url), p.position) for p in parsed.pin)
    order = tuple(canonical_url(u) for u in parsed.order)
    faults = _edit_faults(config, parsed, order, len(pins))
    if faults:
        raise ConfigError(describe(path, text, *faults[0]))
    return EditorChoices(
        pins=pins,
        drops=tuple(canonical_url(d) for d in parsed.drop),
        note=parsed.note.strip() if parsed.note and parsed.note.strip() else None,
        source=str(path),
        private_note=(parsed.private_note or "").strip() or None,
        order=order or None,
        sections=tuple((canonical_url(u), name) for u, name in parsed.section.items()),
        blurbs=tuple((canonical_url(u), blurb_text(b)) for u, b in parsed.blurb.items() if blurb_text(b)),
    )


def _edit_faults(config: Config, parsed: _IssueFile, order: tuple[str, ...],
                 pins: int) -> list[tuple[tuple[str, ...], str]]:
    """The order, sections and blurbs checked as the command line checks them: (key, message)s."""
    faults: list[tuple[tuple[str, ...], str]] = []
    repeated = twice(order)
    if repeated is not None:
        faults.append((("order",), f"{repeated} {TWICE}"))
    slots = order_slots(config, pins)
    if len(order) > slots:
        faults.append((("order",), f"{len(order)} picks listed; positions run from 1 to {slots} "
                                   "(the top picks)"))
    for url, name in parsed.section.items():
        fault = section_fault(name, config)
        if fault:
            faults.append((("section", url), fault))
    for url, blurb in parsed.blurb.items():
        fault = blurb_fault(blurb_text(blurb), config)
        if fault:
            faults.append((("blurb", url), fault))
    return faults


# -- the command line's choices: checked against the store, then kept in the issue file ------------


@dataclass(frozen=True)
class Candidate:
    """A stored review as the checks need it: where it is, and whether it is in the week."""

    url: str
    published: datetime
    in_week: bool


def url_key(url: str) -> str:
    """What two spellings of one stored review share: no scheme, no ``www.``, no trailing slash, any case
    of host. Path and query stay exact: another page is never the same review."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return url
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    return host + path + (f"?{parts.query}" if parts.query else "")


def resolve_urls(flags: EditorChoices, stored: dict[str, Candidate]) -> EditorChoices:
    """The flags with each pin and drop spelled as the stored review it names.

    A URL stored as given is kept; otherwise the one stored review with the same :func:`url_key`
    (``http``/``https``, ``www.``, a trailing slash) is meant. Two or more such reviews are a
    UsageError that lists them; none leaves the URL as given, for :func:`check_flags` to judge.
    """
    by_key: dict[str, list[str]] = {}
    for url in stored:
        by_key.setdefault(url_key(url), []).append(url)

    def resolved(flag: str, url: str) -> str:
        if url in stored:
            return url
        matches = by_key.get(url_key(url), [])
        if len(matches) > 1:
            raise UsageError(f"{flag} {url}: matches {len(matches)} stored reviews; give the one you mean:\n  "
                             + "\n  ".join(sorted(matches)))
        return matches[0] if matches else url

    return replace(flags, pins=tuple(replace(p, url=resolved("--pin", p.url)) for p in flags.pins),
                   drops=tuple(dict.fromkeys(resolved("--drop", d) for d in flags.drops)),
                   order=None if flags.order is None else tuple(resolved("--order", u) for u in flags.order),
                   sections=tuple((resolved("--section", u), s) for u, s in flags.sections),
                   blurbs=tuple((resolved("--blurb", u), b) for u, b in flags.blurbs))


def check_flags(flags: EditorChoices, stored: dict[str, Candidate], week_id: str, top_count: int,
                tz: ZoneInfo) -> tuple[EditorChoices, list[str]]:
    """Refuse pins that cannot mean anything; say what is unusual. Returns the flags to keep and the notes.

    ``stored`` maps every stored review's canonical URL to a :class:`Candidate`; pins and drops are
    first spelled as the stored review they name (:func:`resolve_urls`). A pin of a URL that is not
    a stored review, or at a position outside 1..top picks, is a UsageError that shows the closest
    stored URLs; a pin from another week is allowed but said. A drop of a URL that is not a stored
    review is said and left out of the flags returned (it would change nothing, and kept in the issue
    file it would only mislead); a drop of a review from another week is said and kept (it still
    keeps the review out of trending).
    """
    flags = resolve_urls(flags, stored)
    notes: list[str] = []
    slots = max(top_count, len(flags.pins))
    for pin in flags.pins:
        if pin.position is not None and not 1 <= pin.position <= slots:
            raise UsageError(f"--pin {pin.url}@{pin.position}: position {pin.position} is out of range; "
                             f"positions run from 1 to {slots} (the top picks)")
        found = stored.get(pin.url)
        if found is None:
            raise UsageError(f"--pin {pin.url}: not a stored review{closest(pin.url, stored)}")
        if not found.in_week:
            notes.append(f"pinned from outside {week_id}: {pin.url} "
                         f"(published {found.published.astimezone(tz):%a %Y-%m-%d})")
    kept: list[str] = []
    for drop in flags.drops:
        found = stored.get(drop)
        if found is None:
            notes.append(f"not a candidate this week: {drop}; nothing dropped (not a stored review, so not "
                         f"kept in the issue file){closest(drop, stored)}")
            continue
        kept.append(drop)
        if not found.in_week:
            notes.append(f"--drop {drop}: published {found.published.astimezone(tz):%a %Y-%m-%d}, outside "
                         f"{week_id}; it was not a top candidate (the drop still keeps it out of trending)")
    return replace(flags, drops=tuple(kept)), notes


def closest(url: str, stored: dict[str, Candidate]) -> str:
    if not url.startswith(("http://", "https://")):
        hint = " (it is not an http(s) URL)"
    else:
        hint = ""
    close = difflib.get_close_matches(url, list(stored), n=3, cutoff=0.5)
    if not close:
        return hint + "; `digest reviews --week ...` lists the week's reviews with their URLs"
    return hint + "; closest stored reviews:\n  " + "\n  ".join(close)


class EditConflict(UsageError):
    """The issue file changed between an editor's read and their write: the write would lose a change."""


def issue_version(config: Config, issue_id: str) -> str:
    """What the issue file holds now, in short (``none`` without one): an editor's write names the
    version it was made from, so a change made since is never written over."""
    try:
        data = issue_file(config, issue_id).read_bytes()
    except FileNotFoundError:
        return "none"
    except OSError as exc:
        raise ConfigError(f"{issue_file(config, issue_id)}: cannot read the issue file: {exc}") from None
    return hashlib.sha256(data).hexdigest()[:16]


def save_flags(config: Config, issue_id: str, flags: EditorChoices, expected_version: str | None = None,
               whole: bool = False) -> Path | None:
    """Write the flags into ``issues/<issue>.toml`` (merged with what is there), atomically.

    So every later build of the week (``build`` again, ``run --force``) keeps the editor's word.
    Returns the file, or None when the flags hold nothing to keep. With ``whole``, ``flags`` are the
    issue's whole choices and replace the file's (how an edit is undone). With ``expected_version``
    (from :func:`issue_version`), a file changed since is an :class:`EditConflict` and nothing is written.
    """
    if not flags.edits and not whole:
        return None
    path = issue_file(config, issue_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{path.name}.lock", "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # one read-check-write at a time, across processes
        if expected_version is not None and issue_version(config, issue_id) != expected_version:
            raise EditConflict(f"{path} was changed since it was read (by another editor, or by hand); "
                               "nothing was written: reload it and make the change again")
        merged = flags if whole else load_editor_choices(config, issue_id).merged(flags)
        replace_file(path, _issue_text(issue_id, merged).encode("utf-8"))
    return path


def _issue_text(issue_id: str, merged: EditorChoices) -> str:
    lines = [f"# Editor's choices for {issue_id}: read by every build of this week.",
             "# `digest build --pin/--drop/--note/--order/--section/--blurb` adds to this file;",
             "# edit it freely."]
    if merged.note is not None:
        lines.append(f"note = {_toml_string(merged.note)}")
    if merged.private_note is not None:  # the file's own: no flag sets it, and a save must not lose it
        lines.append(f"private_note = {_toml_string(merged.private_note)}")
    if merged.drops:
        lines.append("drop = [" + ", ".join(_toml_string(d) for d in merged.drops) + "]")
    if merged.order:
        lines.append("order = [" + "".join(f"\n    {_toml_string(u)}," for u in merged.order) + "\n]")
    for table, pairs in (("section", merged.sections), ("blurb", merged.blurbs)):
        if pairs:
            lines += ["", f"[{table}]", *(f"{_toml_string(u)} = {_toml_string(v)}" for u, v in pairs)]
    for pin in merged.pins:
        lines += ["", "[[pin]]", f"url = {_toml_string(pin.url)}"]
        if pin.position is not None:
            lines.append(f"position = {pin.position}")
    return "\n".join(lines) + "\n"


def _toml_string(value: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, plus DEL (TOML forbids it raw, JSON does not);
    a lone surrogate (a stray byte from the command line) has no encoding and becomes U+FFFD."""
    text = json.dumps(_LONE_SURROGATE.sub("\ufffd", value), ensure_ascii=False)
    return text.replace("\x7f", "\\u007f")


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
