"""The corpus server answers as a static host would, with the site's own origin moved to loopback."""

from __future__ import annotations

import http.client
from pathlib import Path
from urllib.parse import urlsplit

from helpers.sites import serve_site

RSS = (b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Films</title>'
       b"<link>https://films.example.org/film/</link><item><title>Holes</title>"
       b"<link>https://films.example.org/film/reviews/holes/</link></item></channel></rss>")
ATOM = (b'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>Films</title>'
        b'<link href="https://films.example.org/film/" rel="alternate"></link></feed>')
PAGE = (b'<!DOCTYPE html><html><head><link rel="canonical" href="https://films.example.org/film/reviews/holes/">'
        b'<script type="application/ld+json">{"url":"https:\\/\\/films.example.org\\/film\\/"}</script></head>'
        b'<body><a href="//films.example.org/film/">home</a> <a href="https://films.example.org.evil.test/">x</a>'
        b' <a href="https://other.example.com/film/">other</a></body></html>')


def _corpus(tmp_path: Path) -> Path:
    site = tmp_path / "hugo-films"
    (site / "site" / "film" / "reviews" / "holes").mkdir(parents=True)
    (site / "site" / "film" / "feeds").mkdir()
    (site / "SOURCES.md").write_text("# films\n\n- Published address: https://films.example.org/film/\n",
                                     encoding="utf-8")
    (site / "labels.toml").write_text('[[post]]\nurl = "https://films.example.org/film/reviews/holes/"\n'
                                      "review = true\nscore = 3\nscale = 5\n")
    (site / "site" / "film" / "index.html").write_bytes(PAGE)
    (site / "site" / "film" / "index.xml").write_bytes(RSS)
    (site / "site" / "film" / "feeds" / "all.atom.xml").write_bytes(ATOM)
    (site / "site" / "film" / "reviews" / "holes" / "index.html").write_bytes(PAGE)
    (site / "site" / "film" / "404.html").write_bytes(b"<html><body>No such film</body></html>")
    return site


def _get(url: str) -> http.client.HTTPResponse:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=10)
    connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
    response = connection.getresponse()
    response.read()
    return response


def test_folders_feeds_redirects_and_404s_as_a_static_host(tmp_path: Path) -> None:
    with serve_site(_corpus(tmp_path)) as site:
        assert site.published == "https://films.example.org/film/"
        assert urlsplit(site.url).path == "/film/"
        assert _get(site.url).getheader("Content-Type", "").startswith("text/html")
        moved = _get(site.url + "reviews/holes")
        assert (moved.status, moved.getheader("Location")) == (301, "/film/reviews/holes/")
        assert _get(site.url + "reviews/holes/?paged=2").status == 200
        assert _get(site.url + "index.xml").getheader("Content-Type", "").startswith("application/rss+xml")
        atom = _get(site.url + "feeds/all.atom.xml")
        assert atom.getheader("Content-Type", "").startswith("application/atom+xml")
        missing = _get(site.url + "reviews/nope/")
        assert missing.status == 404
        assert _get(site.origin + "/reviews/holes/").status == 404  # not outside the published prefix
        assert _get(site.url + "../SOURCES.md").status == 404


def test_links_to_the_published_origin_stay_on_loopback(tmp_path: Path) -> None:
    with serve_site(_corpus(tmp_path)) as site:
        parts = urlsplit(site.url)
        connection = http.client.HTTPConnection(parts.netloc, timeout=10)
        connection.request("GET", "/film/reviews/holes/")
        body = connection.getresponse().read().decode()
        assert f'href="{site.origin}/film/reviews/holes/"' in body
        assert f'href="{site.origin}/film/"' in body  # protocol-relative
        assert f'"url":"{site.origin}\\/film\\/"' in body  # JSON's escaped slashes
        assert "https://films.example.org.evil.test/" in body  # another host is left alone
        assert "https://other.example.com/film/" in body
        assert site.to_published(site.origin + "/film/reviews/holes/") == "https://films.example.org/film/reviews/holes/"
