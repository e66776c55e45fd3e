"""premailer's parsed stylesheet, kept on disk so a new process need not parse it again.

cssutils parses the inlined stylesheet in about 0.1-0.2 s, the largest part of a process's first
render; the sheet changes only with the templates, the brand settings or the libraries. The
rules premailer derives from it are plain data (a specificity tuple, a selector, the declarations
as text), so they are kept as JSON in one file per sheet, named by a hash of everything they depend
on: the sheet, its index among the document's sheets, premailer's options and the versions of
premailer and cssutils.

The file sits beside the store, where anyone who can write it can also write the store, and a copy
in the user's own private temp folder (as Jinja keeps its compiled templates there), so a new store
(a first build, bench/run.py's empty store each run) need not parse the sheet either: about 0.1 s of
a small run (issue 23). That folder is used only when it is a real folder of this user that no one
else may write. Either file is read as untrusted: it is used only if it is whole, of the expected
shape, made for this exact key, and every selector and property name in it appears in the sheet
itself. Anything else (a torn write, another version's file, a file put there by hand) is ignored
and the sheet is parsed again, then the file is replaced atomically. A file that cannot be written
is only a slower start.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

from digest.files import replace_file

FORMAT = 1
MAX_FILE_BYTES = 4 * 1024 * 1024  # a sheet of a few hundred rules is tens of KB
KEEP = 16  # files per folder: an edition's brand colour is another sheet; older ones are removed

Rule = tuple[tuple[int, ...], str, str]


@cache
def _versions() -> tuple[str, str]:
    return version("premailer"), version("cssutils")


def sheet_key(css: str, index: int, options: tuple[object, ...]) -> str:
    """Everything the parsed rules depend on, hashed."""
    versions = _versions()
    return hashlib.sha256(json.dumps([FORMAT, versions, index, repr(options), css]).encode()).hexdigest()


def cache_folder(store_path: Path) -> Path:
    """Beside the store (``var/digest.sqlite`` -> ``var/digest.sqlite.cache/``): its own folder, with it."""
    return store_path.with_name(store_path.name + ".cache")


def shared_folder() -> Path | None:
    """This user's private folder in the temp folder, made if missing; None unless it is a folder (not
    a link) owned by this user that no one else may write (another user may have made it first)."""
    folder = Path(tempfile.gettempdir()) / f"_digest-inline-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        found = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid() or found.st_mode & 0o022:
        return None
    return folder


def _folders(folder: Path) -> list[Path]:
    """Where the files are read (in this order) and written: beside the store, then the shared folder."""
    shared = shared_folder()
    return [folder] if shared is None or shared == folder else [folder, shared]


def _file(folder: Path, key: str) -> Path:
    return folder / f"inline-css-{key}.json"


def load_rules(folder: Path, key: str, css: str, index: int) -> tuple[list[Rule], int] | None:
    """The rules and the count of left-over rules kept for ``key`` beside the store or in the shared
    folder; None unless one of the files is sound."""
    for place in _folders(folder):
        found = _load_rules(place, key, css, index)
        if found is not None:
            if place != folder:  # the store keeps its own copy (a temp folder is emptied now and then)
                _save_rules(folder, key, _rules_data(key, *found))
            return found
    return None


def _load_rules(folder: Path, key: str, css: str, index: int) -> tuple[list[Rule], int] | None:
    path = _file(folder, key)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            return None
        data = json.loads(raw)
    except (OSError, ValueError, RecursionError):
        return None
    return _valid(data, key, css, index)


def _valid(data: Any, key: str, css: str, index: int) -> tuple[list[Rule], int] | None:
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != key:
        return None
    rules, leftover = data.get("rules"), data.get("leftover")
    if not isinstance(rules, list) or type(leftover) is not int or leftover < 0:
        return None
    out: list[Rule] = []
    for position, rule in enumerate(rules):
        if not (isinstance(rule, list) and len(rule) == 3):
            return None
        specificity, selector, bulk = rule
        if not (isinstance(specificity, list) and len(specificity) == 6
                and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in specificity)):
            return None
        # premailer's own numbering: important or not, counts, this sheet's index, the rule's position
        if specificity[0] > 1 or specificity[4] != index or specificity[5] != position:
            return None
        if not (isinstance(selector, str) and selector and selector in css and isinstance(bulk, str) and bulk):
            return None
        names = [part.partition(":")[0].strip() for part in bulk.split(";")]
        if not all(name and name in css for name in names):
            return None
        out.append((tuple(specificity), selector, bulk))
    return out, leftover


def save_rules(folder: Path, key: str, rules: list[Rule], leftover: int) -> None:
    """Keep the rules for ``key`` (atomically) beside the store and in the shared folder; never fails
    the render."""
    data = _rules_data(key, rules, leftover)
    for place in _folders(folder):
        _save_rules(place, key, data)


def _rules_data(key: str, rules: list[Rule], leftover: int) -> dict[str, Any]:
    return {"format": FORMAT, "key": key, "leftover": leftover,
            "rules": [[list(specificity), selector, bulk] for specificity, selector, bulk in rules]}


def _save_rules(folder: Path, key: str, data: dict[str, Any]) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        replace_file(_file(folder, key), json.dumps(data, ensure_ascii=False).encode("utf-8"))
        kept = sorted(folder.glob("inline-css-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


# -- declarations ---------------------------------------------------------------------------------
# premailer turns each declaration list (a rule's, an element's own style attribute) into (property,
# value) pairs through cssutils, once per process (its shared cache): about 0.2 s of a first render,
# a few milliseconds of a warm one. The pairs are kept in one file too, and put back into its cache.

MAX_PAIRS = 4096  # entries kept: one issue has a few hundred distinct declaration lists


def _pairs_file(folder: Path) -> Path:
    tag = hashlib.sha256(json.dumps([FORMAT, _versions()]).encode()).hexdigest()[:32]
    return folder / f"inline-pairs-{tag}.json"


def _squeezed(text: str) -> str:
    return "".join(text.split()).lower()


def _plausible(text: str, pairs: Any) -> list[tuple[str, str]] | None:
    """The pairs, if each property and value is in ``text`` as written (case and spacing aside)."""
    if not isinstance(pairs, list):
        return None
    squeezed, out = _squeezed(text), []
    for pair in pairs:
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) and p for p in pair)):
            return None
        name, value = pair
        if _squeezed(name) not in squeezed or _squeezed(value.removesuffix(" !important")) not in squeezed:
            return None
        out.append((name, value))
    return out


def load_pairs(folder: Path) -> dict[tuple[str, bool | None], list[tuple[str, str]]]:
    """(declarations, validate or None when premailer passed none) -> pairs, the plausible ones only,
    from beside the store or else from the shared folder."""
    for place in _folders(folder):
        found = _load_pairs(place)
        if found:
            if place != folder:
                _save_pairs(folder, _pairs_data(found))
            return found
    return {}


def _load_pairs(folder: Path) -> dict[tuple[str, bool | None], list[tuple[str, str]]]:
    try:
        with open(_pairs_file(folder), "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
        data = json.loads(raw) if len(raw) <= MAX_FILE_BYTES else None
    except (OSError, ValueError, RecursionError):
        return {}
    entries = data.get("entries") if isinstance(data, dict) and data.get("format") == FORMAT else None
    found: dict[tuple[str, bool | None], list[tuple[str, str]]] = {}
    for entry in entries[:MAX_PAIRS] if isinstance(entries, list) else []:
        if not (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], str)
                and (entry[1] is None or isinstance(entry[1], bool))):
            continue
        pairs = _plausible(entry[0], entry[2])
        if pairs is not None:
            found[(entry[0], entry[1])] = pairs
    return found


def save_pairs(folder: Path, pairs: dict[tuple[str, bool | None], list[tuple[str, str]]]) -> None:
    """Keep ``pairs`` (atomically); never fails the render."""
    data = _pairs_data(pairs)
    for place in _folders(folder):
        _save_pairs(place, data)


def _pairs_data(pairs: dict[tuple[str, bool | None], list[tuple[str, str]]]) -> dict[str, Any]:
    entries = [[text, validate, [list(p) for p in found]] for (text, validate), found in pairs.items()]
    return {"format": FORMAT, "entries": entries[:MAX_PAIRS]}


def _save_pairs(folder: Path, data: dict[str, Any]) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        replace_file(_pairs_file(folder), json.dumps(data, ensure_ascii=False).encode("utf-8"))
    except OSError:
        pass
