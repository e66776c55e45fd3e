"""parse_feed's output, pinned: each real capture and a few edge documents must give exactly the
ParsedFeed recorded in fixtures/parse_feed_expected.json (title, link, warning or error, and for
each entry a digest of all its fields followed by its uid).

The record was made with feeds.py as it was before its speed work (feedparser on a buffering SAX
reader, parsing on worker processes), so a faster parse_feed has to give the same entries, field
for field. After a deliberate change of behaviour, record again and review the diff:

    .venv/bin/python tests/test_feeds_equivalence.py --write
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers.data import REAL_FEEDS, real_feeds_dir

from digest.collect.feeds import parse_feed
from digest.errors import FeedParseError
from digest.models import FeedEntry, ParsedFeed

RECORD = Path(__file__).resolve().parent / "fixtures" / "parse_feed_expected.json"
BASE_URL = "https://example.com/feed/"

# The Content-Type a server of each capture's kind sends (as tests/test_real_feeds.py serves them).
UTF8_RSS = "application/rss+xml; charset=UTF-8"
REAL_CONTENT_TYPES = {
    "p1_wordpress_feedburner_ridingwiththewindowdown_movie_ratings_2012.xml": "text/xml; charset=UTF-8",
    "p1_wordpress_gdstarrating_plugin_markup_de_2012.xml": "application/rss+xml; charset=UTF-8",
    "p1_wordpress_poptimal_popculture_reviews_grades_2012.xml": "application/rss+xml; charset=UTF-8",
    "p1_wordpresscom_techcrunch_media_content.xml": "application/rss+xml; charset=UTF-8",
    "p2_ghost_rss_itsfoss.xml": "application/rss+xml; charset=utf-8",
    "p2_medium_rss_content_encoded.xml": "text/xml; charset=utf-8",
    "p3_encoding_windows1251_oren_ru.xml": "application/rss+xml",
    "p3_malformed_myanimelist_undefined_html_entity.xml": "application/rss+xml; charset=UTF-8",
    "p3_malformed_wordpress_androidauthority_blank_lines_before_xmldecl.xml": UTF8_RSS,
}

# Small documents for what the real captures do not show: text split by lines, references and
# CDATA sections (the SAX reader buffers text), Atom xhtml content, a declared entity, RSS 1.0.
EDGE_DOCS: dict[str, bytes] = {
    "atom_xhtml": b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<link href="http://a.example/"/>
<entry><id>urn:1</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">A &amp; <b>B</b>
 line two</div></title><link href="/p/1"/><updated>2024-01-02T03:04:05Z</updated>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">
  <p>One &lt; two &#8217; three</p>
  text
  <p>Four</p>
</div></content><summary type="html">&lt;p&gt;hi &amp;amp; there&lt;/p&gt;
second line</summary><category term="X"/><category term="x"/><category term="Y"/></entry>
<entry><id>urn:2</id><title>  Plain
  title  </title><content type="xhtml">
 <div xmlns="http://www.w3.org/1999/xhtml">only</div> </content></entry></feed>""",
    "rss_lines_refs_cdata": """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"
 xmlns:review="http://review.example/ns" xmlns:media="http://search.yahoo.com/mrss/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:slash="http://purl.org/rss/1.0/modules/slash/">
<channel><title>Caf\u00e9 &amp; Co</title><link>http://c.example</link>
<item><title>It&#8217;s a
multi-line title with \u2019 and \u00e9</title><link>/2024/01/post/?utm_source=x&amp;a=1</link>
<guid>post-1</guid><description>Plain text with &lt;b&gt;markup&lt;/b&gt; and
lines
and more</description><pubDate>Mon, 01 Jan 2024 10:00:00 +0000</pubDate>
<review:score max="10">8</review:score><media:content url="/img/a.jpg" medium="image" width="10" height="x"/>
<media:thumbnail url="http://c.example/t.jpg"/>
<enclosure url="http://c.example/e.jpg" type="image/jpeg" length="1"/>
<content:encoded><![CDATA[<p>a
b]]>middle<![CDATA[ c
d</p>]]></content:encoded><slash:comments> 12 </slash:comments></item>
<item><title>No guid</title><link>http://c.example/2</link><description>caf\u00c3\u00a9</description></item>
<item><title>nothing</title></item></channel></rss>""".encode(),
    "undefined_entity": b'<?xml version="1.0"?><rss version="2.0"><channel><title>A&nbsp;B</title><item>'
                        b"<title>x &uuml; y</title><link>http://u.example/1</link><description>a\nb &hellip;"
                        b"</description></item></channel></rss>",
    "declared_entity": b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY foo "FOO">]><rss version="2.0"><channel>'
                       b"<title>&foo; x</title><item><title>&foo;</title><link>http://d.example/1</link></item>"
                       b"</channel></rss>",
    "rss10": b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
             b' xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
             b'<channel rdf:about="http://r.example/"><title>R</title><link>http://r.example/</link></channel>'
             b'<item rdf:about="http://r.example/1"><title>one\ntwo</title><link>http://r.example/1</link>'
             b"<dc:date>2024-02-03T04:05:06+01:00</dc:date><dc:subject>S</dc:subject></item></rdf:RDF>",
    "truncated": b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>one</title>'
                 b"<link>http://t.example/1</link></item><item><title>two",
}


def cases() -> dict[str, tuple[bytes, dict[str, str]]]:
    """Every recorded input: real captures with their server's Content-Type and with none."""
    found: dict[str, tuple[bytes, dict[str, str]]] = {}
    for name, content_type in REAL_CONTENT_TYPES.items():
        body = (REAL_FEEDS / name).read_bytes()
        found[f"{name} | {content_type}"] = (body, {"content-type": content_type})
        found[f"{name} | -"] = (body, {})
    for name, body in EDGE_DOCS.items():
        found[f"{name} | -"] = (body, {})
    return found


def entry_digest(entry: FeedEntry) -> str:
    fields = {
        "uid": entry.uid, "link": entry.link, "title": entry.title, "author": entry.author,
        "categories": list(entry.categories),
        "published": entry.published.isoformat() if entry.published else None,
        "summary": entry.summary, "content": entry.content, "comments": entry.comments,
        "images": [[i.url, i.source, i.width, i.height] for i in entry.images],
        "extras": [list(pair) for pair in entry.extras],
    }
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def describe(body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    try:
        parsed: ParsedFeed = parse_feed(body, headers, BASE_URL)
    except FeedParseError as exc:
        return {"error": [exc.kind, str(exc)]}
    return {
        "title": parsed.title, "link": parsed.link, "warning": parsed.warning,
        "entries": [f"{entry_digest(e)} {e.uid}" for e in parsed.entries],
    }


@pytest.fixture(scope="module")
def record() -> dict[str, Any]:
    real_feeds_dir()
    data: dict[str, Any] = json.loads(RECORD.read_text(encoding="utf-8"))
    return data


def test_the_record_covers_every_case(record: dict[str, Any]) -> None:
    assert set(record) == set(cases())


@pytest.mark.parametrize("case", sorted(cases()) if REAL_FEEDS.is_dir() else [])
def test_parse_feed_gives_the_recorded_result(record: dict[str, Any], case: str) -> None:
    body, headers = cases()[case]
    got, want = describe(body, headers), record[case]
    assert {k: v for k, v in got.items() if k != "entries"} == {k: v for k, v in want.items() if k != "entries"}
    got_entries = [line.split(" ", 1) for line in got.get("entries", [])]
    want_entries = [line.split(" ", 1) for line in want.get("entries", [])]
    assert [uid for _, uid in got_entries] == [uid for _, uid in want_entries]
    pairs = zip(got_entries, want_entries, strict=True)
    changed = [uid for (digest, uid), (wanted, _) in pairs if digest != wanted]
    assert changed == [], f"{len(changed)} entries differ in some field, first {changed[0]}"


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: tests/test_feeds_equivalence.py --write  (records the current parse_feed's results)")
    result = {case: describe(body, headers) for case, (body, headers) in sorted(cases().items())}
    RECORD.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"recorded {len(result)} cases in {RECORD}")
