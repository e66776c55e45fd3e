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
- ``disable_validation=True`` and cssutils logging silenced: vendor properties
  (``mso-hide``, ``-webkit-text-size-adjust``) are valid for mail clients.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import cssutils
from premailer import Premailer


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
        "cache_css_parsing": False,
        "cssutils_logging_level": logging.CRITICAL,
        "method": "html",
    }


def inline_css(html: str, css: str) -> str:
    """Apply ``css`` as inline styles; the document's own ``<style>`` is kept as written."""
    with _cssutils_prefs(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # premailer warns on unknown data-premailer values only
        out = Premailer(html, **premailer_options(css)).transform(pretty_print=False)
    return str(out).strip() + "\n"
