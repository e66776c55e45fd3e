"""Inline CSS with premailer, with every option chosen on purpose.

Mail clients (Gmail's app, Outlook, Yahoo) drop or ignore ``<style>``, so
ordinary rules must become ``style`` attributes. What cannot be inlined
(media queries, dark mode, pseudo-classes) stays in the one ``<style>`` in
``<head>`` and must keep its ``!important`` to beat the inline styles.

Why each option (each is demonstrated in tests/test_inline.py):

- ``css_text`` + ``disable_leftover_css``: the inlinable sheet is passed in, not
  kept in the document, so ``<head>`` holds only what cannot be inlined.
- ``keep_style_tags=True``: the head ``<style>`` is kept verbatim instead of being
  re-serialised by cssutils (which rewrites and reorders it).
- ``strip_important=False``: the default removes ``!important`` everywhere,
  killing every dark-mode and phone-width override.
- no ``base_url``: it "absolutises" every href, turning ``*|UNSUB|*`` into
  ``https://site/*|UNSUB|*``.
- ``allow_network=False`` (and no ``external_styles``): a ``<link rel=stylesheet>``
  is never fetched at build time; the lint rejects it instead.
- ``disable_basic_attributes=["width", "height"]``: otherwise CSS ``width:100%``
  overwrites an image's numeric ``width="600"`` (Outlook needs the number).
- cssutils' ``minimizeColorHash`` off: it shortens ``#ffffff`` to ``#fff``, which
  some clients (Lotus Notes, old Outlook) misread.
- ``remove_classes=False``: the media queries select by class.
- ``align_floating_images=False``: the templates float nothing (Outlook renders with Word),
  and the pass re-parses every image's style *with* validation, which compiles cssutils'
  whole property grammar: 100 ms or more of a build's one render.
- the head ``<style data-premailer="ignore">`` (templates/base.html) is left as written
  without being parsed: it holds only what cannot be inlined.
- ``disable_validation=True`` and cssutils logging silenced: vendor properties
  (``mso-hide``, ``-webkit-text-size-adjust``) are valid for mail clients.

premailer parses every style attribute through one process-wide cache whose size it reads from
``PREMAILER_CACHE_MAXSIZE`` once, when imported (default 128). One issue holds a few hundred
distinct declarations, so at 128 they evict each other and a long-lived process (the desk) parses
them all again on every render: sized here, before premailer is imported (this is its only importer),
a second render finds every one. An operator's own ``PREMAILER_CACHE_MAXSIZE`` is kept.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import types
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import cssutils
from cachetools.keys import hashkey

from digest.mail.inline_cache import load_pairs, load_rules, save_pairs, save_rules, sheet_key

PREMAILER_CACHE_MAXSIZE = 4096  # entries; each a short list of (property, value) pairs


@contextmanager
def _premailer_cache_sized() -> Iterator[None]:
    """Set premailer's cache size for its import only (an operator's own setting is kept)."""
    if "PREMAILER_CACHE_MAXSIZE" in os.environ:
        yield
        return
    os.environ["PREMAILER_CACHE_MAXSIZE"] = str(PREMAILER_CACHE_MAXSIZE)
    try:
        yield
    finally:
        del os.environ["PREMAILER_CACHE_MAXSIZE"]


class _Deferred(types.ModuleType):
    """Stands in for a module until one of its attributes is read, then imports the real one."""

    def __getattr__(self, name: str) -> Any:
        return getattr(importlib.import_module(self.__name__), name)


@contextmanager
def _requests_deferred() -> Iterator[None]:
    """premailer imports ``requests`` (with urllib3 and charset_normalizer: 60 ms) only to fetch
    external stylesheets, which digest never lets it do (``allow_network=False``, no
    ``external_styles``); it keeps the module as its default session without reading it. While
    premailer is imported, ``requests`` is a stand-in that imports the real module on first use;
    afterwards it is taken out of ``sys.modules``, so any other import gets the real one. A process
    that imported ``requests`` already keeps it."""
    if "requests" in sys.modules:
        yield
        return
    stand_in = _Deferred("requests")
    sys.modules["requests"] = stand_in
    try:
        yield
    finally:
        if sys.modules.get("requests") is stand_in:
            del sys.modules["requests"]


with _premailer_cache_sized(), _requests_deferred():
    from premailer import Premailer
    from premailer.cache import cache as premailer_cache
    from premailer.cache import cache_access_lock as premailer_cache_lock


@contextmanager
def _cssutils_prefs() -> Iterator[None]:
    """Keep six-digit colours and silence cssutils for one transform, then restore its globals."""
    prefs = cssutils.ser.prefs
    saved = prefs.minimizeColorHash
    level = cssutils.log.getEffectiveLevel()
    prefs.minimizeColorHash = False
    cssutils.log.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        prefs.minimizeColorHash = saved
        cssutils.log.setLevel(level)


def premailer_options(css: str) -> dict[str, object]:
    return {
        "css_text": css,
        "keep_style_tags": True,
        "strip_important": False,
        "base_url": None,
        "allow_network": False,
        "external_styles": None,
        "disable_leftover_css": True,
        "remove_classes": False,
        "disable_validation": True,
        "disable_basic_attributes": ["width", "height"],
        "exclude_pseudoclasses": True,
        "align_floating_images": False,
        "cache_css_parsing": False,
        "cssutils_logging_level": logging.CRITICAL,
        "method": "html",
    }


class _CachingPremailer(Premailer):  # type: ignore[misc]  # premailer has no type hints
    """premailer with each stylesheet parsed once per process.

    Its own ``cache_css_parsing`` would parse once too, but keeps parsed sheets in the cache it
    shares, keyed by arguments alone, with its style-attribute parser, and still re-serialises
    every declaration on each call. The rules kept here are only read: premailer copies them
    into its own list, and ``disable_leftover_css`` means it never rewrites leftover rules.
    """

    cache_dir: Path | None = None

    def _parse_style_rules(self, css_body: str, ruleset_index: int) -> Any:
        """The rules premailer derives from a sheet depend only on the sheet, its index and the
        options, all fixed here: parse and serialise each sheet once per process, and, with a
        ``cache_dir``, once across processes (digest.mail.inline_cache)."""
        options = (self.strip_important, self.exclude_pseudoclasses, self.include_star_selectors,
                   self.disable_validation)
        key = (css_body, ruleset_index, *options)
        if key not in _RULES:
            if len(_RULES) >= 32:  # a long-lived process whose config keeps changing
                _RULES.clear()
            _RULES[key] = self._parsed(css_body, ruleset_index, options)
        return _RULES[key]

    def _parsed(self, css_body: str, ruleset_index: int, options: tuple[object, ...]) -> Any:
        # Only the left-over rules' count is kept on disk: with keep_style_tags premailer reads no more
        # of them (it keeps the <style> as written), so without it every sheet is parsed here.
        if self.cache_dir is None or not self.keep_style_tags or not css_body:
            return super()._parse_style_rules(css_body, ruleset_index)
        key = sheet_key(css_body, ruleset_index, options)
        kept = load_rules(self.cache_dir, key, css_body, ruleset_index)
        if kept is not None:
            rules, leftover = kept
            return rules, [None] * leftover
        rules, leftover = super()._parse_style_rules(css_body, ruleset_index)
        save_rules(self.cache_dir, key, rules, len(leftover))
        return rules, leftover


_RULES: dict[tuple[object, ...], Any] = {}
_SEEDED: dict[Path, set[tuple[str, bool | None]]] = {}  # per cache folder: the declarations on file


def _key(text: str, validate: bool | None) -> Any:
    """premailer's cache key for ``csstext_to_pairs(text[, validate=...])`` (cachetools' hashkey)."""
    return hashkey(text) if validate is None else hashkey(text, validate=validate)


def _seed(pairs: dict[tuple[str, bool | None], list[tuple[str, str]]]) -> set[tuple[str, bool | None]]:
    """Put the kept declarations into premailer's cache, as if this process had parsed them."""
    with premailer_cache_lock:
        for (text, validate), found in pairs.items():
            premailer_cache[_key(text, validate)] = found
    return set(pairs)


def _declarations() -> dict[tuple[str, bool | None], list[tuple[str, str]]]:
    """The declaration lists in premailer's cache (it shares it with selectors, told apart by value)."""
    found: dict[tuple[str, bool | None], list[tuple[str, str]]] = {}
    with premailer_cache_lock:
        items = list(premailer_cache.items())
    for key, value in items:
        parts = tuple(key)
        if not (isinstance(value, list) and parts and isinstance(parts[0], str)):
            continue
        if len(parts) == 1:
            validate = None
        elif len(parts) == 3 and parts[2][:1] == ("validate",) and isinstance(parts[2][1], bool):
            validate = parts[2][1]
        else:
            continue
        if all(isinstance(p, tuple) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in value):
            found[(parts[0], validate)] = value
    return found


def inline_css(html: str, css: str, cache_dir: Path | None = None) -> str:
    """Apply ``css`` as inline styles; the document's own ``<style>`` is kept as written.
    ``cache_dir``: where the parsed sheet is kept for the next process (digest.mail.inline_cache)."""
    with _cssutils_prefs(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # premailer warns on unknown data-premailer values only
        inliner = _CachingPremailer(html, **premailer_options(css))
        inliner.cache_dir = cache_dir
        if cache_dir is not None and cache_dir not in _SEEDED:
            _SEEDED[cache_dir] = _seed(load_pairs(cache_dir))
        out = inliner.transform(pretty_print=False)
        if cache_dir is not None:
            found = _declarations()
            if not found.keys() <= _SEEDED[cache_dir]:
                save_pairs(cache_dir, found)
                _SEEDED[cache_dir] = set(found)
    return str(out).strip() + "\n"
