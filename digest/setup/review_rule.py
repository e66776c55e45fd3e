"""Which sampled posts are reviews: the candidate rules a site's posts suggest, and the one init keeps.

A site says what a review is in its own filing (a URL section such as ``/reviews/``, a
"Reviews" category) or in its titles ("Review: X", "X book review"). Each candidate is kept
with the posts it marks, so ``init`` can show the editor what each would count and leave
out, and choose the rule with the fewest surprises.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from digest.models import FeedEntry
from digest.reviews.score_model import Score
from digest.settings.config import ReviewSettings
from digest.setup.found import REVIEW_NAME

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
# A tag that is a grade: a verdict word ("good", "bad", "must read") or a star/point count ("4 stars",
# "8/10"). One of them alone says little ("good news"); a site's set of them is its grading scale.
_GRADE = re.compile(
    r"^(?:(?:very |pretty |really )?(?:good|great|decent|bad|poor|excellent|average|mediocre|okay|ok|fair|"
    r"terrible|awful|superb|solid|weak|meh|amazing|outstanding|brilliant|fantastic|disappointing|"
    r"masterpiece|recommended|not recommended|highly recommended|avoid(?: it)?|skip(?: it)?|"
    r"must[- ](?:play|read|see|watch|listen|have|buy)|"
    r"un(?:playable|watchable|readable|listenable))"
    r"|\d(?:\.5)?[- ]?stars?|\d{1,2}(?:\.\d)?\s*(?:/|out of)\s*(?:5|10))$", re.I)
MIN_SCORED_REVIEWS = 4  # fewer reviews all carrying a score is no evidence that a score makes one
MIN_GRADE_POSTS = 2  # a grade shared by fewer posts is not evidence of a scale (one odd tag)
MIN_SECTION_POSTS = 4  # a URL section with fewer sampled posts says too little to be a review section
GRADED_SHARE = 2 / 3  # of a section's posts carrying a grade, for the section to be the site's reviews


@dataclass(frozen=True)
class _Rule:
    """One candidate review rule and the posts (links) it marks."""

    kind: str  # "section", "category", "grades", "graded" (a section of graded posts), "title" or "slug"
    value: str  # the URL pattern, category name or title pattern written into the config
    meaning: str
    hits: frozenset[str]
    values: tuple[str, ...] = ()  # "grades": the grade tags, each a category of the config

    @property
    def structural(self) -> bool:
        """The site's own filing (a URL section, a category, its grade tags), not the wording of titles."""
        return self.kind in ("section", "category", "grades", "graded")

    @property
    def categories(self) -> tuple[str, ...]:
        return self.values if self.kind == "grades" else (self.value,) if self.kind == "category" else ()


def grade_tags(entries: list[FeedEntry]) -> tuple[tuple[str, int], ...]:
    """The site's grade tags with how many sampled posts carry each, or () when it has no scale.

    A review site that grades with tags ("good", "decent", "bad") puts exactly one on each review:
    at least two grades, each on several posts, never two on the same post. That is a verdict on
    what the post is about, which is what makes it a review, whatever the post's title or folder.
    """
    counts = Counter(c for e in entries for c in {c.strip() for c in e.categories} if _GRADE.match(c))
    grades = {c for c, n in counts.items() if n >= MIN_GRADE_POSTS}
    if len(grades) < 2 or any(len(grades & {c.strip() for c in e.categories}) > 1 for e in entries):
        return ()
    if sum(counts[c] for c in grades) < 2 * MIN_GRADE_POSTS + 1:
        return ()
    return tuple(sorted(((c, counts[c]) for c in grades), key=lambda cn: (-cn[1], cn[0])))


def graded_sections(entries: list[FeedEntry], paths: list[list[str]], shared: int,
                    grades: set[str]) -> list[_Rule]:
    """The URL sections where a site that grades with tags files its reviews, graded or not.

    A site that files its posts in folders and grades its reviews with tags puts the graded posts
    in its review folders: a folder where at least two thirds of the posts carry a grade is one,
    and its ungraded posts are reviews the site did not grade. Proposed only when the folders
    tell posts apart: every graded post sits in them and some posts sit elsewhere. Date folders
    (/2015/) file by time, not by kind.
    """
    folders: dict[str, list[FeedEntry]] = {}
    for entry, parts in zip(entries, paths, strict=True):
        if len(parts) > shared + 1 and not parts[shared].isdigit():
            folders.setdefault(parts[shared], []).append(entry)
    graded = {e.link for e in entries if grades & {c.strip() for c in e.categories}}
    found = []
    for folder, posts in sorted(folders.items()):
        n = sum(1 for e in posts if e.link in graded)
        if len(posts) >= MIN_SECTION_POSTS and n >= GRADED_SHARE * len(posts):
            found.append(_Rule("graded", f"/{re.escape(folder)}/",
                               f"{n} of {len(posts)} posts in /{folder}/ carry a grade tag",
                               frozenset(e.link for e in posts)))
    inside = set().union(*(r.hits for r in found)) if found else set()
    if not found or not graded <= inside or len(inside) == len(entries):
        return []
    return found


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
    grades = grade_tags(entries)
    if grades:
        names = {c for c, _ in grades}
        shown = ", ".join(f"{c!r} ({n})" for c, n in grades)
        found.append(_Rule("grades", "", f"grade tags {shown}",
                           frozenset(e.link for e in entries if names & {c.strip() for c in e.categories}),
                           tuple(c for c, _ in grades)))
        found.extend(graded_sections(entries, paths, shared, names))
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
        elif rule.kind == "grades":
            text = (f"{len(rule.hits)} of {total} sampled posts carry one of the site's {rule.meaning} "
                    "(never two on a post: a verdict)")
        elif rule.kind == "title":
            text = f"{len(rule.hits)} {rule.meaning}"
        elif rule.kind == "graded":
            text = f"{rule.meaning}: a review section"
        elif rule.kind == "section":
            text = f"{len(rule.hits)} post URLs are under {rule.meaning.removeprefix('URL section ')}"
        else:
            text = f"{len(rule.hits)} {rule.meaning}"
        evidence.append(text + (f" (adds {adds})" if covered and adds < len(rule.hits) else ""))
        covered |= rule.hits
    how = "; ".join(evidence) or (f"no review rule found in {total} sampled posts (no 'Reviews' category, "
                                  "no 'Review:' titles, no /review/ URLs): set [reviews] by hand")
    return (tuple(c for r in chosen for c in r.categories),
            tuple(r.value for r in chosen if r.kind == "title"),
            tuple(r.value for r in chosen if r.kind in ("section", "graded", "slug")), how)


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


def scored_posts_rule(entries: list[FeedEntry], reviews: list[FeedEntry],
                      read: Callable[[FeedEntry], Score | None]) -> tuple[tuple[str, ...], str]:
    """(links added, evidence) when posts that carry their own score are reviews on this site; else ((), "").

    When every review the rule finds carries a score the reader finds in its feed text, that verdict
    is what a review is here: a post outside the rule with one is a review the site did not file
    (and the reader leaves a list's item scores unscored). Proposed only when it adds a few posts,
    never more than half as many as the rule finds: more would say the rule is wrong, not the filing.
    """
    if len(reviews) < MIN_SCORED_REVIEWS or any(read(e) is None for e in reviews):
        return (), ""
    marked = {e.link for e in reviews}
    added = [e for e in entries if e.link not in marked and read(e) is not None
             and not re.search(_RECAP, e.title, re.I)]
    if not added or len(added) * 2 > len(reviews):
        return (), ""
    named = ", ".join(f"\"{e.title.strip()[:60]}\"" for e in added[:3])
    return (tuple(e.link for e in added),
            f"every one of the {len(reviews)} reviews it finds carries its own score in the feed, "
            f"and {len(added)} post(s) outside it carry one too ({named}): scored_posts_are_reviews adds them")
