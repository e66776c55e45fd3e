"""The web archive: a static page per published issue, an index and an Atom feed, per edition.

Layout under ``[archive] dir``: the default edition's ``2025-W20.html``, ``index.html`` and
``feed.xml`` at the top, each other edition's in ``<edition>/``. Every link between them is
relative, so the folder works served from any path (or opened from disk).

Safe to publish: an issue appears only once published (delivered, ``on-build``, or
``digest archive publish``); its page is the build's ``web.html`` (no merge tags, no
tracking, no subscribers-only note), scrubbed again here and checked before it is written.
Each file is written to a temporary name and renamed into place, pages before the feed
and the index that link them, so a reader never sees a half-written archive or a dead link.

Safe to visit: a page shows images only from the site's hosts and those the editor lists, and
carries a Content-Security-Policy allowing no script (:mod:`digest.mail.web_policy`). Safe for
the folder: digest writes only inside it, never through a link, and deletes only the pages it
wrote and nobody changed since (:mod:`digest.mail.archive_files`).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import lxml.html

from digest.errors import ArchiveError, DigestError
from digest.mail.archive_files import ArchiveFolder, sha256
from digest.mail.archive_meta import add_head_tags, description, edition_heading, head_html, hero_image, titled
from digest.mail.output import MANIFEST, WEB
from digest.mail.web import problems, scrub, strip_tracking, to_html
from digest.mail.web_policy import content_security_policy, guard_page
from digest.settings.config import Config
from digest.settings.editions import all_editions, archive_dir, archive_url, edition_name, edition_title
from digest.store.database import IssueRecord, Store
from digest.weeks import label_or_name, split_issue_key

ATOM = "http://www.w3.org/2005/Atom"
INDEX, FEED = "index.html", "feed.xml"
PAGE = re.compile(r"^\d{4}-W\d{2}\.html$")
PAGE_FORMAT = "3"  # bump when _page() changes, so every page is made again
# Deliveries that reach the readers. A mailing service's draft campaign is not one: the editor
# sends it from the service, so those issues are published by `digest archive publish` (or on-build).
SENDS = ("smtp", "webhook")
@dataclass
class ArchiveReport:
    """What one refresh did; ``line()`` for the run log."""

    published: list[str] = field(default_factory=list)  # issue ids newly published
    pages: int = 0  # pages in the archive
    written: int = 0  # files (re)written this time
    warnings: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # pages of withdrawn issues (relative paths)

    def line(self) -> str:
        new = f", published {', '.join(self.published)}" if self.published else ""
        return f"archive: {self.pages} page{'s' * (self.pages != 1)}{new}"


# -- publishing ------------------------------------------------------------------------------------


def publish_due(config: Config, store: Store) -> list[str]:
    """Publish what the rules say is ready: delivered issues (``on-delivery``) or every built one."""
    if config.archive is None:
        return []
    done = store.published()
    keys = _edition_keys(config)
    new = []
    for record in store.issues():
        edition = keys.get(split_issue_key(record.id)[0])
        if edition is None or record.id in done or edition.archive is None:
            continue
        if edition.archive.publish == "on-delivery":
            when = store.first_delivery(record.id, SENDS)
        else:
            when = record.built_at
        if when is not None and store.mark_published(record.id, when, edition.archive.publish):
            new.append(record.id)
    return new


def publish(config: Config, store: Store, issue_id: str, now: datetime) -> bool:
    """The editor's word: put a built issue in the archive now (``digest archive publish``)."""
    if config.archive is None:
        raise DigestError("there is no [archive] table in the config, so there is nothing to publish to")
    if store.issue(issue_id) is None:
        raise DigestError(f"{issue_id} has not been built, so it cannot be published")
    return store.mark_published(issue_id, now, "by the editor", again=True)


def withdraw(config: Config, store: Store, issue_id: str, now: datetime) -> bool:
    """Take an issue off the archive (``digest archive withdraw``); delivery will not republish it."""
    if config.archive is None:
        raise DigestError("there is no [archive] table in the config, so there is nothing to withdraw from")
    if store.issue(issue_id) is None:
        raise DigestError(f"{issue_id} has not been built, so it is not in the archive")
    return store.withdraw(issue_id, now)


def update_archive(config: Config, store: Store) -> ArchiveReport | None:
    """Publish what is due, then rewrite the archive of every edition (base ``config``)."""
    if config.archive is None:
        return None
    report = ArchiveReport(published=publish_due(config, store))
    published = store.published()
    records = {r.id: r for r in store.issues()}
    editions = all_editions(config)
    root = archive_dir(editions[0])  # every edition's folder is under the default edition's
    assert root is not None
    root = root.parent if editions[0].edition_id else root
    refused = []
    with ArchiveFolder(root) as files:
        for edition in editions[1:] + editions[:1]:  # the top index, which links the others, last
            ids = sorted((i for i in published if i in records and split_issue_key(i)[0] == edition.edition_id),
                         key=lambda i: split_issue_key(i)[1], reverse=True)
            try:
                _write_edition(edition, editions, [records[i] for i in ids], published, report, files)
            except ArchiveError as exc:  # one edition's folder in the way must not hold back the others
                refused.append(str(exc))
            finally:
                files.save()  # what was written so far, so it can be deleted when its issue goes
        report.warnings += files.warnings
    if refused:
        raise ArchiveError("; ".join(refused))
    return report


def _edition_keys(config: Config) -> dict[str | None, Config]:
    return {e.edition_id: e for e in all_editions(config)}


# -- writing ---------------------------------------------------------------------------------------


def _write_edition(config: Config, editions: list[Config], records: list[IssueRecord],
                   published: dict[str, datetime], report: ArchiveReport, files: ArchiveFolder) -> None:
    assert config.archive is not None
    prefix = f"{config.edition_id}/" if config.edition_id else ""
    entries = []
    for record in records:
        web, manifest = _read_issue(record, report)
        if web is not None:
            entries.append((record, web, manifest))
    for index, (record, web, manifest) in enumerate(entries):
        newer = entries[index - 1][0] if index > 0 else None
        older = entries[index + 1][0] if index + 1 < len(entries) else None
        target = prefix + _page_name(record.id)
        stamp = _stamp(config, editions, web, manifest, newer, older)
        current = files.read(target)
        if current is not None and _stamped(current, stamp) and files.record.get(target) == sha256(current):
            continue  # made from the same inputs (and checked) by an earlier run
        page = _page(config, editions, record, web, manifest, newer, older, report)
        unsafe = problems(page)
        if unsafe:  # scrub() should make this impossible; never publish it if it happens
            raise DigestError(f"{record.id}: the archive page is not safe to publish: {'; '.join(unsafe[:3])}")
        if current is not None and _stamped(current, stamp) and current != (page + stamp).encode("utf-8"):
            continue  # a person's change to a page made from these same inputs: theirs to keep
        _write(files, target, page + stamp, report)
    feed = _feed(config, [(r, m) for r, _, m in entries][: config.archive.feed_entries], published)
    _write(files, prefix + FEED, feed, report)
    _write(files, prefix + INDEX, _index(config, editions, [(r, m) for r, _, m in entries], published), report)
    report.pages += len(entries)
    keep = {_page_name(r.id) for r, _, _ in entries}
    folder = prefix.rstrip("/")
    stale = {n for n in files.recorded(folder) + files.names(folder) if PAGE.match(n) and n not in keep}
    for name in sorted(stale):  # withdrawn issues: gone only once nothing links them, and only ours
        if files.delete(prefix + name):
            report.removed.append(prefix + name)


def _stamp(config: Config, editions: list[Config], web: str, manifest: dict[str, Any],
           newer: IssueRecord | None, older: IssueRecord | None) -> str:
    """A last line naming everything a page is made from, so a run with nothing new rewrites nothing."""
    assert config.archive is not None
    inputs = [PAGE_FORMAT, web, newer.id if newer else "", older.id if older else "", edition_title(config),
              archive_url(config, "") or "", " ".join(config.email.merge_tags), config.site.name,
              config.site.url, " ".join(config.archive.allow_image_hosts), " ".join(config.email.image_hosts),
              json.dumps(manifest.get("picks", [])[:1]), str(manifest.get("preheader")),
              *(f"{e.edition_id}={edition_title(e)}" for e in editions)]
    digest = hashlib.sha256("\0".join(inputs).encode("utf-8")).hexdigest()[:32]
    return f"<!-- digest archive page {digest} -->\n"


def _stamped(current: bytes, stamp: str) -> bool:
    return current.endswith(stamp.encode("utf-8"))


def _read_issue(record: IssueRecord, report: ArchiveReport) -> tuple[str | None, dict[str, Any]]:
    folder = Path(record.out_dir)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return (folder / WEB).read_text(encoding="utf-8"), manifest
    except FileNotFoundError:
        report.warnings.append(f"{record.id} has no web page in {folder} (built before [archive] was set?); "
                               f"rebuild it to archive it: digest run --week {_week(record.id)} --force")
    except (OSError, ValueError) as exc:
        report.warnings.append(f"{record.id}: cannot read its files in {folder}: {exc}")
    return None, {}


def _write(files: ArchiveFolder, rel: str, text: str, report: ArchiveReport) -> None:
    """Write ``rel`` atomically (temporary file, fsync, rename), and only when it changed."""
    if files.write(rel, text.encode("utf-8")):
        report.written += 1


def _page_name(issue_id: str) -> str:
    return f"{split_issue_key(issue_id)[1]}.html"


def _page(config: Config, editions: list[Config], record: IssueRecord, web: str, manifest: dict[str, Any],
          newer: IssueRecord | None, older: IssueRecord | None, report: ArchiveReport) -> str:
    """The web version of the email with the archive's links on top (older, every edition, the site,
    newer), a title and sharing tags naming the week in words, only the images of hosts the editor
    named, and a policy that lets nothing else load or run."""
    doc = lxml.html.document_fromstring(scrub(web))
    left_off = guard_page(doc, config)
    if left_off:
        report.warnings.append(f"{record.id}: images from {', '.join(left_off)} are left off its archive page "
                               "(a public page shows only the site's images; [archive] allow_image_hosts "
                               "lists others to keep)")
    links = _edition_links(config, editions)
    if older is not None:
        label = label_or_name(_week(older.id))
        links.insert(0, f'<a rel="prev" href="{_page_name(older.id)}">&larr; {label}</a>')
    if newer is not None:
        label = label_or_name(_week(newer.id))
        links.append(f'<a rel="next" href="{_page_name(newer.id)}">{label} &rarr;</a>')
    nav = lxml.html.fragment_fromstring(
        '<nav class="archive-nav" aria-label="Archive" style="max-width:600px;margin:0 auto;padding:10px 8px;'
        'font:14px/1.7 system-ui,sans-serif;text-align:center;">' + " &middot; ".join(links) + "</nav>")
    body = doc.find("body")
    if body is not None:
        body.insert(0, nav)
    heading = edition_heading(config)
    if heading is not None:  # the email's header names the site; an edition's page names the edition
        for link in doc.xpath('//*[contains(concat(" ", normalize-space(@class), " "), " site-link ")]'):
            link.text = heading
            for child in list(link):
                child.drop_tree()
    head = doc.find("head")
    if head is not None:
        url = archive_url(config, _week(record.id))
        add_head_tags(head, title=titled(config, label_or_name(_week(record.id))),
                      text=description(doc, manifest, f"The week's best reviews from {config.site.name}"),
                      url=url, image=hero_image(doc, config), kind="article", site_name=config.site.name)
        head.append(lxml.html.fragment_fromstring(
            f'<link rel="alternate" type="application/atom+xml" title="{html.escape(_archive_title(config))}" '
            f'href="{FEED}">'))
        if url is not None:
            head.append(lxml.html.fragment_fromstring(f'<link rel="canonical" href="{html.escape(url)}">'))
    return to_html(doc) + "\n"


def _edition_links(config: Config, editions: list[Config]) -> list[str]:
    """This edition's index, every other edition's, the feed and the site (relative but the site)."""
    up = "../" if config.edition_id else ""
    links = [f'<a href="{INDEX}">All issues of {html.escape(edition_title(config))}</a>']
    for edition in editions:
        if edition.edition_id == config.edition_id:
            continue
        href = f"{up}{edition.edition_id}/{INDEX}" if edition.edition_id else f"{up}{INDEX}"
        links.append(f'<a href="{href}">{html.escape(edition_title(edition))}</a>')
    site, name = html.escape(config.site.url), html.escape(config.site.name)
    return links + [f'<a href="{FEED}">Atom feed</a>', f'<a href="{site}">{name} home</a>']


def _week(issue_id: str) -> str:
    return split_issue_key(issue_id)[1]


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _updated(record: IssueRecord, published: dict[str, datetime]) -> datetime:
    return max(record.built_at, published.get(record.id, record.built_at))


def _tag(config: Config, record: IssueRecord) -> str:
    host = urlsplit(config.site.url).hostname or "localhost"
    return f"tag:{host},{record.window_start.astimezone(config.site.tz).date().isoformat()}:{record.id}"


def _feed(config: Config, entries: list[tuple[IssueRecord, dict[str, Any]]],
          published: dict[str, datetime]) -> str:
    """Atom 1.0 (RFC 4287): one entry per published issue, newest first; links relative to the feed."""
    assert config.archive is not None
    base = config.archive.base_url
    prefix = f"{base}{config.edition_id}/" if base and config.edition_id else (base or "")
    host = urlsplit(config.site.url).hostname or "localhost"
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "title", _archive_title(config))
    _sub(feed, "id", f"{prefix}{FEED}" if base else f"tag:{host},2025:archive/{edition_name(config)}")
    updated = max((_updated(r, published) for r, _ in entries), default=datetime(2025, 1, 1, tzinfo=UTC))
    _sub(feed, "updated", _when(updated))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", type="application/atom+xml", href=f"{prefix}{FEED}")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=f"{prefix}{INDEX}")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _sub(author, "name", config.site.name)
    _sub(author, "uri", config.site.url)
    for record, manifest in entries:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _sub(entry, "title", str(manifest.get("subject") or record.subject))
        _sub(entry, "id", _tag(config, record))
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html",
                      href=f"{prefix}{_page_name(record.id)}")
        _sub(entry, "published", _when(published.get(record.id, record.built_at)))
        _sub(entry, "updated", _when(_updated(record, published)))
        if manifest.get("preheader"):
            _sub(entry, "summary", str(manifest["preheader"]))
        content = _sub(entry, "content", _picks_html(manifest))
        content.set("type", "html")
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def _sub(parent: ET.Element, name: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}")
    element.text = text
    return element


def _picks_html(manifest: dict[str, Any]) -> str:
    items = []
    for pick in manifest.get("picks", []):
        url = strip_tracking(str(pick.get("url", "")))
        if not url.startswith("https://") and not url.startswith("http://"):
            continue
        score = f" ({pick['score']:g}/10)" if isinstance(pick.get("score"), int | float) else ""
        items.append(f'<li><a href="{html.escape(url)}">{html.escape(str(pick.get("title", "")))}</a>'
                     f"{score} &middot; {html.escape(str(pick.get('section', '')))}</li>")
    return f"<ul>{''.join(items)}</ul>" if items else ""


def _archive_title(config: Config) -> str:
    assert config.archive is not None
    title = config.archive.title or edition_title(config)
    return title if config.archive.title or config.edition is not None else f"{title} newsletter archive"


_INDEX = """<!DOCTYPE html>
<html lang="{lang}"><head><meta http-equiv="Content-Security-Policy" content="{policy}"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
{tags}
<link rel="alternate" type="application/atom+xml" title="{feed_title}" href="{feed}">
<style>
body {{ margin: 0 auto; max-width: 640px; padding: 24px 16px; font: 16px/1.5 system-ui, sans-serif;
       color: #1d2433; background: #fff; }}
a {{ color: {p.accent_text}; }} nav {{ margin: 0 0 24px; color: #5b6270; }}
.masthead {{ margin: 0 0 16px; padding: 20px 20px 18px; border-radius: 10px; background: {p.brand};
             border-bottom: 4px solid {p.accent}; color: #ffffff; }}
.masthead a {{ color: #ffffff; text-decoration: none; }}
.site {{ margin: 0; font-size: 14px; font-weight: 700; }}
h1 {{ font-size: 26px; line-height: 1.25; margin: 2px 0 0; }}
ol {{ list-style: none; padding: 0; }} li {{ margin: 0 0 18px; }} .when {{ color: #5b6270; font-size: 14px; }}
.summary {{ margin: 2px 0 0; }}
@media (prefers-color-scheme: dark) {{
  body {{ color: {p.dark_ink}; background: {p.dark_surface}; }} nav, .when {{ color: {p.dark_muted}; }}
  a {{ color: {p.accent_text_dark}; }}
  .masthead {{ background: {p.brand_dark}; }}
}}
</style></head><body>
<header class="masthead"><p class="site"><a href="{site_url}">{site_name}</a></p><h1>{heading}</h1></header>
<nav aria-label="Archive">{nav}</nav>
{body}
</body></html>
"""


def _index(config: Config, editions: list[Config], entries: list[tuple[IssueRecord, dict[str, Any]]],
           published: dict[str, datetime]) -> str:
    """The edition's past issues, newest first, each by its dates, under the edition's own title and colours."""
    assert config.archive is not None
    title = config.archive.title or titled(config, "past issues", ": ")
    links = _edition_links(config, editions)
    items = []
    for record, manifest in entries:
        tz = config.site.tz
        pub = published.get(record.id, record.built_at).astimezone(tz)
        subject = html.escape(str(manifest.get("subject") or record.subject))
        summary = html.escape(str(manifest.get("preheader") or ""))
        items.append(
            f'<li><a href="{_page_name(record.id)}">{subject}</a><div class="when">'
            f'{label_or_name(_week(record.id))} &middot; '
            f'<time datetime="{_when(pub)}">sent {pub:%b} {pub.day}, {pub.year}</time></div>'
            + (f'<p class="summary">{summary}</p>' if summary else "") + "</li>")
    body = f"<ol>{''.join(items)}</ol>" if items else "<p>No issues published yet.</p>"
    policy = html.escape(content_security_policy(config))
    text = f"Past issues of {edition_title(config)}: the week's best reviews from {config.site.name}."
    base = config.archive.base_url
    tags = head_html(title=title, text=text, kind="website", site_name=config.site.name,
                     url=f"{base}{_prefix(config)}{INDEX}" if base else None)
    return _INDEX.format(lang=html.escape(config.email.lang), policy=policy, tags=tags, feed=FEED,
                         feed_title=html.escape(_archive_title(config)), nav=" &middot; ".join(links),
                         body=body,
                         p=config.email.palette,
                         site_url=html.escape(config.site.url), site_name=html.escape(config.site.name),
                         heading=html.escape(config.archive.title or edition_heading(config) or "Past issues"))


def _prefix(config: Config) -> str:
    return f"{config.edition_id}/" if config.edition_id else ""
