"""Selections and configs for the email tests: a realistic week, and one full of hostile feed data.

The realistic week mirrors a *But Why Tho?* issue (reviews across TV, film, anime,
games and comics, "Rating - 8/10" scores, TL;DRs, WordPress lead images). The
hostile week carries what a compromised or careless feed could send: script tags,
event handlers, javascript:/data:/http: URLs, SVG images and merge-tag injection.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from helpers.configfile import config_text

from digest.models import ImageHint, NearMiss, Pick, PickKind, Review, ScoreInfo, Selection, Signal, SignalName
from digest.settings.config import Config, load_config

SITE = "https://butwhytho.example"
UPLOADS = f"{SITE}/wp-content/uploads/2025/05"
WEEK_START = datetime(2025, 5, 12, 5, 0, tzinfo=UTC)  # Monday 00:00 America/Chicago
WEEK_END = WEEK_START + timedelta(days=7)
NOW = datetime(2025, 5, 19, 13, 0, tzinfo=UTC)

NOTE = f"""Big week for **anime** and one genuinely great sci-fi series. Our critics also
spent far too long in *Clair Obscur* — the full review is below.

- Catch up on the [spring anime guide]({SITE}/anime-guide/)
- Tell us what we missed: [editors@butwhytho.example](mailto:editors@butwhytho.example)
"""


def review(n: int, title: str, section: str, score: float | None, *, author: str | None = "Kate Sánchez",
           tldr: str = "", image: ImageHint | None | str = "auto", day: int = 0, link: str | None = None,
           comments: int | None = 12) -> Review:
    slug = f"review-{n}"
    if image == "auto":
        image = ImageHint(f"{UPLOADS}/{slug}-1200x675.jpg", "media:content", 1200, 675)
    return Review(
        entry_id=n, uid=f"{SITE}/?p={1000 + n}", link=link or f"{SITE}/2025/05/{13 + day % 5:02d}/{slug}/",
        title=title, author=author, published=WEEK_START + timedelta(days=day, hours=15),
        section=section, categories=(section, "Reviews"), is_review=True,
        score=ScoreInfo(score, f"Rating - {score:g}/10", "10", "content") if score is not None else None,
        unscored_reason=None if score is not None else "no score found", tldr=tldr,
        image=image if not isinstance(image, str) else None, comments=comments,
    )


def _top(position: int, r: Review, kind: PickKind = PickKind.TOP) -> Pick:
    assert r.score is not None
    return Pick(kind, position, r, (f"#{position} by score", f"scored {r.score.value:g}/10"))


def _trending(position: int, r: Review, comments: int, site_rank: int | None = None) -> Pick:
    signals = [Signal(SignalName.COMMENTS, comments * 0.8, round(1 - position * 0.15, 2),
                      comments=comments, days=14)]
    if site_rank:
        signals.append(Signal(SignalName.SITE, 0.7, 0.7, rank=site_rank))
    reasons = (f"#{position} most talked-about",) + tuple(s.detail for s in signals)
    return Pick(PickKind.TRENDING, position, r, reasons, tuple(signals), round(1 - position * 0.1, 2))


def realistic_selection(note: str | None = NOTE) -> Selection:
    """Five top-scored reviews (one pinned), four trending, an editor's note."""
    top = [
        review(1, "REVIEW: ‘Clair Obscur: Expedition 33’ Is A Stunning, Heartbreaking Masterpiece",
               "Video Games", 9.5, author="Charles Hartford", day=1,
               tldr="Clair Obscur: Expedition 33 is a turn-based RPG that marries a gorgeous Belle Époque "
                    "world to combat that never stops asking something of you. One of the year's best."),
        review(2, "REVIEW: ‘The Four Seasons’ Is As Relatable As It Is Messy", "TV", 9.0, day=2,
               tldr="The Four Seasons is a romantic comedy, a dramedy, and the perfect love story for those "
                    "who have been with our partners for a long time."),
        review(3, "REVIEW: ‘Twilight Out Of Focus’ Episode 12 — “A Red Thread”", "Anime", 8.0,
               author="Allyson Johnson", day=3, image=ImageHint(f"{UPLOADS}/twilight-12.jpg", "content"),
               tldr="Twilight Out Of Focus Episode 12 is a strong, sweeping finale that beautifully bottles "
                    "Mao and Hisashi’s love story."),
        review(4, "REVIEW: ‘Absolute Batman’ #8 Swings For The Fences & Connects", "Comics", 8.5,
               author="Pieter Bruegel", day=4, image=None,
               tldr="Absolute Batman #8 keeps the book's brutal momentum while finally giving Alfred room "
                    "to breathe."),
        review(5, "REVIEW: ‘Exterritorial’ Is A Netflix Action Movie Worth Watching", "Film", 7.0, day=5,
               tldr="Exterritorial scratches that mid-budget action itch that is finally starting to come "
                    "into focus in the action landscape again."),
    ]
    trending = [
        review(11, "REVIEW: ‘The Eternaut’ Is Another International Sci-Fi Hit", "TV", 8.5, day=0,
               tldr="The Eternaut tackles genre staples through an Argentine lens."),
        review(12, "RECAP: ‘9-1-1’ Season 8 Episode 16 — “The Last Alarm”", "TV", 8.5, author="Katey Stoetzel",
               day=1, tldr="An emotional ringer."),
        review(13, "REVIEW: ‘Mobile Suit Gundam: GQuuuuuuX’ Episode 4 — “The Witch’s War”", "Anime", 6.0,
               author="Chris Fitzgerald", day=2),
        review(14, "REVIEW: ‘Fire Force’ Season 3 Episode 5 — “A Chance Meeting with an Archenemy”", "Anime",
               4.5, author="Chris Fitzgerald", day=3),
    ]
    picks = [_top(1, top[0]), _top(2, top[1], PickKind.PINNED)] + [_top(i, r) for i, r in enumerate(top[2:], 3)]
    trends = [_trending(1, trending[0], 41, 2), _trending(2, trending[1], 27), _trending(3, trending[2], 14, 5),
              _trending(4, trending[3], 9)]
    return Selection(
        issue_id="2025-W20", window_start=WEEK_START, window_end=WEEK_END, now=NOW,
        top=tuple(picks), trending=tuple(trends),
        near_misses=(NearMiss(review(20, "REVIEW: ‘Borrowed Light’ Plays It Too Safe", "Film", 6.5),
                              "below the cut: 6th by score (6.5/10)"),),
        note_markdown=note, signals_available=(SignalName.COMMENTS, SignalName.SITE), scored_reviews=14,
    )


XSS_TITLE = '<script>alert("t")</script>REVIEW: ‘Bad <b>Title</b>’ <img src=x onerror=alert(1)>'
XSS_NOTE = """Hello <script>alert('note')</script> <img src=x onerror="alert(2)">

[click me](javascript:alert(3)) and [data](data:text/html;base64,PHNjcmlwdD4=) and
[ok link](https://butwhytho.example/ok/) <a href="javascript:alert(4)" onclick="x()">raw</a>

![tracker](https://evil.example/pixel.gif)
"""


def hostile_selection() -> Selection:
    """Every field a feed controls, filled with something dangerous."""
    base = realistic_selection(XSS_NOTE)
    evil = [
        review(31, XSS_TITLE, '<iframe src="https://evil.example">', 9.0, author='"><script>alert(5)</script>',
               tldr='TL;DR <b onmouseover="alert(6)">bold</b> {{ 7*7 }} *|UNSUB|* {% raw %}',
               link="javascript:alert(document.cookie)",
               image=ImageHint("data:image/png;base64,iVBORw0KGgo=", "content", 600, 400)),
        review(32, "REVIEW: ‘Onerror’ \" onerror=\"alert(7)", "Film", 8.0, link=" JaVaScRiPt:alert(8)",
               image=ImageHint("javascript:alert(9)", "content")),
        review(33, "REVIEW: ‘Plain HTTP’", "TV", 7.5, link="http://butwhytho.example/2025/05/14/plain-http/",
               image=ImageHint("http://butwhytho.example/wp-content/uploads/plain.jpg", "content", 800, 450)),
        review(34, "REVIEW: ‘Vector’", "Comics", 7.0, link="https://butwhytho.example/vector/\"><script>",
               image=ImageHint("https://evil.example/logo.svg", "content", 100, 100)),
        review(35, "REVIEW: ‘Protocol-relative’", "Anime", 6.5, link="//evil.example/x",
               image=ImageHint("https://user:pass@evil.example/x.jpg", "content")),
    ]
    top = tuple(_top(i, r) for i, r in enumerate(evil[:3], 1))
    trending = (_trending(1, evil[3], 5), _trending(2, evil[4], 3))
    return replace(base, top=top, trending=trending)


def minimal_selection() -> Selection:
    """A quiet week: one scored review, no image, no author, no note, nothing trending."""
    only = review(41, "REVIEW: ‘Quiet Week’", "Film", 5.5, author=None, image=None, tldr="")
    return replace(realistic_selection(None), top=(_top(1, only),), trending=())


# -- configs ---------------------------------------------------------------------------------------


def _toml(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def email_config_text(**email: Any) -> str:
    """``mailer`` is Mailchimp unless given (``mailer=None``: unnamed, the delivery path decides)."""
    email = {k: v for k, v in {"mailer": "mailchimp", **email}.items() if v is not None}
    text = config_text([f"{SITE}/feed/"], timezone="America/Chicago", email=None).replace(
        'name = "Example Reviews"', 'name = "But Why Tho?"').replace(
        'url = "https://reviews.example/"', f'url = "{SITE}/"')
    lines = ["", "[email]"] + [f"{k} = {_toml(v)}" for k, v in email.items()]
    return text + "\n".join(lines) + "\n"


def email_config(folder: Path, **email: Any) -> Config:
    """A real config file with an ``[email]`` table, loaded through the real loader."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "digest.toml"
    path.write_text(email_config_text(**email), encoding="utf-8")
    return load_config(path)


BRANDED: dict[str, Any] = {
    "mailer": "mailchimp",
    "from_address": "newsletter@butwhytho.example",
    "from_name": "But Why Tho? Weekly",
    "brand_color": "#1d2433",
    "accent_color": "#d6452b",
    "utm_source": "newsletter",
    "social": [{"name": "Facebook", "url": "https://facebook.com/butwhytho"},
               {"name": "X", "url": "https://x.com/butwhytho"},
               {"name": "YouTube", "url": "https://youtube.com/@butwhytho"}],
}
