"""One HTML document as every reader of an analysis shares it: parsed once, stripped of noise once."""

from __future__ import annotations

import copy
from functools import cached_property

import lxml.html
from lxml import etree

from digest.reviews.noise import CLASS_STRINGS, _find_noise, _strip, class_values, has_noise_tag, may_hold_noise
from digest.reviews.parsing import lines_of, parse_html, text_lines


class Document:
    """One HTML document, parsed once and stripped of noise once, for every reader of it.

    An analysis reads the same content and page for the score, the TL;DR and the lead
    image; each used to parse (and strip) it again. ``root`` is the tree as parsed and
    ``stripped`` the tree without related lists and chrome: both are shared, so readers
    must not change them; one that edits (the score text reader drops titles) takes
    :meth:`stripped_copy`, a C-level copy that costs far less than a parse and a strip.
    """

    def __init__(self, html: str | None) -> None:
        self.html = html or ""
        self._classes: set[str] = set()
        self._lines: list[str] | None = None  # the noise walk's text of ``stripped``, when it read it

    @cached_property
    def root(self) -> lxml.html.HtmlElement | None:
        return parse_html(self.html) if self.html else None

    @cached_property
    def stripped(self) -> etree._Element | None:
        """``root`` itself when it holds no noise (most feed content): no copy is made then."""
        root = self.root
        if root is None:
            return None
        if not has_noise_tag(root):  # no nav, footer...: may it hold noise at all? (libxml2 passes)
            classes = set(CLASS_STRINGS(root))
            if not may_hold_noise(root, classes):
                self._classes = classes
                return root
        # The noise is looked for once, in the copy that is then stripped (a copy costs far less than
        # the search); without noise the copy is dropped and the parsed tree serves.
        copied = copy.deepcopy(root)
        values = class_values(copied)
        self._classes = values[1]
        found, parts = _find_noise(copied, values)
        if not found[2]:  # no heading: the walk's text pieces are those of the stripped tree
            self._lines = lines_of(parts)
        return _strip(copied, found) if found[1] or found[2] else root

    @property
    def classes(self) -> set[str]:
        """The distinct class values of ``root`` before the noise went: every class value of
        ``stripped``, and perhaps some of the noise's (do not change it)."""
        if self.stripped is None:
            return set()
        return self._classes

    @cached_property
    def stripped_lines(self) -> list[str]:
        """``text_lines(stripped)``, read once for the TL;DR and the score (do not change it)."""
        if self.stripped is None:
            return []
        return self._lines if self._lines is not None else text_lines(self.stripped)

    def stripped_copy(self) -> etree._Element | None:
        return copy.deepcopy(self.stripped) if self.stripped is not None else None
