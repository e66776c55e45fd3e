"""Which sampled posts are reviews: the candidate rules a site's posts suggest, and the one init keeps.

A site says what a review is in its own filing (a URL section such as ``/reviews/``, a
"Reviews" category) or in its titles ("Review: X", "X book review"). Each candidate is kept
with the posts it marks, so ``init`` can show the editor what each would count and leave
out, and choose the rule with the fewest surprises.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

from digest.models import FeedEntry
from digest.settings.config import ReviewSettings
from digest.setup.discover import REVIEW_NAME

# Title rules, most specific first: "REVIEW: X", "X Review: subtitle", "X review".
TITLE_RULES = (
    (r"^\s*REVIEW\s*[:\-–—|]", "titles start with \"Review:\""),
    (r"(?:^|\s)Review\s*[:\-–—|]", "titles say \"<Title> Review:\""),
    (r"\bReview\s*$", "titles end with \"Review\""),
)
URL_RULES = (r"/reviews?/", r"-review(?:-|/|$)")
_RECAP: str = ReviewSettings.model_fields["recap_pattern"].default  # what collect never counts as a review
# A URL section (folder) for reviews: /reviews/, /book-reviews/, /review_archive/.
_SECTION_NAME = re.compile(r"(?:^|[-_])reviews?(?:$|[-_])", re.I)


@dataclass(frozen=True)
class _Rule:
    """One candidate review rule and the posts (links) it marks."""

    kind: str  # "section", "category", "title" or "slug"
    value: str  # the URL pattern, category name or title pattern written into the config
    meaning: str
    hits: frozenset[str]

    @property
    def structural(self) -> bool:
        """The site's own filing (a URL section, a category), not the wording of titles."""
        return self.kind in ("section", "category")


def _rule_candidates(entries: list[FeedEntry]) -> list[_Rule]:
    """Every rule the sampled posts suggest: review sections, review categories, the best title rule."""
    found: list[_Rule] = []
    paths = [[p for p in urlsplit(e.link).path.split("/") if p] for e in entries]
    # Folders every post shares are the site's own address (a site at /film-reviews/), not a section.
    shared = 0
    while paths and all(len(p) > shared + 1 and p[shared] == paths[0][shared] for p in paths):
        shared += 1
    sections: dict[str, set[str]] = {}
    for entry, parts in zip(entries, paths, strict=True):
        for folder in parts[shared:-1]:
            if _SECTION_NAME.search(folder):
                sections.setdefault(folder, set()).add(entry.link)
    for folder, links in sections.items():
        if len(links) >= 2:
            found.append(_Rule("section", f"/{re.escape(folder)}/", f"URL section /{folder}/",
                               frozenset(links)))
    counts = Counter(c for e in entries for c in set(e.categories) if REVIEW_NAME.search(c))
    for name, n in counts.most_common(2):
        if n >= 2:
            found.append(_Rule("category", name, f"category {name!r}",
                               frozenset(e.link for e in entries if name in e.categories)))
    best: _Rule | None = None
    for pattern, meaning in TITLE_RULES:  # the one that marks the most; on a tie the more specific
        hits = frozenset(e.link for e in entries if re.search(pattern, e.title, re.I))
        if len(hits) >= 2 and (best is None or len(hits) > len(best.hits)):
            best = _Rule("title", pattern, meaning, hits)
    if best is not None:
        found.append(best)
    if not found:
        for pattern in URL_RULES:
            hits = frozenset(e.link for e in entries if re.search(pattern, urlsplit(e.link).path, re.I))
            if len(hits) >= 2:
                found.append(_Rule("slug", pattern, f"post URLs match {pattern}", hits))
                break
    return found


def _choose(candidates: list[_Rule], entries: list[FeedEntry]) -> list[_Rule]:
    """The fewest rules that mark every post some candidate marks, the site's filing first.

    A URL section or a category that holds every review explains them all: a title rule that
    marks nothing more is left out. A rule is added only for posts no kept rule marks (recaps,
    which a review tag also carries, count for nothing).
    """
    recaps = {e.link for e in entries if re.search(r"\brecap\b", e.title, re.I)}
    ordered = sorted(candidates, key=lambda r: (not r.structural, -len(r.hits)))
    chosen: list[_Rule] = []
    covered: set[str] = set()
    for rule in ordered:
        if rule.hits - covered - recaps:
            chosen.append(rule)
            covered |= rule.hits
    for rule in reversed(list(chosen)):
        others = set().union(*(r.hits for r in chosen if r is not rule))
        if len(chosen) < 2 or rule.hits - others - recaps:
            continue
        # Covered by the others: a title rule would add only its future mistakes, and so would
        # a tag on a few of the reviews; a category as large as the rest is the site's filing.
        if not rule.structural or len(rule.hits) * 2 < len(others):
            chosen.remove(rule)
    return chosen


def review_rule(entries: list[FeedEntry]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str]:
    """(categories, title patterns, URL patterns, evidence): the rules :func:`_choose` keeps."""
    chosen = _choose(_rule_candidates(entries), entries)
    total = len(entries)
    evidence: list[str] = []
    covered: set[str] = set()
    for rule in chosen:
        adds = len(rule.hits - covered)
        if rule.kind == "category":
            text = f"{len(rule.hits)} of {total} sampled posts are in {rule.value!r}"
        elif rule.kind == "title":
            text = f"{len(rule.hits)} {rule.meaning}"
        elif rule.kind == "section":
            text = f"{len(rule.hits)} post URLs are under {rule.meaning.removeprefix('URL section ')}"
        else:
            text = f"{len(rule.hits)} {rule.meaning}"
        evidence.append(text + (f" (adds {adds})" if covered and adds < len(rule.hits) else ""))
        covered |= rule.hits
    how = "; ".join(evidence) or (f"no review rule found in {total} sampled posts (no 'Reviews' category, "
                                  "no 'Review:' titles, no /review/ URLs): set [reviews] by hand")
    return (tuple(r.value for r in chosen if r.kind == "category"),
            tuple(r.value for r in chosen if r.kind == "title"),
            tuple(r.value for r in chosen if r.kind in ("section", "slug")), how)


def rule_candidates(entries: list[FeedEntry]) -> tuple[str, ...]:
    """For the editor: what each candidate rule, and the chosen one, would count and leave out."""
    candidates = _rule_candidates(entries)
    if not candidates:
        return ()
    chosen = _choose(candidates, entries)
    recaps = {e.link for e in entries if re.search(_RECAP, e.title, re.I)}  # never reviews (rules.py)
    marked = set().union(*(r.hits for r in candidates)) - recaps
    titles = {e.link: e.title.strip() or e.link for e in entries}
    order = [e.link for e in entries]

    def named(links: set[str], limit: int = 3) -> str:
        listed = [f"\"{titles[link][:60]}\"" for link in order if link in links][:limit]
        return ", ".join(listed) + (f" and {len(links) - limit} more" if len(links) > limit else "")

    lines = []
    for rule in candidates:
        left = marked - rule.hits
        lines.append(f"{rule.meaning}: {len(rule.hits)} posts; "
                     + (f"leaves out {len(left)} the other rules mark: {named(left)}" if left
                        else "leaves out none the other rules mark"))
    kept = set().union(*(r.hits for r in chosen)) - recaps if chosen else set()
    rest = {e.link for e in entries} - kept
    lines.append("chosen: " + " + ".join(r.meaning for r in chosen) + f": {len(kept)} posts"
                 + (f"; not reviews by it: {len(rest)}, e.g. {named(rest)}" if rest else ""))
    return tuple(lines)


def is_review(entry: FeedEntry, categories: tuple[str, ...], titles: tuple[str, ...],
               urls: tuple[str, ...]) -> bool:
    if re.search(_RECAP, entry.title, re.I):
        return False
    folded = {c.casefold() for c in categories}
    return (any(c.casefold() in folded for c in entry.categories)
            or any(re.search(p, entry.title, re.I) for p in titles)
            or any(re.search(p, entry.link, re.I) for p in urls))
