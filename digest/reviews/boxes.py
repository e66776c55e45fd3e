"""Where a page's own score box and main region are: each search one pass of libxml2 over the page.

A CSS selector list (``.a, .b, .c``) is a union of one XPath per selector, and libxml2 walks the
page once for each; these XPaths ask the same of every element in one walk (one predicate joined by
``or``, the tests cssselect writes for a class, an id or a tag), so they find the same elements, in
document order (``tests/test_reviews_one_walk.py`` compares them with the CSS on every corpus page).
"""

from __future__ import annotations

import re

from lxml import etree

# Score boxes of common review plugins (WP Review, Lets Review, Reviewer, JNews, Taqyeem),
# then generic theme classes. Within a group every box must agree: a theme that reuses
# ".review-score" for a card of another post makes the group ambiguous, so it is skipped.
BOX_SELECTORS = (
    ".review-total-box, .lets-review-block__final-score, .lets-review-final-score,"
    " .rwp-overall-score, .jeg_review_wrap .review_score, .review-final-score",
    ".final-score, .total-score, .overall-score, .review-score, .score-box",
)
MAIN_SELECTOR = "article, main, .entry-content, .post-content, #content"  # the article's region


def _has_class(name: str) -> str:
    """cssselect's test for ``.name``: the raw value holds it (cheap), then as a whole token."""
    return f"(contains(@class, '{name}') and contains(concat(' ', normalize-space(@class), ' '), ' {name} '))"


def _one_pass(tests: list[str]) -> etree.XPath:
    return etree.XPath(f"descendant-or-self::*[{' or '.join(tests)}]")


def _box_tests(css: str) -> list[str]:
    tests = []
    for selector in css.split(","):
        names = re.findall(r"\.([\w-]+)", selector)
        if len(names) == 1:
            tests.append(f"(@class and {_has_class(names[0])})")
        else:  # ".outer .inner": an inner box with an outer one among its ancestors
            outer, inner = names
            tests.append(f"(@class and {_has_class(inner)} and ancestor::*[@class and {_has_class(outer)}])")
    return tests


# Each group with the class names it uses: a page none of whose class values holds one of them has
# no such box, and the group's search is not made.
BOX_GROUPS = tuple((_one_pass(_box_tests(css)), tuple(re.findall(r"\.([\w-]+)", css))) for css in BOX_SELECTORS)
MAIN = _one_pass(["self::article", "self::main", f"(@class and {_has_class('entry-content')})",
                  f"(@class and {_has_class('post-content')})", "@id = 'content'"])


def in_user_box(el: etree._Element) -> bool:
    """WP Review and JNews draw readers' averages in the same box markup, nested in these."""
    for depth, node in enumerate((el, *el.iterancestors())):
        if depth > 5 or node.tag in ("body", "article", "main"):
            return False
        if re.search(r"user|reader|visitor|comment|average", node.get("class") or "", re.I):
            return True
    return False
