"""``digest init URL``: from a bare URL to a config that validates, collects and scores what a person would.

Three sites: the bundled demo (through its mirror, offline), and sites built on 127.0.0.1 from
the real captured feeds, each with a home page and article pages in its generator's shape: a
WordPress site behind FeedBurner whose reviews are a category and end "RATING 8 out of 10"
(article pages carry JSON-LD and a "Rating - 8/10" box), a WordPress site whose reviews are
"<Show> Review: ..." titles graded with letters, and a Ghost site with no reviews at all.
"""

from __future__ import annotations

import json
import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from helpers.server import FeedServer, Reply

from digest.cli import main
from digest.reviews.rules import ReviewRules, reviews_in_window
from digest.reviews.scores import DEFAULT_LETTER_SCALE
from digest.settings.config import load_config
from digest.store.database import Store

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "config" / "demo"
HTML = "text/html; charset=UTF-8"
EPOCH, END = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def analysed(config_path: Path) -> dict[str, object]:
    """Every stored entry as the written config reads it: link -> (is_review, score)."""
    config = load_config(config_path)
    with Store.open(config.store_path) as store:
        found = reviews_in_window(store, ReviewRules.from_config(config), EPOCH, END)
    return {r.link: (r.is_review, r.score.value if r.score else None) for r in found}


# -- the bundled demo ---------------------------------------------------------------------------


def test_init_on_the_demo_writes_a_config_that_scores_like_the_labels(tmp_path: Path) -> None:
    target = tmp_path / "site" / "second-screen.toml"
    code, out = invoke("init", "https://secondscreen.example", "--config", str(target),
                       "--mirror", f"secondscreen.example={DEMO / 'site'}")
    assert code == 0, out
    raw = tomllib.loads(target.read_text(encoding="utf-8"))
    assert raw["site"] == {"name": "Second Screen", "url": "https://secondscreen.example",
                           "timezone": "America/Chicago"}
    assert raw["reviews"]["categories"] == ["Reviews"]
    assert raw["reviews"]["fetch_pages"] == "always"  # the demo's scores live on its article pages
    # The main feed and the desks' feeds, each reaching older reviews; the Reviews category's feed
    # holds no review those lack, so it is not proposed (and the config says why).
    assert {f["url"].removeprefix("https://secondscreen.example") for f in raw["feeds"]} == {
        "/feed/", "/category/anime/feed/", "/category/film/feed/",
        "/category/tv/feed/", "/category/video-games/feed/", "/category/comics/feed/"}
    assert "not proposed: 1 section/category/tag feed ('Reviews')" in target.read_text(encoding="utf-8")
    assert {s["name"] for s in raw["sections"]} == {"Anime", "Comics", "TV", "Film", "Video Games"}
    # The ranked Trending block, not the "Trending:" ticker (a <ul> of features) nor a sidebar.
    links = _demo_trending(raw["trending"]["site_selector"])
    labels = json.loads((DEMO / "labels.json").read_text(encoding="utf-8"))
    ranked = [p["link"] for p in sorted((p for p in labels if p["trending_rank"]),
                                        key=lambda p: p["trending_rank"])]
    assert links == ranked
    # Shown for confirmation, in the output and in the file.
    assert re.search(r"^\s+\d+\.\d '.*/10'\s+REVIEW: ", out, re.M)
    assert "# Scores read from 8 sampled reviews" in target.read_text(encoding="utf-8")

    code, out = invoke("--config", str(target), "collect", "--now", "2025-05-19T07:00")
    assert code == 0, out
    # Weeks W19 and W20: the two weeks a first collect reaches (backfill and page ages default to ~2-3 weeks).
    truth = {p["link"]: (p["is_review"], p["score"] if p["is_review"] else None) for p in labels
             if p["iso_week"] in ("2025-W19", "2025-W20")}
    seen = analysed(target)
    assert set(truth) <= set(seen)
    wrong = {link: (seen[link], truth[link]) for link in truth if seen[link] != truth[link]}
    assert wrong == {}

    code, out = invoke("--config", str(target), "build", "--now", "2025-05-19T08:00")
    assert code == 0, out
    assert (tmp_path / "site" / "out" / "second-screen" / "2025-W20" / "digest.html").is_file()


def _demo_trending(selector: str) -> list[str]:
    from digest.collect.pages import trending_links

    html = (DEMO / "site" / "index.html").read_text(encoding="utf-8")
    return trending_links(html, selector, "https://secondscreen.example/")


def test_init_refuses_to_overwrite_and_needs_an_http_url(tmp_path: Path) -> None:
    target = tmp_path / "x.toml"
    target.write_text("# mine\n", encoding="utf-8")
    code, out = invoke("init", "https://secondscreen.example", "--config", str(target))
    assert code == 2 and "already exists; pass --force" in out
    assert target.read_text(encoding="utf-8") == "# mine\n"
    code, out = invoke("init", "secondscreen.example", "--config", str(tmp_path / "y.toml"))
    assert code == 2 and "is not an http(s) URL" in out


# -- sites built from the real feeds ----------------------------------------------------------------


def _items(xml: str) -> list[str]:
    return re.findall(r"<item>.*?</item>", xml, re.S)


def _category_feed(xml: str, category: str) -> bytes:
    """A copy of the feed holding only the items filed under ``category``, as WordPress serves it."""
    mark = f"<category><![CDATA[{category}]]></category>"
    head, tail = xml.split("<item>", 1)[0], xml.rsplit("</item>", 1)[1]
    return (head + "".join(i for i in _items(xml) if mark in i) + tail).encode("utf-8")


def _wordpress_home(name: str, base: str, categories: dict[str, str]) -> bytes:
    menu = "".join(f'<li class="menu-item"><a href="{base}/category/{slug}/">{label}</a></li>'
                   for slug, label in categories.items())
    return f"""<!DOCTYPE html><html lang="en-US"><head><meta charset="UTF-8">
<title>{name} &#8211; Just another WordPress site</title>
<meta property="og:site_name" content="{name}" />
<link rel="alternate" type="application/rss+xml" title="{name} &raquo; Feed" href="{base}/feed/" />
<link rel="alternate" type="application/rss+xml" title="{name} &raquo; Comments Feed"
 href="{base}/comments/feed/" />
<meta name="generator" content="WordPress 3.3.2" /></head>
<body class="home blog"><nav><ul id="menu-main">{menu}</ul></nav>
<div id="content"><h2>Latest</h2></div>
<aside id="sidebar"><div class="widget popular-posts"><h3>Popular</h3><ul>
<li><a href="{base}/about/">About</a></li></ul></div></aside></body></html>""".encode()


def _wordpress_article(title: str, rating: int | None) -> bytes:
    """A WordPress article page: Yoast JSON-LD (a Review when rated) and a review box."""
    graph = [{"@type": "WebPage", "name": title}]
    box = ""
    if rating is not None:
        graph.append({"@type": "Review", "name": title, "author": {"@type": "Person", "name": "Chris"},
                      "reviewRating": {"@type": "Rating", "ratingValue": rating, "bestRating": 10}})
        box = f'<div class="review-box"><p><strong>Rating &#8211; {rating}/10</strong></p></div>'
    ld = json.dumps({"@context": "https://schema.org", "@graph": graph})
    return f"""<!DOCTYPE html><html lang="en-US"><head><meta charset="UTF-8"><title>{title}</title>
<meta property="article:published_time" content="2012-06-01T10:00:00+00:00" />
<script type="application/ld+json" class="yoast-schema-graph">{ld}</script></head>
<body class="single"><article class="post"><h1 class="entry-title">{title}</h1>
<div class="entry-content"><p>The film is about what you would expect.</p>{box}</div></article>
<aside id="sidebar"><div class="widget"><h3>Top rated</h3><ul>
<li>Something else <span class="score">9.5</span></li>
</ul></div></aside></body></html>""".encode()


RIDING = "p1_wordpress_feedburner_ridingwiththewindowdown_movie_ratings_2012.xml"
POPTIMAL = "p1_wordpress_poptimal_popculture_reviews_grades_2012.xml"
GHOST = "p2_ghost_rss_itsfoss.xml"


def _serve_wordpress(server: FeedServer, xml: str, name: str, categories: dict[str, str],
                     ratings: dict[str, int | None]) -> None:
    base = server.base
    server.route("/", Reply(body=_wordpress_home(name, base, categories), headers={"Content-Type": HTML}))
    server.feed("/feed/", xml.encode("utf-8"))
    for slug, label in categories.items():
        server.feed(f"/category/{slug}/feed/", _category_feed(xml, label))
    for link, rating in ratings.items():
        path = link.removeprefix(base)
        server.route(path, Reply(body=_wordpress_article(link, rating), headers={"Content-Type": HTML}))


def test_init_on_a_feedburner_wordpress_site_with_rating_lines(feed_server: FeedServer, real_feeds: Path,
                                                               tmp_path: Path) -> None:
    base = feed_server.base
    xml = (real_feeds / RIDING).read_text(encoding="utf-8")
    xml = xml.replace("http://www.ridingwiththewindowdown.com", base)  # the site is served on loopback
    category = "Movie Reviews &amp; TV"
    expected: dict[str, int | None] = {}
    for item in _items(xml):
        link = re.search(r"<feedburner:origLink>([^<]+)", item).group(1)  # type: ignore[union-attr]
        ratings = re.findall(r"RATING (\d+) out of 10", item)
        if "<category><![CDATA[Movie Reviews & TV]]></category>" in item:
            listed = len(ratings) >= 3 and len(set(ratings)) > 1  # several films' ratings, no verdict
            expected[link] = int(ratings[-1]) if ratings and not listed else None
    assert sum(1 for v in expected.values() if v is not None) >= 19  # the feed's film reviews
    _serve_wordpress(feed_server, xml, "Riding with the window down", {"movie-reviews-tv": category.replace(
        "&amp;", "&"), "music": "Music"}, expected)

    target = tmp_path / "riding.toml"
    code, out = invoke("init", base, "--config", str(target))
    assert code == 0, out
    raw = tomllib.loads(target.read_text(encoding="utf-8"))
    assert raw["reviews"]["categories"][0] == "Movie Reviews & TV"
    assert raw["reviews"]["fetch_pages"] == "unscored"  # the feed has the scores; pages only for the rest
    assert f"{base}/comments/feed/" not in {f["url"] for f in raw["feeds"]}
    # The category's feed was read; it holds only posts of the main feed, so only that is proposed.
    assert [f["url"] for f in raw["feeds"]] == [f"{base}/feed/"]

    code, out = invoke("--config", str(target), "collect", "--now", "2012-06-07T08:00", "-q")
    assert code == 0, out
    seen = analysed(target)
    scored = {link: score for link, (is_review, score) in seen.items() if is_review and score is not None}
    assert scored == {link: float(v) for link, v in expected.items() if v is not None}


def test_init_on_a_wordpress_site_with_review_titles_and_letter_grades(feed_server: FeedServer,
                                                                      real_feeds: Path, tmp_path: Path) -> None:
    base = feed_server.base
    xml = (real_feeds / POPTIMAL).read_text(encoding="utf-8").replace("http://poptimal.com", base)
    title_rule = re.compile(r"(?:^|\s)Review\s*:", re.I)
    expected: dict[str, float | None] = {}
    for item in _items(xml):
        title = re.search(r"<title>(.*?)</title>", item, re.S).group(1)  # type: ignore[union-attr]
        link = re.search(r"<link>(.*?)</link>", item).group(1)  # type: ignore[union-attr]
        if title_rule.search(title) and not re.search(r"Recap", title):
            grades = re.findall(r"Grade:\s*(?:</strong>\s*)?([A-DF][+\-]?)", item)
            expected[link] = DEFAULT_LETTER_SCALE[grades[-1]] if grades else None
    assert any(v is not None for v in expected.values())
    categories = {"television": "Television", "movies": "Movies", "video-games": "Video Games"}
    _serve_wordpress(feed_server, xml, "Poptimal", categories, dict.fromkeys(expected))

    target = tmp_path / "poptimal.toml"
    code, out = invoke("init", base + "/", "--config", str(target))
    assert code == 0, out
    raw = tomllib.loads(target.read_text(encoding="utf-8"))
    assert raw["site"]["name"] == "Poptimal"
    assert raw["reviews"]["categories"] == []
    assert raw["reviews"]["title_patterns"] == [r"(?:^|\s)Review\s*[:\-–—|]"]
    assert raw["reviews"]["letter_grades"] is True
    assert {s["name"] for s in raw["sections"]} <= {"Television", "Movies", "Video Games"}
    # The category feeds here are copies of part of the main feed: they add nothing, so one feed.
    assert [f["url"] for f in raw["feeds"]] == [f"{base}/feed/"]

    code, out = invoke("--config", str(target), "collect", "--now", "2012-06-07T08:00", "-q")
    assert code == 0, out
    seen = analysed(target)
    reviews = {link: score for link, (is_review, score) in seen.items() if is_review}
    assert reviews == expected


def test_init_on_a_ghost_site_finds_its_feeds_and_says_what_it_could_not(feed_server: FeedServer,
                                                                      real_feeds: Path, tmp_path: Path) -> None:
    base = feed_server.base
    xml = (real_feeds / GHOST).read_text(encoding="utf-8")
    home = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>It's FOSS</title>
<link rel="alternate" type="application/rss+xml" title="It's FOSS" href="{base}/rss/">
<meta name="generator" content="Ghost 5.82"></head><body class="home-template">
<nav><a href="{base}/tag/news/">News</a> <a href="{base}/tag/opinion/">Opinion</a></nav></body></html>"""
    feed_server.route("/", Reply(body=home.encode(), headers={"Content-Type": HTML}))
    feed_server.feed("/rss/", xml.encode("utf-8"))
    feed_server.feed("/tag/news/rss/", _category_feed(xml, "News"))

    target = tmp_path / "ghost.toml"
    code, out = invoke("init", base, "--config", str(target))
    assert code == 0, out
    text = target.read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    assert [f["url"] for f in raw["feeds"]] == [f"{base}/rss/"]  # the tag feed holds no reviews
    # Every pubDate is +0530: India's zone, inferred from the offsets and put to the editor to confirm.
    assert raw["site"]["timezone"] == "Asia/Kolkata"
    assert "check: no review rule found in 15 sampled posts" in out
    assert "#   - timezone: Asia/Kolkata is inferred from the UTC offsets" in text
    load_config(target)  # complete and valid all the same
