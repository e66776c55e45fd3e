#!/usr/bin/env python3
"""Generate the bundled offline demo site "Second Screen" under config/demo/site/.

A static mirror of a fictional WordPress review site (modelled on But Why Tho?),
four weeks of posts from Monday 2025-04-21 to Sunday 2025-05-18 (ISO weeks
2025-W17..W20). Writes:

  site/feed/index.xml, site/feed/index.paged-N.xml        main feed, 10 items a page
  site/category/<slug>/feed/index[.paged-N].xml          category feeds
  site/YYYY/MM/DD/<slug>/index.html                      one article page per post
  site/index.html                                        home page with the Trending block
  labels.json                                            ground truth for tests

Deterministic: a fixed seed and a fixed capture time; no clock, no network,
stdlib only. Run:  python3 config/demo/generate.py
"""

# ruff: noqa: E501  (long lines are HTML templates)
from __future__ import annotations

import html
import json
import random
import re
import shutil
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # keep config/demo free of __pycache__

import catalog as C  # noqa: E402
import prose as P  # noqa: E402
from images import write_images  # noqa: E402

SITE_DIR = HERE / "site"
LABELS_PATH = HERE / "labels.json"
HOST = C.HOST
SITE_NAME = C.SITE_NAME
SEED = 20250421
# America/Chicago is on CDT (UTC-5) for the whole period; a fixed offset keeps
# the generator free of tz database differences.
CDT = timezone(timedelta(hours=-5), "CDT")
UTC = timezone.utc  # noqa: UP017 (keeps 3.10 working)
FIRST_DAY = date(2025, 4, 21)
LAST_DAY = date(2025, 5, 18)
CAPTURE = datetime(2025, 5, 19, 5, 40, tzinfo=CDT)  # when the "mirror" was taken
GENERATOR = "https://wordpress.org/?v=6.5.3"
PER_PAGE = 10
# Which TL;DR of its band each review takes next (prose.TLDR_VARIANTS, in turn).
_TLDR_TURNS: dict[str, int] = {}
MEDIA_FROM = date(2025, 5, 6)  # a media-RSS plugin was switched on this day

FEEDS = [("feed/", None)] + [("category/reviews/feed/", "Reviews")] + [
    (f"category/{slug}/feed/", name) for name, slug in C.SECTIONS.items()
]

SCORE_WHERE = {
    "page-jsonld": "page-jsonld",
    "page-box": "page-box",
    "feed-dash": "feed-text",
    "feed-dash-texturized": "feed-text",
    "feed-outof": "feed-text",
    "feed-outof-caps": "feed-text",
    "feed-gd": "feed-text",
    "feed-five": "feed-text",
    None: None,
}


@dataclass
class Post:
    kind: str  # review | recap | news | feature | interview
    section: str
    when: datetime  # local (CDT)
    work: dict = field(default_factory=dict)
    extra_sections: list[str] = field(default_factory=list)
    special: str = ""
    score: float | None = None
    form: str | None = None
    title: str = ""
    slug: str = ""
    pid: int = 0
    author: str = ""
    modified: datetime | None = None
    comments: int = 0
    trending_rank: int | None = None
    traps: list[str] = field(default_factory=list)
    tldr: str = ""
    body: str = ""  # content:encoded without the Yoast footer
    excerpt: str = ""
    image: str = ""
    image_alt: str = ""
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    rating_as_string: bool = False
    jsonld_separate: bool = False
    reader_score_comment: str = ""
    feed_score_html: str = ""
    score_raw: str | None = None
    words: int = 0

    @property
    def is_review(self) -> bool:
        return self.kind in ("review", "recap")

    @property
    def link(self) -> str:
        return f"{HOST}/{self.when:%Y/%m/%d}/{self.slug}/"

    @property
    def path(self) -> str:
        return f"{self.when:%Y/%m/%d}/{self.slug}/"

    @property
    def guid(self) -> str:
        return f"{HOST}/?p={self.pid}"

    @property
    def utc(self) -> datetime:
        return self.when.astimezone(UTC)

    @property
    def sections(self) -> list[str]:
        return [self.section] + self.extra_sections

    @property
    def band(self) -> str:
        return band_of(self.score if self.score is not None else 7.5)


# ---------------------------------------------------------------- small helpers


def band_of(score: float) -> str:
    if score >= 8.5:
        return "high"
    if score >= 7:
        return "good"
    if score >= 5.5:
        return "mixed"
    return "low"


def fmt_score(score: float) -> str:
    return str(int(score)) if float(score).is_integer() else f"{score:.1f}"


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def attr(text: str) -> str:
    return html.escape(text, quote=True)


def ncr(text: str) -> str:
    """Non-ASCII characters as numeric character references, like wptexturize output."""
    return "".join(c if ord(c) < 128 else f"&#{ord(c)};" for c in text)


def texturize(text: str) -> str:
    text = re.sub(r"(\w)'(\w)", "\\1\u2019\\2", text)
    text = text.replace(" -- ", " \u2014 ")
    return text


def slugify(title: str) -> str:
    text = unicodedata.normalize("NFKD", title)
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    text = text.replace("&", "")
    text = re.sub(r"[^a-z0-9\s-]", "", text)
    text = re.sub(r"[\s-]+", "-", text).strip("-")
    return text


def rfc822(moment: datetime) -> str:
    m = moment.astimezone(UTC)
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return f"{days[m.weekday()]}, {m.day:02d} {months[m.month - 1]} {m.year} {m:%H:%M:%S} +0000"


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def us_date(moment: datetime) -> str:
    return f"{moment:%m/%d/%Y}"


def person(rng: random.Random) -> str:
    return f"{rng.choice(C.FIRST_NAMES)} {rng.choice(C.LAST_NAMES)}"


def days():
    d = FIRST_DAY
    while d <= LAST_DAY:
        yield d
        d += timedelta(days=1)


def at(day: date, hh: int, mm: int) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=CDT)


# ---------------------------------------------------------------- the schedule

# Hand-placed posts the README and tests rely on. Everything else is random
# (seeded). score None + form None on a review = genuinely unscored.
SPECIALS = [
    dict(key="w17-top", day=date(2025, 4, 23), hm=(10, 30), kind="review", section="Video Games",
         work=("game", "Ember Vale"), score=9.5, form="page-jsonld"),
    dict(key="score-guide", day=date(2025, 4, 22), hm=(13, 0), kind="feature", section="Film",
         feature="score-guide"),
    dict(key="twin-lights", day=date(2025, 4, 24), hm=(9, 15), kind="review", section="Film",
         work=("film", "Twin Lights"), score=7.5, form="page-jsonld", traps=["prose-9/11"]),
    dict(key="top10-openings", day=date(2025, 4, 25), hm=(15, 0), kind="feature", section="Anime",
         feature="top10-openings"),
    dict(key="w17-second", day=date(2025, 4, 26), hm=(11, 45), kind="review", section="TV",
         work=("tv", "Small Hours"), score=9.0, form="page-box"),
    dict(key="comics-four-of-five", day=date(2025, 4, 23), hm=(8, 20), kind="review",
         section="Comics", work=("comic", "Ironbound"), score=8.0, form="feed-five"),
    dict(key="w18-low", day=date(2025, 4, 28), hm=(16, 0), kind="review", section="Video Games",
         work=("game", "Shatterpoint Arena"), score=4.5, form="page-box"),
    dict(key="unscored-anime", day=date(2025, 4, 29), hm=(14, 30), kind="review", section="Anime",
         work=("anime-special", "Starfall Academy"), score=None, form=None,
         traps=["prose-episode-12", "prose-top-10"]),
    dict(key="w18-top", day=date(2025, 4, 30), hm=(9, 0), kind="review", section="Film",
         work=("film", "Brightwater"), score=9.0, form="feed-dash"),
    dict(key="glass-orchard", day=date(2025, 5, 1), hm=(12, 0), kind="review", section="Anime",
         extra=["Film"], work=("anime-film", "The Glass Orchard"), score=8.5, form="page-jsonld"),
    dict(key="sunderfolk", day=date(2025, 5, 2), hm=(14, 0), kind="feature", section="Video Games",
         feature="sunderfolk", trending=1, comments=142),
    dict(key="film-five", day=date(2025, 5, 3), hm=(10, 10), kind="review", section="Film",
         work=("film", "Mirror Maze"), score=5.0, form="feed-gd"),
    dict(key="w19-tie-a", day=date(2025, 5, 6), hm=(13, 0), kind="review", section="TV",
         work=("tv", "The Long Quiet"), score=9.5, form="page-jsonld", trending=3, comments=96),
    dict(key="comics-three-half-of-five", day=date(2025, 5, 7), hm=(8, 20), kind="review",
         section="Comics", work=("comic", "The Drowned Library"), score=7.0, form="feed-five"),
    dict(key="dustborne-series", day=date(2025, 5, 8), hm=(15, 30), kind="review", section="TV",
         extra=["Video Games"], work=("tv-adaptation", "Dustborne Legion"), score=7.0,
         form="page-box"),
    dict(key="w19-tie-b", day=date(2025, 5, 9), hm=(10, 0), kind="review", section="Video Games",
         work=("game", "Lumen Hollow"), score=9.5, form="page-box"),
    dict(key="sunday-late-w19", day=date(2025, 5, 11), hm=(20, 30), kind="review", section="Film",
         work=("film", "Night Swimmers"), score=9.0, form="page-box", traps=["week-boundary-utc"]),
    dict(key="unscored-game", day=date(2025, 5, 14), hm=(11, 0), kind="review",
         section="Video Games", work=("game", "Orbital Janitor"), score=None, form=None,
         traps=["prose-top-10"]),
    dict(key="w20-top", day=date(2025, 5, 16), hm=(9, 30), kind="review", section="Film",
         work=("film", "Saint Agnes Street"), score=10.0, form="page-box", trending=2,
         comments=131),
    dict(key="after-ember", day=date(2025, 5, 15), hm=(16, 0), kind="feature",
         section="Video Games", feature="after-ember", trending=5),
    dict(key="w20-topten-game", day=date(2025, 5, 13), hm=(10, 45), kind="review",
         section="Video Games", work=("game", "Glasswing"), score=8.0, form="page-box",
         traps=["prose-top-10"]),
    dict(key="w20-interview", day=date(2025, 5, 17), hm=(12, 0), kind="interview", section="Film",
         trending=6),
]
# Weekly shows: weekday -> (show key, kind, section, local time)
WEEKLY = {
    0: ("twilight", "review", "Anime", (9, 5)),
    1: ("station51", "recap", "TV", (7, 30)),
    2: ("lantern", "review", "Anime", (10, 0)),
    3: ("hollowmoon", "review", "Anime", (11, 0)),
    4: ("harbor", "recap", "TV", (8, 0)),
    5: ("komari", "review", "Anime", (12, 0)),
    6: ("nightdesk", "review", "TV", (18, 0)),
}
# Scores / forms pinned on weekly episodes (week index 0..3).
WEEKLY_PINS = {
    ("twilight", 3): dict(score=8.0, form="page-box", trending=4, comments=88,
                          traps=["title-episode-12"]),
    ("station51", 3): dict(trending=7, comments=74),
    ("nightdesk", 3): dict(hm=(21, 15), score=7.5, form="page-jsonld",
                           traps=["week-boundary-utc"]),
}

FILLER_WEIGHTS = [
    ("film", 0.13), ("game", 0.15), ("tv", 0.07), ("comic", 0.05), ("anime-other", 0.02),
    ("news", 0.41), ("feature", 0.09), ("interview", 0.08),
]
KIND_SECTION = {"film": "Film", "game": "Video Games", "tv": "TV", "comic": "Comics",
                "anime-other": "Anime"}


def make_people(rng: random.Random) -> dict:
    return dict(maker=person(rng), c1=person(rng), c2=person(rng))


def work_record(rng: random.Random, kind: str, entry, premises: dict) -> dict:
    """Turn a catalogue entry into the dict the writers use."""
    ppl = make_people(rng)
    if kind == "film":
        name, genre, where = entry
        return dict(type="film", name=name, genre=genre, where=where, net=where,
                    premise=premises["Film"](), maker_role="director", schema="Movie",
                    medium="film", aud="viewers", tags=[name], **ppl)
    if kind == "game":
        name, genre, dev, platforms, on = entry
        return dict(type="game", name=name, genre=genre, studio=dev, platforms=platforms, net=on,
                    premise=premises["Video Games"](), maker_role="developer", schema="VideoGame",
                    medium="game", aud="players", tags=[name, dev], **ppl | {"maker": dev})
    if kind == "tv":
        name, season, net = entry
        return dict(type="tv", name=name, season=season, net=net, genre="prestige drama",
                    premise=premises["TV"](), maker_role="showrunner", schema="TVSeason",
                    medium="season", aud="viewers", tags=[name, net], **ppl)
    if kind == "comic":
        name, issue, publisher = entry
        return dict(type="comic", name=name, issue=issue, net=publisher, publisher=publisher,
                    genre="comics", premise=premises["Comics"](), maker_role="writer",
                    schema="Book", medium="issue", aud="readers", tags=[name, publisher],
                    **ppl | {"maker": ppl["c1"]})
    if kind == "anime-other":
        name, label, net, studio = entry
        return dict(type="anime-other", name=name, label=label, net=net, studio=studio,
                    genre="anime", premise=premises["Anime"](), maker_role="studio",
                    schema="TVSeries", medium="series", aud="viewers", tags=[name, net],
                    l1=rng.choice(["Hikari", "Sora", "Yuto", "Mei", "Daichi"]),
                    l2=rng.choice(["Kaito", "Rin", "Aoi", "Takumi", "Nanami"]),
                    **ppl | {"maker": studio})
    raise ValueError(kind)


def cycler(rng: random.Random, items: list[str]):
    pool: list[str] = []

    def take() -> str:
        if not pool:
            pool.extend(items)
            rng.shuffle(pool)
        return pool.pop()

    return take


def build_schedule(rng: random.Random) -> list[Post]:
    premises = {k: cycler(rng, v) for k, v in C.PREMISE.items()}
    pools = {
        "film": list(C.FILMS), "game": list(C.GAMES), "tv": list(C.TV_SEASONS),
        "comic": list(C.COMICS), "anime-other": list(C.ANIME_OTHER),
    }
    by_name = {k: {e[0]: e for e in v} for k, v in pools.items()}
    for v in pools.values():
        rng.shuffle(v)

    def take(kind: str, name: str | None = None):
        pool = pools[kind]
        if name is not None:
            entry = by_name[kind][name]
            if entry in pool:
                pool.remove(entry)
            return entry
        return pool.pop() if pool else None

    # Reserve the special works first so fillers never use them.
    for spec in SPECIALS:
        if "work" in spec and spec["work"][0] in pools:
            take(spec["work"][0], spec["work"][1])

    posts: list[Post] = []
    features_left = [f for f in P.FEATURE_SPECS
                     if f[0] not in {s.get("feature") for s in SPECIALS}]
    rng.shuffle(features_left)

    for index, day in enumerate(days()):
        week = index // 7
        todays: list[Post] = []
        taken_times: set[tuple[int, int]] = set()

        show, kind, section, hm = WEEKLY[day.weekday()]
        pin = WEEKLY_PINS.get((show, week), {})
        hm = pin.get("hm", hm)
        post = Post(kind=kind, section=section, when=at(day, *hm),
                    work=weekly_work(rng, show, week), special=f"weekly:{show}")
        apply_pin(post, pin)
        todays.append(post)
        taken_times.add(hm)

        if day.weekday() == 2:  # new comic book day
            for hh, mm in [(8, 0), (8, 40), (9, 20)]:
                if any(s["day"] == day and s.get("work", ("",))[0] == "comic" for s in SPECIALS) \
                        and (hh, mm) == (8, 40):
                    continue  # the special comics review takes this slot
                entry = take("comic")
                if entry:
                    todays.append(Post(kind="review", section="Comics", when=at(day, hh, mm),
                                       work=work_record(rng, "comic", entry, premises)))
                    taken_times.add((hh, mm))

        for spec in SPECIALS:
            if spec["day"] != day:
                continue
            post = special_post(rng, spec, premises, take)
            todays.append(post)
            taken_times.add(spec["hm"])

        target = rng.randint(6, 8)
        while len(todays) < target:
            kinds, weights = zip(*FILLER_WEIGHTS, strict=True)
            kind = rng.choices(kinds, weights)[0]
            hm = (rng.randint(6, 19), rng.choice([0, 5, 10, 15, 20, 30, 35, 45, 50]))
            if hm in taken_times:
                continue
            if kind in pools:
                entry = take(kind)
                if entry is None:
                    continue
                post = Post(kind="review", section=KIND_SECTION[kind], when=at(day, *hm),
                            work=work_record(rng, kind, entry, premises))
            elif kind == "feature":
                if not features_left:
                    continue
                key, _title, sec = features_left.pop()
                post = Post(kind="feature", section=sec, when=at(day, *hm),
                            work=dict(type="feature", feature=key))
            else:
                sec = rng.choice(list(C.SECTIONS))
                post = Post(kind=kind, section=sec, when=at(day, *hm), work=dict(type=kind))
            taken_times.add(hm)
            todays.append(post)
        posts.extend(todays)

    posts.sort(key=lambda p: p.when)
    return posts


def weekly_work(rng: random.Random, show: str, week: int) -> dict:
    if show in C.ANIME_WEEKLY:
        s = C.ANIME_WEEKLY[show]
        kind = "anime-ep"
        net, studio = s["network"], s["studio"]
    else:
        s = C.TV_WEEKLY[show]
        kind = "tv-ep"
        net, studio = s["network"], s["network"]
    ep = s["first_ep"] + week
    return dict(
        type=kind, show=show, name=s["name"], season=s["season"], ep=ep,
        ept=s["ep_titles"][week], net=net, studio=studio, l1=s["leads"][0], l2=s["leads"][1],
        genre="anime" if kind == "anime-ep" else "network drama",
        maker=studio if kind == "anime-ep" else person(rng), maker_role="studio",
        c1=person(rng), c2=person(rng), premise="", schema="TVEpisode", medium="episode",
        aud="viewers", tags=[s["name"]] + s["tags"],
    )


def apply_pin(post: Post, pin: dict) -> None:
    if "score" in pin:
        post.score, post.form = pin["score"], pin["form"]
    post.trending_rank = pin.get("trending")
    if "comments" in pin:
        post.comments = pin["comments"]
    post.traps += pin.get("traps", [])


def special_post(rng, spec: dict, premises, take) -> Post:
    when = at(spec["day"], *spec["hm"])
    kind = spec["kind"]
    if kind == "review":
        wkind, name = spec["work"]
        if wkind in ("film", "game", "tv", "comic", "anime-other"):
            work = work_record(rng, wkind, take(wkind, name), premises)
        elif wkind == "anime-special":  # first-impressions review, no score given
            work = dict(type="anime-other", name=name, label="Episodes 1-4", net="Crunchyroll",
                        studio="Studio Hoshizora", genre="anime",
                        premise="students at a boarding school for star cartographers",
                        maker="Studio Hoshizora", maker_role="studio", c1=person(rng),
                        c2=person(rng), l1="Yuzuki", l2="Teo", schema="TVSeries",
                        medium="series", aud="viewers", tags=[name, "Crunchyroll"])
        elif wkind == "anime-film":
            work = dict(type="anime-film", name=name, genre="anime film", where="in theaters",
                        net="in theaters", studio="Studio Kazeoto",
                        premise="two sisters tending an orchard whose fruit holds memories",
                        maker=person(rng), maker_role="director", c1=person(rng),
                        c2=person(rng), l1="Mina", l2="Aya", schema="Movie", medium="film",
                        aud="viewers", tags=[name, "GKIDS", "Studio Kazeoto"])
        elif wkind == "tv-adaptation":
            work = dict(type="tv", name=name, season=1, net="Prime Video",
                        genre="video game adaptation",
                        premise="the squad from the hit shooter, now fighting for a real town",
                        maker=person(rng), maker_role="showrunner", c1=person(rng),
                        c2=person(rng), schema="TVSeason", medium="season", aud="viewers",
                        tags=[name, "Prime Video", "Video Game Adaptations"])
        else:
            raise ValueError(wkind)
        post = Post(kind="review", section=spec["section"], when=when, work=work,
                    extra_sections=list(spec.get("extra", [])), special=spec["key"],
                    score=spec["score"], form=spec["form"])
    elif kind == "feature":
        post = Post(kind="feature", section=spec["section"], when=when,
                    work=dict(type="feature", feature=spec["feature"]), special=spec["key"])
    else:
        post = Post(kind=kind, section=spec["section"], when=when, work=dict(type=kind),
                    special=spec["key"])
    post.trending_rank = spec.get("trending")
    post.comments = spec.get("comments", 0)
    post.traps += spec.get("traps", [])
    return post


# ---------------------------------------------------------------- scores

SCORE_WEIGHTS = [
    (4.5, 1), (5.0, 2), (5.5, 3), (6.0, 5), (6.5, 7), (7.0, 14), (7.5, 15), (8.0, 18),
    (8.5, 13),
]
FEED_FORMS = ["feed-dash", "feed-dash", "feed-dash", "feed-dash-texturized",
              "feed-outof", "feed-outof", "feed-outof", "feed-outof-caps",
              "feed-gd", "feed-gd"]


def assign_scores(posts: list[Post], rng: random.Random) -> None:
    values, weights = zip(*SCORE_WEIGHTS, strict=True)
    free = [p for p in posts if p.is_review and p.form is None and p.score is None
            and p.special not in ("unscored-anime", "unscored-game")]
    for p in free:
        p.score = rng.choices(values, weights)[0]
    # Feed-text forms on randomly chosen non-pinned reviews (not the anime weeklies, whose
    # writers always use the plugin box).
    candidates = [p for p in free if p.work["type"] != "anime-ep"]
    for form, p in zip(FEED_FORMS, rng.sample(candidates, len(FEED_FORMS)), strict=True):
        p.form = form
    for p in free:
        if p.form is None:
            p.form = "page-jsonld" if rng.random() < 0.5 else "page-box"


# ---------------------------------------------------------------- titles and prose


def work_subject_plain(w: dict) -> str:
    t = w["type"]
    if t == "anime-ep":
        season = f" Season {w['season']}" if w.get("season") else ""
        return f"{w['name']}{season} Episode {w['ep']}"
    if t == "tv-ep":
        return f"{w['name']} Season {w['season']} Episode {w['ep']}"
    if t == "comic":
        return f"{w['name']} #{w['issue']}"
    if t == "anime-other" and w.get("label"):
        return f"{w['name']} {w['label']}"
    if t == "tv" and w.get("season", 1) > 1:
        return f"{w['name']} Season {w['season']}"
    return w["name"]


def subject_html(w: dict) -> str:
    plain = work_subject_plain(w)
    name = w["name"]
    return f"<em>{esc(name)}</em>{esc(plain[len(name):])}"


def make_title(post: Post, rng: random.Random, used: set[str]) -> str:
    w = post.work
    t = w.get("type")
    if post.kind in ("review", "recap"):
        phrase = rng.choice(P.TITLE_PHRASES[post.band])
        if post.special == "unscored-game":
            return "REVIEW: ‘Orbital Janitor’ Early Access Is Off To A Promising Start"
        if post.special == "unscored-anime":
            return "REVIEW: ‘Starfall Academy’ Episodes 1-4"
        if t == "anime-ep":
            season = f" Season {w['season']}" if w.get("season") else ""
            return f"REVIEW: ‘{w['name']}’{season} Episode {w['ep']} — “{w['ept']}”"
        if t == "tv-ep":
            prefix = "RECAP" if post.kind == "recap" else "REVIEW"
            return f"{prefix}: ‘{w['name']}’ Season {w['season']} Episode {w['ep']} — “{w['ept']}”"
        if t == "comic":
            if rng.random() < 0.4:
                return f"REVIEW: ‘{w['name']}’ #{w['issue']} {phrase}"
            return f"REVIEW: ‘{w['name']}’ #{w['issue']}"
        if t == "anime-other" and w.get("label", "").startswith("Episodes"):
            return f"REVIEW: ‘{w['name']}’ {w['label']}"
        if t == "anime-other" and w.get("label"):
            return f"REVIEW: ‘{w['name']}’ {w['label']} {phrase}"
        if t == "tv" and w.get("season", 1) > 1:
            return f"REVIEW: ‘{w['name']}’ Season {w['season']} {phrase}"
        return f"REVIEW: ‘{w['name']}’ {phrase}"
    if post.kind == "feature":
        return dict((k, title) for k, title, _ in P.FEATURE_SPECS)[w["feature"]]
    if post.kind == "interview":
        for _ in range(50):
            work = pick_any_work(rng, post.section)
            role = {"Film": "Director", "TV": "Showrunner", "Anime": "Director",
                    "Video Games": "Creative Director", "Comics": "Writer"}[post.section]
            name = person(rng)
            title = f"INTERVIEW: ‘{work[0]}’ {role} {name} On " \
                    f"{rng.choice(P.INTERVIEW_TOPICS)}"
            if title not in used:
                w.update(subject=work[0], who=name, role=role, net=work[1])
                return title
    if post.kind == "news":
        for _ in range(100):
            work = pick_any_work(rng, post.section)
            template = rng.choice(P.NEWS_TITLES[post.section])
            title = template.format(work=work[0], net=work[1], studio=work[2])
            if title not in used:
                w.update(subject=work[0], net=work[1], studio=work[2])
                return title
    raise RuntimeError(f"could not title {post}")


def pick_any_work(rng: random.Random, section: str) -> tuple[str, str, str]:
    """(name, network/publisher, studio) of some work in a section, for news and interviews."""
    if section == "Film":
        e = rng.choice(C.FILMS)
        return e[0], e[2].replace("in theaters", "the studio").replace("on ", ""), "the studio"
    if section == "Video Games":
        e = rng.choice(C.GAMES)
        return e[0], e[2], e[2]
    if section == "TV":
        choices = [(n, net) for n, _s, net in C.TV_SEASONS] + [
            (s["name"], s["network"]) for s in C.TV_WEEKLY.values()]
        n, net = rng.choice(choices)
        return n, net, net
    if section == "Anime":
        choices = [(s["name"], s["network"]) for s in C.ANIME_WEEKLY.values()
                   if s["name"] != "Twilight Out Of Focus"]
        choices += [(e[0], e[2]) for e in C.ANIME_OTHER]
        n, net = rng.choice(choices)
        return n, net, net
    e = rng.choice(C.COMICS)
    return e[0], e[2], e[2]


def fields_for(post: Post) -> dict:
    w = post.work
    maker = w.get("maker", "")
    role = w.get("maker_role", "")
    if role == "studio" or role == "developer":
        maker_text = esc(maker)
    else:
        maker_text = f"{role} {esc(maker)}"
    prev = ""
    if w.get("type") in ("anime-ep", "tv-ep"):
        prev = f"Episode {w['ep'] - 1}"
    return dict(
        S=subject_html(w), W=f"<em>{esc(w.get('name', ''))}</em>", MED=w.get("medium", "film"),
        AUD=w.get("aud", "viewers"), MAKER=maker_text, PREM=esc(w.get("premise", "")),
        GEN=esc(w.get("genre", "")), NET=esc(w.get("net", "")), L1=esc(w.get("l1", "")),
        L2=esc(w.get("l2", "")), C1=esc(w.get("c1", "")), C2=esc(w.get("c2", "")),
        EPT=f"“{esc(w.get('ept', ''))}”", PREV=prev, ST=esc(w.get("studio", "")),
        WHERE=("streaming now " if w.get("where", "").startswith("on ") else "")
        + esc(w.get("where", "")) + (" now" if w.get("where", "").startswith("in ") else ""),
        SEASON=w.get("season", ""),
        PLATFORMS=esc(", ".join(w.get("platforms", [])[:-1]) + " and " + w["platforms"][-1]
                      if len(w.get("platforms", [])) > 1 else "".join(w.get("platforms", []))),
    )


def para(text: str) -> str:
    return f"<p>{text}</p>"


def review_body(post: Post, rng: random.Random) -> tuple[str, str]:
    """Body paragraphs (HTML) and the one-line TL;DR for a review or recap."""
    w = post.work
    t = w["type"]
    f = fields_for(post)
    band = post.band
    key = {"film": "Film", "anime-film": "Film", "game": "Video Games", "tv": "TV",
           "tv-ep": "TV-episode", "anime-ep": "Anime-episode", "comic": "Comics",
           "anime-other": "Anime"}[t]
    craft_key = {"Anime-episode": "Anime", "Film": "Film"}.get(key, key)
    if t == "anime-film":
        craft_key = "Anime"
    if t == "tv" and w.get("genre") == "video game adaptation":
        f["GEN"] = "video game adaptations"
    parts = [
        para(rng.choice(P.INTRO[band]).format(**f)),
        para(rng.choice(P.SETUP[key]).format(**f)),
    ]
    crafts = list(P.CRAFT[craft_key])
    rng.shuffle(crafts)
    parts.append(para(crafts[0].format(**f)))
    if t == "tv-ep" and w["show"] == "nightdesk":
        parts.append(para(
            "The show is at its best inside the newsroom. In a 24/7 news cycle that never sleeps, "
            "{L1} and {L2} are the last people standing between a rumor and the front page, and "
            "the writers wring real tension out of a ringing phone at three in the morning."
            .format(**f)))
        post.traps.append("prose-24/7")
    parts.append(para(rng.choice(P.CRITIQUE[band]).format(**f)))
    if len(crafts) > 1 and rng.random() < 0.5:
        parts.append(para(crafts[1].format(**f)))

    # Deliberate prose traps.
    if "prose-9/11" in post.traps:
        parts.insert(2, para(
            "Set in Lower Manhattan, the film keeps returning to the 9/11 memorial, where its two "
            "leads first meet. It is a delicate choice, and the film handles it with restraint, "
            "letting the reflecting pools do the talking. A title card dated 05/02/2025 closes "
            "the film, a reminder of how recently these characters lived."))
    if "prose-top-10" in post.traps and post.special == "w20-topten-game":
        parts.insert(3, para(
            "The boss fights alone would land it in my Top 10 of the year so far. There are 12 "
            "of them, each built around a single idea, and none overstays its welcome. The 1-2 "
            "punch of the final two is the best stretch of any game I have played in 2025."))
    if post.special == "unscored-anime":
        parts.insert(3, para(
            "The first four episodes cover roughly half of the opening volume, and the season is "
            "scheduled to run to Episode 12. If it keeps this pace, <em>Starfall Academy</em> "
            "could easily end up on our Top 10 of the spring season list."))
    if post.special == "unscored-game":
        parts.insert(3, para(
            "Because <em>Orbital Janitor</em> is in Early Access, we are not giving it a score "
            "yet. The developer has published a roadmap through 1.0 with three major updates, "
            "and it already sits in the Top 10 of the platform's best-sellers, so we will "
            "revisit it when it leaves Early Access."))

    verdict = rng.choice(P.VERDICT[band]).format(**f)
    if post.form == "feed-outof":
        article = "an" if fmt_score(post.score).startswith(("8", "11")) else "a"
        raw = f"{fmt_score(post.score)} out of 10"
        verdict += f" I give it {article} {raw}."
        post.score_raw = raw
    parts.append(para(verdict))
    parts.append(para(P.AVAILABILITY[key if key in P.AVAILABILITY else "Film"].format(**f)))

    if post.form in ("feed-dash", "feed-dash-texturized", "feed-outof-caps", "feed-gd",
                     "feed-five"):
        s = fmt_score(post.score)
        if post.form == "feed-dash":
            raw = f"Rating - {s}/10"
            parts.append(f"<p><strong>{raw}</strong></p>")
        elif post.form == "feed-dash-texturized":
            raw = f"Rating &#8211; {s}/10"
            parts.append(f"<p><strong>{raw}</strong></p>")
        elif post.form == "feed-outof-caps":
            raw = f"RATING {s} out of 10"
            parts.append(f"<p><strong>{raw}</strong></p>")
        elif post.form == "feed-gd":
            raw = f"Rating: {s}/<strong>10</strong>"
            parts.append(f"<p>{raw}</p>")
        else:
            five = post.score / 2
            raw = f"Score: {fmt_score(five)}/5"
            parts.append(f"<p><strong>{raw}</strong></p>")
        post.score_raw = raw
    elif post.form in ("page-box", "page-jsonld"):
        post.score_raw = f"Rating - {fmt_score(post.score)}/10"

    plain_subject = work_subject_plain(w)
    rng.choice(P.TLDR[band])  # drawn as before: every later post keeps its seeded values
    turn = _TLDR_TURNS[band] = _TLDR_TURNS.get(band, -1) + 1
    tldr = P.TLDR_VARIANTS[band][turn % len(P.TLDR_VARIANTS[band])].format(P=plain_subject)
    if post.special == "unscored-anime":
        tldr = "Starfall Academy Episodes 1-4 is a promising start that has earned a full season."
    if post.special == "unscored-game":
        tldr = "Orbital Janitor is a promising Early Access sandbox with a clear roadmap."
    if w.get("show") == "twilight" and w["ep"] == 12:
        tldr = ("Twilight Out Of Focus Episode 12 is a strong, sweeping finale that beautifully "
                "bottles Mao and Hisashi’s love story.")
    return "\n".join(parts), tldr


def feature_body(post: Post, rng: random.Random) -> str:
    key = post.work["feature"]
    if key == "sunderfolk":
        parts = [para(
            "<em>Sunderfolk</em> asks a whole table to play together, each person using a phone "
            "as a controller while the board lives on the TV. It is a tactics game that rewards "
            "communication above everything else. Whether you are new to the game or a few "
            "chapters in, these tips should help your party stay alive.")]
        for number, (head, text) in enumerate(P.SUNDERFOLK_TIPS, 1):
            parts.append(f"<h2>{number}. {esc(head)}</h2>")
            parts.append(para(esc(text)))
        parts.append(para("<em>Sunderfolk</em> is available now on PC, PS5, Xbox Series X/S and "
                          "Nintendo Switch."))
        return "\n".join(parts)
    if key == "score-guide":
        return "\n".join([
            para("Every review on Second Screen ends with a score out of 10, and readers ask us "
                 "what those numbers mean. Here is the short version."),
            "<h2>What A Score Means</h2>",
            para("A 10/10 is rare: a masterpiece we expect to revisit for years. A 9 is "
                 "essential. An 8/10 is a strong recommendation, and a 7 is good with caveats. "
                 "A 5/10 means the work is exactly average, and anything under that is a "
                 "warning. Half points, like 7.5, split the difference."),
            "<h2>Scores Are Not Everything</h2>",
            para("A score is a summary, not the review. Two 7/10 reviews can mean very different "
                 "things for different readers, so please read the text. Episode reviews are "
                 "scored on their own merits, so Episode 12 of a great series can still score "
                 "lower than Episode 11."),
            "<h2>Why We Do Not Use Stars</h2>",
            para("We used a 5-star scale until 2019. Converting old reviews is simple: multiply "
                 "by two, so a 4/5 becomes an 8/10."),
        ])
    if key == "top10-openings":
        parts = [para("The spring 2025 season is stacked, and the openings are no exception. "
                      "Here are our Top 10, counting down.")]
        shows = ["Lantern Row Detectives", "Hollow Moon Blade", "Komari’s Midnight Kitchen",
                 "Kaiju Office Hours", "Spirit Circus", "Moonlit Courier",
                 "Twilight Out Of Focus", "Ninth Life Nine", "Gears Of The Tidal City",
                 "Starfall Academy"]
        rng.shuffle(shows)
        for rank, show in zip(range(10, 0, -1), shows, strict=True):
            parts.append(f"<h2>{rank}. <em>{esc(show)}</em></h2>")
            parts.append(para(f"The opening for <em>{esc(show)}</em> is a perfect mission "
                              "statement for the series, with a hook that lives in your head "
                              "for days."))
        return "\n".join(parts)
    parts = [para("This one started as an argument in the Second Screen group chat, so the team "
                  "put our heads together and made a list. Here is where we landed.")]
    names = [n for n in (pick_any_work(rng, post.section)[0] for _ in range(8))
             if n not in post.title]
    for number, name in enumerate(list(dict.fromkeys(names))[:5], 1):
        parts.append(f"<h2>{number}. <em>{esc(name)}</em></h2>")
        parts.append(para(f"<em>{esc(name)}</em> earns its place with a distinct voice, a "
                          "memorable hook and the kind of craft that rewards a second look."))
    parts.append(para("Let us know what we missed in the comments."))
    return "\n".join(parts)


def news_body(post: Post, rng: random.Random) -> str:
    w = post.work
    f = dict(W=f"<em>{esc(w['subject'])}</em>", NET=esc(w["net"]), C1=esc(person(rng)))
    return "\n".join(p.format(**f) for p in P.NEWS_BODY)


def interview_body(post: Post, rng: random.Random) -> str:
    w = post.work
    parts = [para(f"Second Screen sat down with {esc(w['who'])}, {w['role'].lower()} of "
                  f"<em>{esc(w['subject'])}</em>, to talk about the project. The interview has "
                  "been edited for length and clarity.")]
    for q, a in rng.sample(P.INTERVIEW_QA, 4):
        parts.append(f"<p><strong>Second Screen:</strong> {esc(q)}</p>")
        parts.append(f"<p><strong>{esc(w['who'].split()[0])}:</strong> {esc(a)}</p>")
    return "\n".join(parts)


def image_for(post: Post) -> tuple[str, str]:
    base = slugify(work_subject_plain(post.work) if post.is_review else post.title)[:60]
    base = base.strip("-")
    return f"{HOST}/wp-content/uploads/{post.when:%Y/%m}/{base}", \
        (work_subject_plain(post.work) if post.is_review else post.title)


def figure(post: Post) -> str:
    base = post.image
    alt = attr(post.image_alt)
    caption = ""
    if post.pid % 3 == 0:
        caption = f'<figcaption class="wp-element-caption">{ncr(esc(post.image_alt))}</figcaption>'
    return (
        f'<figure class="wp-block-image size-large"><img fetchpriority="high" decoding="async" '
        f'width="1024" height="576" src="{base}-1024x576.jpg" alt="{alt}" '
        f'class="wp-image-{post.pid - 1}" srcset="{base}-1024x576.jpg 1024w, {base}-300x169.jpg '
        f'300w" sizes="(max-width: 1024px) 100vw, 1024px" />{caption}</figure>'
    )


def excerpt_of(body: str) -> str:
    text = re.sub(r"<[^>]+>", " ", body)
    words = text.split()
    return " ".join(words[:55]) + " [&#8230;]"


def finalize(posts: list[Post], rng: random.Random) -> None:
    pid = 61204
    used_titles: set[str] = set()
    used_slugs: set[str] = set()
    authors_by_section: dict[str, list[str]] = {s: [] for s in C.SECTIONS}
    for name, _slug, secs, _bio in C.AUTHORS:
        for s in secs:
            authors_by_section[s].append(name)
    weekly_author = {"twilight": "Priya Raman", "lantern": "Keiko Ashford",
                     "hollowmoon": "Priya Raman", "komari": "Keiko Ashford",
                     "station51": "Sam Delgado", "harbor": "Rosa Lindqvist",
                     "nightdesk": "Maya Okafor"}
    all_authors = [a[0] for a in C.AUTHORS]

    for post in posts:
        pid += rng.randint(3, 41)
        post.pid = pid
        title = make_title(post, rng, used_titles)
        used_titles.add(title)
        post.title = title
        slug = slugify(title)
        while slug in used_slugs:
            slug += "-2"
        used_slugs.add(slug)
        post.slug = slug
        show = post.work.get("show")
        if show:
            post.author = weekly_author[show]
        elif post.kind in ("news",):
            post.author = rng.choice(all_authors)
        else:
            post.author = rng.choice(authors_by_section[post.section])
        if not post.comments:
            r = rng.random()
            if r < 0.12:
                post.comments = 0
            elif r < 0.55:
                post.comments = rng.randint(1, 6)
            elif r < 0.82:
                post.comments = rng.randint(7, 25)
            elif r < 0.96:
                post.comments = rng.randint(26, 70)
            else:
                post.comments = rng.randint(71, 150)
        post.modified = post.when
        if rng.random() < 0.25:
            post.modified = min(post.when + timedelta(minutes=rng.randint(40, 40 * 60)), CAPTURE)
        post.image, post.image_alt = image_for(post)

        # categories (alphabetical, like get_the_category) then tags
        cats = set(post.sections)
        if post.is_review:
            cats.add("Reviews")
        elif post.kind == "news":
            cats.add("News")
        elif post.kind == "feature":
            cats.add("Features")
        else:
            cats.add("Interviews")
        w = post.work
        if w.get("type") == "game":
            cats.update(p for p in w["platforms"] if p in ("PC", "PS5", "Xbox Series X/S",
                                                          "Nintendo Switch"))
        if w.get("type") == "comic":
            cats.add(w["publisher"])
        post.categories = sorted(cats)
        tags = list(w.get("tags", []))
        if post.kind in ("news", "interview") and w.get("subject"):
            tags = [w["subject"]]
        if post.kind == "feature" and w.get("feature") == "sunderfolk":
            tags = ["Sunderfolk", "Secret Door", "Tips"]
        post.tags = [t for t in dict.fromkeys(tags) if t not in cats]

        # body
        if post.is_review:
            body, post.tldr = review_body(post, rng)
        elif post.kind == "feature":
            body = feature_body(post, rng)
        elif post.kind == "news":
            body = news_body(post, rng)
        else:
            body = interview_body(post, rng)
        body = figure(post) + "\n" + ncr(texturize(body))
        post.body = body
        post.excerpt = excerpt_of(body)
        post.words = len(re.sub(r"<[^>]+>", " ", body).split())
        if post.form == "page-jsonld":
            post.rating_as_string = rng.random() < 0.35
            post.jsonld_separate = rng.random() < 0.35
        if not post.tldr:
            text = html.unescape(re.sub(r"\s*\[&#8230;\]$", "", post.excerpt))
            post.tldr = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]

    # Reader comments that mention a score (a trap on the article page only).
    reviews_with_box = [p for p in posts if p.form in ("page-box", "page-jsonld")
                        and p.comments >= 20]
    for p, text in zip(rng.sample(reviews_with_box, 5), [
        "Honestly I'd give this a 6/10 at best, the middle drags.",
        "Great review. For me it's a solid 9/10.",
        "This is a 10/10 for me, no notes.",
        "I'd go 7.5 out of 10 but I see where you're coming from.",
        "Hard disagree, this is a 4/10.",
    ], strict=True):
        p.reader_score_comment = text
        p.traps.append("reader-comment-score")


# ---------------------------------------------------------------- feeds


def yoast_line(post: Post) -> str:
    return (f'<p>The post <a href="{post.link}">{ncr(esc(post.title))}</a> appeared first on '
            f'<a href="{HOST}">{SITE_NAME}</a>.</p>\n')


def item_xml(post: Post) -> str:
    comments_anchor = "#comments" if post.comments else "#respond"
    cats = "\n\t\t".join(f"<category><![CDATA[{c}]]></category>"
                          for c in post.categories + post.tags)
    media = ""
    if post.when.date() >= MEDIA_FROM:
        media = (
            f'\n\t\t<media:content url="{post.image}.jpg" medium="image" width="1200" '
            f'height="675">\n\t\t\t<media:title type="plain"><![CDATA[{post.image_alt}]]>'
            f'</media:title>\n\t\t</media:content>\n'
            f'\t\t<media:thumbnail url="{post.image}-300x169.jpg" width="300" height="169" />'
        )
    description = f"<p>{post.excerpt}</p>\n{yoast_line(post)}"
    content = f"{post.body}\n{yoast_line(post)}"
    assert "]]>" not in content and "]]>" not in description
    return (
        f"\t<item>\n"
        f"\t\t<title>{ncr(esc(post.title))}</title>\n"
        f"\t\t<link>{post.link}</link>\n"
        f"\t\t\t\t\t<comments>{post.link}{comments_anchor}</comments>\n"
        f"\t\t\n"
        f"\t\t<dc:creator><![CDATA[{post.author}]]></dc:creator>\n"
        f"\t\t<pubDate>{rfc822(post.when)}</pubDate>\n"
        f"\t\t\t\t{cats}\n"
        f'\t\t<guid isPermaLink="false">{post.guid}</guid>\n'
        f"\n"
        f"\t\t\t\t\t<description><![CDATA[{description}]]></description>\n"
        f"\t\t\t\t\t\t\t\t\t\t<content:encoded><![CDATA[{content}]]></content:encoded>\n"
        f"\t\t\t\t\t\n"
        f"\t\t\t\t\t<wfw:commentRss>{post.link}feed/</wfw:commentRss>\n"
        f"\t\t\t<slash:comments>{post.comments}</slash:comments>{media}\n"
        f"\t\t\n"
        f"\t\t\n"
        f"\t\t\t</item>\n"
    )


def feed_xml(feed_path: str, category: str | None, page: list[Post], number: int) -> str:
    title = SITE_NAME if category is None else f"{category} &#8211; {SITE_NAME}"
    link = HOST if category is None else f"{HOST}/{feed_path[: -len('feed/')]}"
    self_link = f"{HOST}/{feed_path}" + (f"?paged={number}" if number > 1 else "")
    build = max(p.modified or p.when for p in page)
    items = "".join(item_xml(p) for p in page)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"\n'
        '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
        '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
        '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '\txmlns:atom="http://www.w3.org/2005/Atom"\n'
        '\txmlns:sy="http://purl.org/rss/1.0/modules/syndication/"\n'
        '\txmlns:slash="http://purl.org/rss/1.0/modules/slash/"\n'
        '\txmlns:media="http://search.yahoo.com/mrss/"\n'
        "\t>\n\n<channel>\n"
        f"\t<title>{title}</title>\n"
        f'\t<atom:link href="{self_link}" rel="self" type="application/rss+xml" />\n'
        f"\t<link>{link}</link>\n"
        f"\t<description>{esc(C.TAGLINE)}</description>\n"
        f"\t<lastBuildDate>{rfc822(build)}</lastBuildDate>\n"
        "\t<language>en-US</language>\n"
        "\t<sy:updatePeriod>\n\thourly\t</sy:updatePeriod>\n"
        "\t<sy:updateFrequency>\n\t1\t</sy:updateFrequency>\n"
        f"\t<generator>{GENERATOR}</generator>\n\n"
        "<image>\n"
        f"\t<url>{HOST}/wp-content/uploads/2023/01/cropped-second-screen-icon-32x32.png</url>\n"
        f"\t<title>{title}</title>\n"
        f"\t<link>{link}</link>\n"
        "\t<width>32</width>\n\t<height>32</height>\n"
        "</image> \n"
        f"{items}"
        "\t</channel>\n</rss>\n"
    )


def feed_members(posts: list[Post], category: str | None) -> list[Post]:
    newest_first = sorted(posts, key=lambda p: p.when, reverse=True)
    if category is None:
        return newest_first
    return [p for p in newest_first if category in p.categories]


def write_feeds(posts: list[Post]) -> dict[str, int]:
    pages_per_feed = {}
    for feed_path, category in FEEDS:
        members = feed_members(posts, category)
        pages = [members[i:i + PER_PAGE] for i in range(0, len(members), PER_PAGE)]
        for number, page in enumerate(pages, 1):
            name = "index.xml" if number == 1 else f"index.paged-{number}.xml"
            write(SITE_DIR / feed_path / name, feed_xml(feed_path, category, page, number))
        pages_per_feed[feed_path] = len(pages)
    return pages_per_feed


# ---------------------------------------------------------------- HTML pages

MENU = [
    ("News", "/category/news/", []), ("Features", "/category/features/", []),
    ("Interviews", "/category/interviews/", []),
    ("Reviews", "/category/reviews/", [
        ("Video Games", "/category/video-games/"), ("Film", "/category/film/"),
        ("TV", "/category/tv/"), ("Anime", "/category/anime/"), ("Comics", "/category/comics/"),
    ]),
    ("Podcast", "/podcast/", []),
]

CSS = (
    ":root{--c-main:#d33a2c;--c-contrast-900:#161616}body{margin:0;font-family:Inter,system-ui,"
    "sans-serif;color:#222}.main-wrap{max-width:1200px;margin:0 auto}.review-box{border:1px solid"
    " #ddd;margin:2em 0}.review-total-box{font-size:2em;font-weight:700;color:var(--c-main)}"
    ".score{background:var(--c-main);color:#fff;padding:2px 6px;font-weight:700}"
    ".trending-posts ol{padding-left:1.2em}.block-head{border-bottom:2px solid var(--c-main)}"
)


def header_html(active: str | None, ticker: list[Post]) -> str:
    items = []
    for label, href, children in MENU:
        cls = "menu-item" + (" current-menu-ancestor" if active and any(
            c[0] == active for c in children) else "")
        sub = ""
        if children:
            sub = '<ul class="sub-menu">' + "".join(
                f'<li class="menu-item{" current-menu-item" if c[0] == active else ""}">'
                f'<a href="{HOST}{c[1]}">{esc(c[0])}</a></li>' for c in children) + "</ul>"
        items.append(f'<li class="{cls}"><a href="{HOST}{href}">{esc(label)}</a>{sub}</li>')
    tick = "" if not ticker else "".join(
        f'<li><a href="{p.link}" class="post-link">{ncr(esc(p.title))}</a>'
        f'<time datetime="{iso_utc(p.when)}">{us_date(p.when)}</time></li>' for p in ticker)
    return f"""<div class="smart-head smart-head-a smart-head-top">
<div class="inner wrap">
<div class="items items-left">{'<div class="trending-ticker"><span class="heading">Trending:</span><ul>' + tick + '</ul></div>' if tick else ''}</div>
<div class="items items-right"><a href="{HOST}/feed/" class="link s-rss">RSS</a></div>
</div>
</div>
<div class="smart-head smart-head-a smart-head-main">
<div class="inner wrap">
<div class="items items-left"><a href="{HOST}/" rel="home" class="logo-link">{SITE_NAME}</a></div>
<div class="items items-center"><div class="nav-wrap"><nav class="navigation navigation-main nav-hov-a"><ul id="menu-main-menu" class="menu">{"".join(items)}</ul></nav></div></div>
<div class="items items-right"><a href="{HOST}/support-us/" class="ts-button">Support Us</a></div>
</div>
</div>"""


def footer_html() -> str:
    return f"""<footer class="main-footer cols-gap-lg footer-bold s-dark">
<div class="lower-footer bold-footer-lower"><div class="ts-contain inner">
<ul class="footer-links"><li><a href="{HOST}/contact-us/">CONTACT US</a></li><li><a href="{HOST}/about-us/">ABOUT US</a></li><li><a href="{HOST}/privacy-policy/">PRIVACY POLICY</a></li><li><a href="{HOST}/review-score-guide/">Review Score Guide</a></li></ul>
<div class="copyright">Written Content is Copyright &copy; 2025 {SITE_NAME}</div>
</div></div>
</footer>
<script type="text/javascript" src="{HOST}/wp-content/themes/smart-mag/js/theme.js?ver=10.0.0" id="smartmag-theme-js"></script>
<script type="text/javascript" src="{HOST}/wp-content/plugins/wp-review/public/js/main.js?ver=5.3.5" id="wp_review-js-js"></script>"""


def head_common(title: str, description: str, canonical: str, og_type: str, image: str,
                extra_meta: str, jsonld: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<meta name='robots' content='index, follow, max-image-preview:large' />
<title>{ncr(esc(title))}</title>
<meta name="description" content="{attr(description)}" />
<link rel="canonical" href="{canonical}" />
<meta property="og:locale" content="en_US" />
<meta property="og:type" content="{og_type}" />
<meta property="og:title" content="{attr(title)}" />
<meta property="og:description" content="{attr(description)}" />
<meta property="og:url" content="{canonical}" />
<meta property="og:site_name" content="{SITE_NAME}" />
<meta property="article:publisher" content="https://www.facebook.com/secondscreen" />
{extra_meta}<meta property="og:image" content="{image}" />
<meta property="og:image:width" content="1200" />
<meta property="og:image:height" content="675" />
<meta name="twitter:card" content="summary_large_image" />
<script type="application/ld+json" class="yoast-schema-graph">{jsonld}</script>
<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} &raquo; Feed" href="{HOST}/feed/" />
<link rel='stylesheet' id='wp_review-style-css' href='{HOST}/wp-content/plugins/wp-review/public/css/wp-review.css?ver=5.3.5' type='text/css' media='all' />
<link rel='stylesheet' id='smartmag-core-css' href='{HOST}/wp-content/themes/smart-mag/style.css?ver=10.0.0' type='text/css' media='all' />
<style id='smartmag-core-inline-css' type='text/css'>{CSS}</style>
<link rel="https://api.w.org/" href="{HOST}/wp-json/" />
<meta name="generator" content="WordPress 6.5.3" />
<link rel="icon" href="{HOST}/wp-content/uploads/2023/01/cropped-second-screen-icon-32x32.png" sizes="32x32" />
</head>
"""


def website_nodes() -> list[dict]:
    return [
        {"@type": "WebSite", "@id": f"{HOST}/#website", "url": f"{HOST}/", "name": SITE_NAME,
         "publisher": {"@id": f"{HOST}/#organization"}, "inLanguage": "en-US"},
        {"@type": "Organization", "@id": f"{HOST}/#organization", "name": SITE_NAME,
         "url": f"{HOST}/", "logo": f"{HOST}/wp-content/uploads/2023/01/second-screen-logo.png"},
    ]


def review_node(post: Post, context: bool) -> dict:
    value: float | str = post.score if not float(post.score).is_integer() else int(post.score)
    if post.rating_as_string:
        value = fmt_score(post.score)
    w = post.work
    node = {
        "@type": "Review",
        "@id": f"{post.link}#review",
        "name": work_subject_plain(w),
        "reviewBody": post.tldr,
        "datePublished": iso_utc(post.when),
        "author": {"@type": "Person", "name": post.author},
        "publisher": {"@type": "Organization", "name": SITE_NAME},
        "itemReviewed": {"@type": w.get("schema", "CreativeWork"), "name": w["name"],
                         "image": f"{post.image}.jpg"},
        "reviewRating": {"@type": "Rating", "ratingValue": value, "bestRating": 10,
                         "worstRating": 0},
    }
    if context:
        node = {"@context": "http://schema.org", **node}
    return node


def article_jsonld(post: Post) -> str:
    graph = [
        {"@type": "Article", "@id": f"{post.link}#article", "isPartOf": {"@id": post.link},
         "author": {"@type": "Person", "name": post.author}, "headline": post.title,
         "datePublished": iso_utc(post.when), "dateModified": iso_utc(post.modified),
         "mainEntityOfPage": {"@id": post.link}, "wordCount": post.words,
         "commentCount": post.comments,
         "publisher": {"@type": "Organization", "name": SITE_NAME, "url": f"{HOST}/"},
         "image": f"{post.image}.jpg", "keywords": post.tags,
         "articleSection": post.categories, "inLanguage": "en-US"},
        {"@type": "BreadcrumbList", "@id": f"{post.link}#breadcrumb", "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "Home", "item": f"{HOST}/"},
            {"@type": "ListItem", "position": 2, "name": post.section,
             "item": f"{HOST}/category/{C.SECTIONS[post.section]}/"},
            {"@type": "ListItem", "position": 3, "name": post.title}]},
    ]
    if post.form == "page-jsonld" and not post.jsonld_separate:
        graph.append(review_node(post, context=False))
    return json.dumps({"@context": "https://schema.org", "@graph": graph}, ensure_ascii=False,
                      separators=(",", ":"))


def score_box(post: Post) -> str:
    s = fmt_score(post.score)
    width = int(post.score * 10)
    return f"""<div id="review" class="review-box review-wrapper wp-review-{post.pid} wp-review-point-type wp-review-default-template">
<div class="review-heading"><h5 class="review-title">{ncr(esc(work_subject_plain(post.work)))}</h5></div>
<ul class="review-list">
<li><div class="review-point"><div class="review-result-wrapper"><div class="review-result" style="width:{width}%;">{s}/10</div></div></div><span>Rating - {s}/10</span></li>
</ul>
<div class="review-total-wrapper"><span class="review-total-box">{s}/10</span></div>
<div class="review-desc"><h4 class="review-summary-title">TL;DR</h4><p>{ncr(esc(post.tldr))}</p></div>
</div>"""


def badge(post: Post) -> str:
    if post.form in ("page-box", "page-jsonld"):
        return f'<span class="review-badge"><span class="score">{post.score:.1f}</span></span>'
    return ""


def related_html(post: Post, related: list[Post]) -> str:
    cards = "".join(
        f"""<article class="l-post grid-post">
<div class="media">{badge(r)}</div>
<div class="content"><h4 class="is-title post-title"><a href="{r.link}">{ncr(esc(r.title))}</a></h4>
<time class="post-date" datetime="{iso_utc(r.when)}">{us_date(r.when)}</time></div>
</article>"""
        for r in related)
    return f"""<section class="related-posts">
<div class="block-head"><h4 class="heading">Related <span class="color">Posts</span></h4></div>
<div class="loop loop-grid grid grid-2">
{cards}
</div>
</section>"""


def sidebar_html(trending: list[Post]) -> str:
    cards = "".join(
        f"""<article class="l-post list-post">
<div class="media">{badge(t)}</div>
<div class="content"><span class="meta-item post-cat">{esc(t.section)}</span>
<h2 class="is-title post-title"><a href="{t.link}">{ncr(esc(t.title))}</a></h2>
<div class="post-meta"><span class="meta-item post-author">By {esc(t.author)}</span><span class="meta-item date"><time class="post-date" datetime="{iso_utc(t.when)}">{us_date(t.when)}</time></span></div>
<div class="excerpt"><p>{ncr(esc(t.tldr))}</p></div></div>
</article>"""
        for t in trending)
    return f"""<aside class="col-4 main-sidebar">
<div id="smartmag-block-posts-small-3" class="widget smartmag-widget-posts-small">
<div class="widget-title block-head"><h5 class="heading">Trending Posts</h5></div>
<div class="loop loop-small">
{cards}
</div></div>
<div class="widget newsletter-cta"><h5>Get Second Screen in your inbox!</h5><a href="{HOST}/newsletter/">Click Here</a></div>
</aside>"""


NEWSLETTER_BOX = (
    '<div class="newsletter-inline"><h4>Get Second Screen in your inbox!</h4><a href="'
    + HOST + '/newsletter/">Click Here</a></div>'
)


def share_html(post: Post) -> str:
    from urllib.parse import quote

    u = quote(post.link, safe="")
    return f"""<div class="post-share">
<span class="share-text">Share.</span>
<a href="https://www.facebook.com/sharer.php?u={u}" class="service s-facebook"><span class="label">Facebook</span></a>
<a href="https://twitter.com/intent/tweet?url={u}" class="service s-twitter"><span class="label">Twitter</span></a>
</div>"""


def comments_html(post: Post, rng: random.Random) -> str:
    shown = ""
    if post.comments:
        texts = ["Great write-up, thanks for this.", "Can't wait for next week.",
                 "I think you were a little hard on it, but fair points all around.",
                 "This is exactly how I felt watching it."]
        picks = rng.sample(texts, 1)
        if post.reader_score_comment:
            picks = [rng.choice(texts), post.reader_score_comment]
        shown = "".join(
            f'<li class="comment even thread-even depth-1"><article class="comment-body">'
            f'<footer class="comment-meta"><b class="fn">{esc(person(rng))}</b> '
            f'<time datetime="{iso_utc(post.when + timedelta(hours=i + 2))}">'
            f"{us_date(post.when + timedelta(hours=i + 2))}</time></footer>"
            f'<div class="comment-content"><p>{ncr(esc(texturize(text)))}</p></div></article></li>'
            for i, text in enumerate(picks))
    label = "1 Comment" if post.comments == 1 else f"{post.comments} Comments"
    return f"""<div class="comments">
<div id="comments" class="comments-area"><div class="block-head block-head-ac block-head-c is-left"><h4 class="heading">{label}</h4></div>
<ol class="comments-list">{shown}</ol>
<div id="respond" class="comment-respond"><h3 class="comment-reply-title">Leave A Reply</h3></div>
</div></div>"""


def reading_time(post: Post) -> str:
    minutes = max(1, round(post.words / 200))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def article_page(post: Post, prev_post: Post | None, next_post: Post | None,
                 related: list[Post], trending: list[Post], ticker: list[Post],
                 rng: random.Random) -> str:
    description = post.tldr
    extra = (f'<meta property="article:published_time" content="{iso_utc(post.when)}" />\n'
             f'<meta property="article:modified_time" content="{iso_utc(post.modified)}" />\n')
    head = head_common(f"{post.title} - {SITE_NAME}", description, post.link, "article",
                       f"{post.image}.jpg", extra, article_jsonld(post))
    head = head.replace(
        '<meta name="twitter:card"',
        f'<meta name="author" content="{attr(post.author)}" />\n'
        f'<meta name="twitter:label1" content="Written by" />\n'
        f'<meta name="twitter:data1" content="{attr(post.author)}" />\n'
        f'<meta name="twitter:label2" content="Est. reading time" />\n'
        f'<meta name="twitter:data2" content="{reading_time(post)}" />\n'
        f'<meta name="twitter:card"', 1)
    head = head.replace("</head>", f'<link rel="shortlink" href="{post.guid}" />\n</head>', 1)
    # body: content with the inline newsletter box after the second paragraph
    paragraphs = post.body.split("\n")
    body = paragraphs[:3] + [NEWSLETTER_BOX] + paragraphs[3:]
    content = "\n".join(body)
    box = score_box(post) if post.form in ("page-box", "page-jsonld") else ""
    separate_ld = ""
    if post.form == "page-jsonld" and post.jsonld_separate:
        separate_ld = ('<script type="application/ld+json">'
                       + json.dumps(review_node(post, context=True), ensure_ascii=False)
                       + "</script>")
    updated = ""
    if post.modified and post.modified > post.when + timedelta(minutes=30):
        updated = (f'<span class="meta-item has-next-icon date-modified"><span class="updated-on">'
                   f'Updated:</span><time class="post-date" datetime="{iso_utc(post.modified)}">'
                   f"{us_date(post.modified)}</time></span>")
    tags = "".join(f'<a href="{HOST}/tag/{slugify(t)}/" rel="tag">{esc(t)}</a>' for t in post.tags)
    cats = ", ".join(f'<a href="{HOST}/category/{slugify(c)}/" class="category" rel="category">'
                     f"{esc(c)}</a>" for c in post.categories)
    author_slug = slugify(post.author)
    bio = next(a[3] for a in C.AUTHORS if a[0] == post.author)
    nav = ""
    if prev_post:
        nav += (f'<div class="post-nav-prev"><a href="{prev_post.link}" rel="prev"><span class="label">'
                f'Previous Article</span><span class="title">{ncr(esc(prev_post.title))}</span></a></div>')
    if next_post:
        nav += (f'<div class="post-nav-next"><a href="{next_post.link}" rel="next"><span class="label">'
                f'Next Article</span><span class="title">{ncr(esc(next_post.title))}</span></a></div>')
    read = max(1, round(post.words / 200))
    section_slug = C.SECTIONS[post.section]
    body_class = (f"post-template-default single single-post postid-{post.pid} "
                  f"single-format-standard right-sidebar post-cat-{section_slug}")
    return f"""{head}<body class="{body_class}">
<div class="main-wrap">
{header_html(post.section, [])}
<nav class="breadcrumbs is-full-width breadcrumbs-a" id="breadcrumb"><div class="inner ts-contain"><span><a href="{HOST}/"><span>Home</span></a></span><span class="delim">&raquo;</span><span><a href="{HOST}/category/{section_slug}/"><span>{esc(post.section)}</span></a></span><span class="delim">&raquo;</span><span class="current">{ncr(esc(post.title))}</span></div></nav>
<div class="main ts-contain cf right-sidebar">
<div class="ts-row">
<div class="col-8 main-content">
<div class="the-post-header s-head-modern s-head-modern-a">
<div class="post-meta post-meta-a post-meta-left post-meta-single has-below">
<div class="post-meta-items meta-above"><span class="meta-item cat-labels">{cats}</span></div>
<h1 class="is-title post-title">{ncr(esc(post.title))}</h1>
<div class="post-meta-items meta-below has-author-img"><span class="meta-item post-author"><span class="by">By</span> <a href="{HOST}/author/{author_slug}/" title="Posts by {attr(post.author)}" rel="author">{esc(post.author)}</a></span><span class="meta-item has-next-icon date"><time class="post-date" datetime="{iso_utc(post.when)}">{us_date(post.when)}</time></span>{updated}<span class="meta-item read-time has-icon">{read} {"Min" if read == 1 else "Mins"} Read</span></div>
</div>
{share_html(post)}
</div>
<div class="single-featured"><img width="1200" height="675" src="{post.image}.jpg" class="wp-post-image" alt="{attr(post.image_alt)}" /></div>
<div class="the-post s-post-modern">
<article id="post-{post.pid}" class="post-{post.pid} post type-post status-publish format-standard has-post-thumbnail category-{section_slug}">
<div class="post-content-wrap has-share-float">
<div class="post-content cf entry-content content-spacious">
{content}
{box}
{separate_ld}
</div>
</div>
<div class="the-post-tags"><span class="text">Tags</span> {tags}</div>
<div class="post-nav">{nav}</div>
<div class="author-box"><section class="author-info"><div class="description"><a href="{HOST}/author/{author_slug}/" class="author">{esc(post.author)}</a><p class="bio">{esc(bio)}</p></div></section></div>
{related_html(post, related)}
{comments_html(post, rng)}
</article>
</div>
</div>
{sidebar_html(trending)}
</div>
</div>
{footer_html()}
</div>
</body>
</html>
"""


def home_page(posts: list[Post], trending: list[Post], ticker: list[Post]) -> str:
    newest = sorted(posts, key=lambda p: p.when, reverse=True)
    jsonld = json.dumps({"@context": "https://schema.org", "@graph": [
        {"@type": "CollectionPage", "@id": f"{HOST}/", "url": f"{HOST}/",
         "name": f"{SITE_NAME} - {C.TAGLINE}", "isPartOf": {"@id": f"{HOST}/#website"},
         "inLanguage": "en-US"}, *website_nodes()]}, ensure_ascii=False, separators=(",", ":"))
    head = head_common(f"{SITE_NAME} - {C.TAGLINE}", C.TAGLINE, f"{HOST}/", "website",
                       f"{HOST}/wp-content/uploads/2023/01/second-screen-social.jpg", "", jsonld)

    def card(p: Post, size: str) -> str:
        return f"""<article class="l-post grid-post grid-{size}-post">
<div class="media"><a href="{p.link}" class="image-link media-ratio ratio-16-9" title="{attr(p.title)}"><span data-bgsrc="{p.image}-450x253.jpg" class="img bg-cover lazyload"></span></a>{badge(p)}</div>
<div class="content"><span class="meta-item post-cat"><a href="{HOST}/category/{C.SECTIONS[p.section]}/" class="category">{esc(p.section)}</a></span>
<h2 class="is-title post-title"><a href="{p.link}">{ncr(esc(p.title))}</a></h2>
<div class="post-meta"><span class="meta-item post-author">By {esc(p.author)}</span><span class="meta-item date"><time class="post-date" datetime="{iso_utc(p.when)}">{us_date(p.when)}</time></span><span class="meta-item comments">{p.comments}</span></div></div>
</article>"""

    hero = "".join(card(p, "lg") for p in newest[:4])
    reviews = "".join(card(p, "sm") for p in [p for p in newest if p.is_review][:12])
    news = "".join(card(p, "sm") for p in [p for p in newest if p.kind == "news"][:8])
    trend = "\n".join(
        f'<li class="trending-item"><span class="rank">{i}</span><a href="{p.link}" '
        f'class="trending-link">{ncr(esc(p.title))}</a><span class="meta">{esc(p.section)} '
        f'&middot; <time datetime="{iso_utc(p.when)}">{us_date(p.when)}</time></span></li>'
        for i, p in enumerate(trending, 1))
    return f"""{head}<body class="home blog right-sidebar has-lb has-lb-sm layout-normal">
<div class="main-wrap">
{header_html(None, ticker)}
<div class="main ts-contain cf no-sidebar">
<section class="block-wrap block-featured-grid"><div class="block-content"><div class="featured-grid">
{hero}
</div></div></section>
<div class="ts-row">
<div class="col-8 main-content">
<section class="block-wrap block-grid"><div class="block-head block-head-ac block-head-c"><h4 class="heading">Latest <span class="color">Reviews</span></h4></div>
<div class="block-content"><div class="loop loop-grid grid grid-3">
{reviews}
</div></div></section>
<section class="block-wrap block-grid"><div class="block-head block-head-ac block-head-c"><h4 class="heading">News</h4></div>
<div class="block-content"><div class="loop loop-grid grid grid-2">
{news}
</div></div></section>
</div>
<aside class="col-4 main-sidebar">
<section class="widget widget-trending">
<div class="trending-posts">
<h3 class="block-title">Trending</h3>
<ol class="trending-list">
{trend}
</ol>
</div>
</section>
<div class="widget newsletter-cta"><h5>Get Second Screen in your inbox!</h5><p>Subscribe to our weekly newsletter.</p><a href="{HOST}/newsletter/">Click Here</a></div>
</aside>
</div>
</div>
{footer_html()}
</div>
</body>
</html>
"""


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def write_pages(posts: list[Post], rng: random.Random) -> None:
    trending = sorted((p for p in posts if p.trending_rank), key=lambda p: p.trending_rank)
    ticker = sorted((p for p in posts if p.kind == "feature"), key=lambda p: p.when,
                    reverse=True)[:3]
    ordered = sorted(posts, key=lambda p: p.when)
    for i, post in enumerate(ordered):
        prev_post = ordered[i - 1] if i > 0 else None
        next_post = ordered[i + 1] if i + 1 < len(ordered) else None
        same = [p for p in ordered if p is not post and p.section == post.section]
        same.sort(key=lambda p: abs((p.when - post.when).total_seconds()))
        related = same[:4]
        side = [t for t in trending if t is not post][:4]
        write(SITE_DIR / post.path / "index.html",
              article_page(post, prev_post, next_post, related, side, ticker, rng))
    write(SITE_DIR / "index.html", home_page(posts, trending, ticker))
    write(SITE_DIR / "wp-json" / "index.json", wp_json_index())


def wp_json_index() -> str:
    """WordPress's REST index (``/wp-json/``): the part that names the site and its timezone."""
    return json.dumps({"name": SITE_NAME, "url": HOST, "home": HOST, "gmt_offset": -5,
                       "timezone_string": "America/Chicago", "namespaces": ["wp/v2"]}, indent=1) + "\n"


# ---------------------------------------------------------------- labels


def feeds_of(post: Post) -> list[str]:
    return [path for path, cat in FEEDS if cat is None or cat in post.categories]


def write_labels(posts: list[Post]) -> None:
    out = []
    for p in sorted(posts, key=lambda p: p.when):
        iso = p.when.isocalendar()
        out.append({
            "link": p.link,
            "title": p.title,
            "section": p.section,
            # Recaps are scored and filed under Reviews but, like the app's default
            # (reviews.recaps_are_reviews = false), not counted as reviews here.
            "is_review": p.kind == "review",
            "score": None if p.score is None else float(p.score),
            "score_raw": p.score_raw,
            "score_where": SCORE_WHERE[p.form],
            "published": p.when.isoformat(),
            "comments": p.comments,
            # extra ground truth
            "kind": p.kind,
            "score_form": p.form,
            "jsonld_rating_is_string": p.rating_as_string if p.form == "page-jsonld" else None,
            "jsonld_separate_script": p.jsonld_separate if p.form == "page-jsonld" else None,
            "guid": p.guid,
            "author": p.author,
            "published_utc": iso_utc(p.when),
            "iso_week": f"{iso[0]}-W{iso[1]:02d}",
            "sections": p.sections,
            "categories": p.categories,
            "tags": p.tags,
            "feeds": feeds_of(p),
            "has_media_rss": p.when.date() >= MEDIA_FROM,
            "trending_rank": p.trending_rank,
            "traps": sorted(set(p.traps)),
            "special": p.special or None,
            "tldr": p.tldr if p.form in ("page-box", "page-jsonld") else None,
        })
    write(LABELS_PATH, json.dumps(out, ensure_ascii=False, indent=1) + "\n")


def main() -> None:
    rng = random.Random(SEED)
    posts = build_schedule(rng)
    assign_scores(posts, rng)
    finalize(posts, rng)
    if SITE_DIR.exists():
        shutil.rmtree(SITE_DIR)
    pages = write_feeds(posts)
    write_pages(posts, random.Random(SEED + 1))
    write_labels(posts)
    images = write_images()  # the demo issue's pictures (config/demo/images.py)
    reviews = [p for p in posts if p.is_review]
    print(f"{len(posts)} posts ({len(reviews)} reviews/recaps) -> {SITE_DIR}")
    for path, n in pages.items():
        print(f"  {path}: {n} page(s)")
    print(f"  {len(images)} images for the demo issue, {sum(i.stat().st_size for i in images)} bytes")


if __name__ == "__main__":
    main()
