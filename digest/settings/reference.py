"""Every config key with its type, default and meaning, as Markdown (``digest config-reference``).

Keys, types and defaults are read from the pydantic models, so they cannot drift; a meaning
comes from the field's ``description`` or, failing that, from :data:`MEANINGS` below. A key
with neither is an error (tests/test_config_reference.py), and docs/CONFIG.md is this output,
committed and kept equal by the same test.
"""

from __future__ import annotations

import types
import typing
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from digest.settings.config import Config

# Tables that share another table's keys: their meanings are looked up there.
ALIASES = {"delivery.notify.smtp.": "delivery.smtp.", "delivery.notify.webhook.": "delivery.webhook."}

# Internal fields the loader fills in; not written in a config file.
HIDDEN = frozenset({"base_dir", "config_name", "edition", "delivery_method"})

MEANINGS: dict[str, str] = {
    "site": "The site the newsletter is about.",
    "site.name": "The site's name, used in the subject, header and footer.",
    "site.url": "The site's home page (http or https).",
    "site.timezone": "IANA zone of the site: weeks run Monday to Monday in it; times are shown in it.",
    "store": "The SQLite store that accumulates posts between collects.",
    "store.path": "The store file (relative to the config's folder).",
    "store.observation_retention_days": "`digest prune` drops comment-count observations older than this.",
    "collect": "Fetching feeds and pages: timeouts, limits, politeness, backfill.",
    "collect.user_agent": "User-Agent sent with every request.",
    "collect.connect_timeout": "Seconds to wait for a connection.",
    "collect.read_timeout": "Seconds to wait for the next bytes of a response.",
    "collect.max_redirects": "Redirects followed per request.",
    "collect.max_bytes": "A feed larger than this many bytes is refused.",
    "collect.concurrency": "Requests in flight at once.",
    "collect.per_host_concurrency": "Requests in flight to one host at once.",
    "collect.allowed_hosts": ("Hosts besides the site's that article pages, and feeds that redirect, may come "
                              "from (a CDN, feeds.feedburner.com; www. and the bare domain are two hosts)."),
    "collect.backfill_pages": "Older feed pages (`?paged=2..`) read when a feed brings only new posts.",
    "collect.backfill_max_age_days": "Backfill stops at a page reaching back further than this.",
    "collect.backfill_archives": ("The site's own archive pages (a category's listing, `/category/reviews/`) "
                                  "whose posts no feed holds any more: each post listed there that is not "
                                  "stored and is newer than `backfill_max_age_days` is read from its own page. "
                                  "Only links on the listing's host shaped like the feeds' posts are "
                                  "followed."),
    "collect.archive_max_pages": "Listing pages read per archive (its own plus the older pages it links to).",
    "collect.archive_max_posts": "Post pages one collect reads from archives; the rest wait for the next.",
    "feeds": "The feeds to collect (`[[feeds]]`, at least one).",
    "feeds.url": "An http(s) feed URL, or a local file relative to the config's folder.",
    "feeds.name": "A label for reports (default: the URL).",
    "feeds.backfill_pages": "This feed's backfill depth (default: `collect.backfill_pages`).",
    "mirrors": "Answer a host's requests from a local folder (offline demo, tests).",
    "mirrors.host": "The host name whose requests the folder answers.",
    "mirrors.root": "The folder (relative to the config's folder).",
    "reviews": "What counts as a review, and where its score is read.",
    "reviews.categories": "A post in any of these categories is a review.",
    "reviews.title_patterns": "Regular expressions: a title matching one marks a review.",
    "reviews.recaps_are_reviews": "Count recaps (`recap_pattern`) as reviews.",
    "reviews.recap_pattern": "Regular expression of recap titles; recaps are not reviews unless said.",
    "reviews.url_patterns": "Regular expressions: a post URL matching one marks a review.",
    "reviews.scored_posts_are_reviews": "A post whose feed text carries a score the score reader finds (its own"
                                        " verdict, not a list's) is a review too. init proposes it when every"
                                        " review its rule finds carries one.",
    "reviews.score_elements": "Feed elements holding a plugin's score (feedparser's names: `review_score`).",
    "reviews.score_selector": "CSS selector of the score on article pages; wins over the other page rules.",
    "reviews.letter_grades": "Read letter grades (`Grade: B+`) as scores.",
    "reviews.bare_score_best": "Scale (5, 10 or 100) of a bare verdict line (`Score: 4.5`) on a site that"
                               " never states one; unset, such lines are not read. init proposes it.",
    "reviews.tldr_max_chars": "Longest TL;DR shown for a pick.",
    "reviews.fetch_pages": "Fetch reviews' article pages: `always`, `unscored` (none in the feed), `never`.",
    "reviews.page_max_bytes": "An article page larger than this is not read.",
    "reviews.page_attempts": "Tries per article page across collects before giving up.",
    "reviews.default_section": "Section of a review no `[[sections]]` entry matches.",
    "sections": "Newsletter sections (`[[sections]]`), first match wins; default Anime, Comics, TV, Film, "
                "Video Games.",
    "sections.name": "The section's name in the email.",
    "sections.categories": "Categories (or tags) that put a review in this section.",
    "sections.feeds": "Category-feed URL parts (e.g. `/category/anime/`) that put a review in this section.",
    "sections.url_patterns": "Regular expressions: a review whose URL matches one is in this section (a site"
                             " that files by folder, `/game/`), after categories and feeds.",
    "select": "How the issue is chosen.",
    "select.top_count": "How many top-scored reviews.",
    "select.trending_count": "How many trending reviews after the top ones.",
    "select.min_score": "Reviews scored below this are not top picks.",
    "select.max_per_section": "At most this many top picks from one section (next best fills in).",
    "select.section_caps": "Per-section caps, e.g. `{ Anime = 2 }`; win over `max_per_section`.",
    "select.repeat_weeks": "A review featured in the last N issues is not featured again.",
    "select.min_scored_reviews": "Fewer scored reviews in the week stops the build (exit 5).",
    "select.build_thin_week": "Build a thin week anyway (same as `--build-thin`).",
    "select.near_misses": "How many near-misses the manifest and `explain` list.",
    "report": "Readers' clicks, fetched from the mailing service after a hand-off (docs/REPORT.md).",
    "report.days": ("`collect` and the scheduler fetch an issue's per-link clicks from its service while the "
                    "campaign is younger than this many days (not for smtp, webhook or files)."),
    "select.reader_interest": ("Weight (0-1) of readers' clicks in the last issues as a nudge to the trending "
                               "order and top-list ties; 0 (default) is off. See docs/REPORT.md."),
    "select.reader_interest_issues": "How many of the last issues' click counts `reader_interest` reads.",
    "select.reader_interest_margin": ("The most the nudge adds, in score points (trending: a tenth of it); a "
                                      "higher score by more than this is never outranked."),
    "trending": "Trending signals: comment growth, the site's trending list, an analytics export.",
    "trending.lookback_days": "Reviews published this many days back may trend.",
    "trending.half_life_hours": "Time decay of comment growth and of the site list's snapshot.",
    "trending.comments_weight": "Weight of comment growth (0 turns it off).",
    "trending.site_weight": "Weight of the site's trending list (0 turns it off).",
    "trending.analytics_weight": "Weight of the analytics export (0 turns it off).",
    "trending.site_page": "Page holding the site's trending list, read at every collect.",
    "trending.site_selector": "CSS selector of the list's post links, in rank order.",
    "trending.analytics_csv": "A page-views CSV export (path and views columns).",
    "email": "The email: branding, templates, the mailing service's merge tags, links.",
    "email.templates_dir": "A folder of templates overriding the built-in ones by name.",
    # [email] mailer: the field is named_mailer (``EmailSettings.mailer`` is the one in effect).
    "email.named_mailer": "Who substitutes the merge tags: a service, \"custom\" (a system downstream you "
                          "vouch for) or \"plain\" (none). Default: the delivery's service; for smtp, webhook "
                          "and files plain, so `unsubscribe_url` and `postal_address` are then required.",
    "email.unsubscribe_url": "Unsubscribe link: an https URL, a mailto: link or a merge tag (default: the "
                             "mailer's; required when no mailer substitutes tags).",
    "email.view_online_url": "\"View online\" link: an https URL or a merge tag.",
    "email.postal_address": "The sender's postal address (anti-spam laws); default: the mailer's tag; "
                            "required when no mailer substitutes tags.",
    "email.from_address": "Sender address, used in the .eml and shown in the preview's inbox line.",
    "email.from_name": "Sender name (default: the site's name).",
    "email.reply_to": "Reply-To address.",
    "email.list_unsubscribe_mailto": "Address for the List-Unsubscribe mailto: header.",
    "email.lang": "Language tag of the email (`<html lang>`).",
    "email.derive_colors": "Derive a WCAG AA text shade from a failing accent colour (false: refuse it).",
    "email.brand_color": "Branding: header colour, `#rrggbb`; under white text: must reach 4.5:1 (WCAG AA).",
    "email.accent_color": "Branding: buttons, links, kickers, `#rrggbb`; a compliant shade derived if needed.",
    "email.logo_url": "Branding: https URL of a logo shown in the header instead of the site's name.",
    "email.logo_width": "Branding: logo width in pixels.",
    "email.logo_height": "Branding: logo height in pixels (default: from the width).",
    "email.tagline": "Branding: the line under the header.",
    "email.note_title": "Branding: heading of the editor's note.",
    "email.button_text": "Branding: text of each pick's button.",
    "email.footer_text": "Branding: one line of text in the footer.",
    "email.social": "Branding: footer links, `[{ name = \"Instagram\", url = \"https://...\" }]`.",
    "email.social.name": "The link's text.",
    "email.social.url": "The link (https).",
    "email.image_hosts": "Image hosts besides the site's (its CDN); `*.example.com` covers subdomains.",
    "email.image_policy": "Images on other hosts: `warn` (named in the build's warnings) or `drop` (left out).",
    "email.trending_reasons": "Why each review trends, in a reader's words (\"96 new comments this week\").",
    "email.spamassassin": "Score the .eml with SpamAssassin (offline) in the pre-send report.",
    "email.spamd": "Your spamd, asked through `spamc` instead of starting SpamAssassin: `host:port` "
                   "(\"127.0.0.1:783\") or a unix socket's path; run it with `--local` for the same score. "
                   "Unreachable: SpamAssassin checks, with a warning.",
    "email.utm_source": "Adds utm_source (and utm_medium, utm_campaign = issue) to links to the site.",
    "email.utm_medium": "utm_medium when `utm_source` is set.",
    "schedule": "`digest schedule`: cron expressions in the site's timezone.",
    "schedule.collect": "When to collect (\"\" or \"off\" turns it off).",
    "schedule.build": "When to build the week that just ended.",
    "schedule.deliver_after_build": "Deliver right after a scheduled build.",
    "delivery": "How a built issue is handed to the mailing service.",
    "delivery.method": "`files` (the output folder is the hand-off), `smtp`, `webhook`, or a mailing service "
                       "(a draft campaign in its table below).",
    "delivery.smtp": "SMTP delivery (`[delivery.smtp]`), see config/SERVICE.md.",
    "delivery.smtp.host": "SMTP server.",
    "delivery.smtp.port": "Port (default: 587 starttls, 465 tls, 25 none).",
    "delivery.smtp.security": "`starttls`, `tls` or `none`.",
    "delivery.smtp.username": "Login name (with `password_env`).",
    "delivery.smtp.password_env": "NAME of the environment variable holding the password.",
    "delivery.smtp.sender": "Envelope and From address (written `from` in the file).",
    "delivery.smtp.to": "Recipient address(es).",
    "delivery.smtp.allow_plaintext_auth": "Allow a login with `security = \"none\"` (password in clear).",
    "delivery.smtp.timeout": "Seconds per SMTP operation.",
    "delivery.webhook": "Webhook delivery (`[delivery.webhook]`): POST the issue as JSON.",
    "delivery.webhook.url": "The URL to POST to.",
    "delivery.webhook.timeout": "Seconds for the POST.",
    "delivery.webhook.secret_env": "NAME of the environment variable holding the secret.",
    "delivery.webhook.auth": "`hmac` (signature header) or `bearer` (Authorization header).",
    "approval": ("Approval before hand-off: who may submit, approve, send back and pull back an issue "
                 "(`digest issue`, the desk); each move is kept in the store with who, when and the comment."),
    "approval.required": ("Hand off (`digest run`, the desk) only an issue an approver approved, as built "
                          "when approved; off: an issue is handed off as soon as it is built."),
    "approval.separate_approver": ("Nobody approves their own submission (default: on when `required`, "
                                   "else off)."),
    "approval.people": ("The team (`[[approval.people]]`): the names `--as` takes and where the notice of "
                        "a move goes (on submit the approvers, then the submitter), by "
                        "`[delivery.notify.smtp]` or `[delivery.smtp]`, and `[delivery.notify.webhook]`."),
    "approval.people.name": "The person's name, unique, plain text (it is shown in mail headers).",
    "approval.people.email": "Their address, bare (`ana@example.com`).",
    "approval.people.roles": "`editor` (submits for review) and/or `approver` (approves, sends back, "
                             "pulls back).",
    # Keys every mailing service's table shares ([delivery.mailchimp], [delivery.kit], ...).
    "delivery.*.api_key_env": "NAME of the environment variable holding the service's API key.",
    "delivery.*.base_url": "The service's API root (default: its public API; required for self-hosted).",
    "delivery.*.from_name": "Sender name on the campaign (default: the service's list settings).",
    "delivery.*.from_email": "Sender address on the campaign (must be verified with the service).",
    "delivery.*.reply_to": "Reply-To address on the campaign.",
    "delivery.*.timeout": "Seconds per API request.",
    "delivery.*.segment_ids": "Send to these segments only (default: everyone).",
    "delivery.*.tag_ids": "Send to subscribers with these tags only.",
    "delivery.*.email_template_id": "The service's email template to wrap the issue in.",
    "delivery.*.template_id": "The service's template to wrap the issue in.",
    "delivery.*.schedule_at": "Schedule the campaign for this time instead of leaving a draft.",
    "delivery.*.list_ids": "The lists the campaign goes to.",
    "delivery.*.group_ids": "The groups the campaign goes to (default: all subscribers).",
    "output_dir": "Where built issues go (top-level key; default `out/<config name>/` beside the config).",
    "issues_dir": "Folder of the editor's `<week>.toml` files (top-level key).",
}


def _models(annotation: Any) -> list[type[BaseModel]]:
    args = typing.get_args(annotation) or (annotation,)
    found = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
    for arg in args:
        if typing.get_origin(arg) is list:
            found += _models(arg)
    return found


def type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:  # a bounded number: the bound is not part of the type's name
        return type_name(args[0])
    if origin is typing.Literal:
        return " \\| ".join(f'"{a}"' for a in args)
    if origin in (typing.Union, types.UnionType):
        return " or ".join("none" if a is type(None) else type_name(a) for a in args)
    if origin is list:
        inner = args[0]
        return "list of tables" if _models(inner) else f"list of {type_name(inner)}"
    if origin is dict:
        return "table" if args[1] is Any else f"table of {type_name(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "table"
    if annotation is Path:
        return "path"
    if annotation is datetime:
        return "date-time"
    return {str: "string", int: "integer", float: "number", bool: "boolean"}.get(annotation, str(annotation))


def default_text(field: FieldInfo) -> str:
    if field.default_factory is not None:
        return "(see meaning)"
    value = field.default
    if value is PydanticUndefined:
        return "**required**"
    if isinstance(value, BaseModel):
        return ""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, str | Path):
        return f'`"{value}"`'
    return f"`{value!r}`".replace("|", "\\|")


def meaning(key: str, field: FieldInfo) -> str:
    """The full key's entry, else the field's description, else a shared table's entry or a
    ``delivery.*.<key>`` one, else (for a table) its model's docstring."""
    if key in MEANINGS:
        return MEANINGS[key]
    if field.description:
        return field.description[0].upper() + field.description[1:] + "."
    for alias, target in ALIASES.items():
        if key.startswith(alias) and target + key.removeprefix(alias) in MEANINGS:
            return MEANINGS[target + key.removeprefix(alias)]
    parts = key.split(".")
    if len(parts) == 3 and f"{parts[0]}.*.{parts[2]}" in MEANINGS:
        return MEANINGS[f"{parts[0]}.*.{parts[2]}"]
    models = _models(field.annotation)
    if models and models[0].__doc__:
        return " ".join(models[0].__doc__.strip().split("\n\n")[0].split()).replace("``", "`")
    return ""


def field_annotation(field: FieldInfo) -> Any:
    """The field's type; for a ``[delivery.<service>]`` table (validated by a model loaded on use), the
    service's own model."""
    extra = field.json_schema_extra
    service = extra.get("service") if isinstance(extra, dict) else None
    if isinstance(service, str):
        from digest.services import SERVICES

        return SERVICES[service].Settings | None
    return field.annotation


def rows(model: type[BaseModel] = Config, prefix: str = "") -> list[tuple[str, str, str, str]]:
    """(key, type, default, meaning) for every key, tables before their keys."""
    out: list[tuple[str, str, str, str]] = []
    for name, field in model.model_fields.items():
        if name in HIDDEN:
            continue
        field = FieldInfo.merge_field_infos(field, annotation=field_annotation(field))
        key = prefix + (field.alias or name)
        out.append((key, type_name(field.annotation), default_text(field), meaning(prefix + name, field)))
        for sub in _models(field.annotation):
            out += rows(sub, prefix + name + ".")
    return out


def reference_markdown() -> str:
    lines = [
        "# Config reference",
        "",
        "Every key of a digest config file (TOML), its type, its default and what it does.",
        "Generated from the config models by `digest config-reference`; tests keep this file equal",
        "to that output. Relative paths are relative to the config file's folder. See",
        "`config/digest.toml` (commented) and `config/demo.toml` for whole files.",
        "",
        "| key | type | default | meaning |",
        "| --- | --- | --- | --- |",
    ]
    for key, kind, default, meaning in rows():
        lines.append(f"| `{key}` | {kind} | {default} | {meaning} |")
    return "\n".join(lines) + "\n"
