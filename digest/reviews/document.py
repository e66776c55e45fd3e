"""One HTML document as every reader of an analysis shares it: parsed once, stripped of noise once."""

from __future__ import annotations

import copy
from functools import cached_property
from typing import Any

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
        self._names: set[str] | None = None  # the distinct class values read before the noise went
        self._values: list[Any] | None = None  # the copy's class values, when noise went from the copy
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
            names = set(CLASS_STRINGS(root))
            if not may_hold_noise(root, names):
                self._names = names
                return root
        # The noise is looked for once, in the copy that is then stripped (a copy costs far less than
        # the search); without noise the copy is dropped and the parsed tree serves.
        copied = copy.deepcopy(root)
        values = class_values(copied)
        self._names = values[1]
        found, parts = _find_noise(copied, values)
        if not found[2]:  # no heading: the walk's text pieces are those of the stripped tree
            self._lines = lines_of(parts)
        if not found[1] and not found[2]:
            return root
        self._values = values[0]
        return _strip(copied, found)

    def class_values(self) -> tuple[list[Any], bool]:
        """The class values (smart strings, in document order) of every element of ``stripped``, and
        whether some are of noise it no longer holds (then they were read before the noise went)."""
        if self.stripped is None:
            return [], False
        if self._values is not None:
            return self._values, True
        return class_values(self.stripped)[0], False

    @property
    def class_names(self) -> set[str]:
        """The distinct class values of ``stripped``, and perhaps of noise it no longer holds (do not
        change it): a name missing here is on no element of ``stripped``."""
        if self.stripped is None:
            return set()
        if self._names is None:
            self._names = set(CLASS_STRINGS(self.stripped))
        return self._names

    @cached_property
    def stripped_lines(self) -> list[str]:
        """``text_lines(stripped)``, read once for the TL;DR and the score (do not change it)."""
        if self.stripped is None:
            return []
        return self._lines if self._lines is not None else text_lines(self.stripped)

    def stripped_copy(self) -> etree._Element | None:
        return copy.deepcopy(self.stripped) if self.stripped is not None else None
