"""The pre-send report: what an email developer checks before an issue goes out.

Printed by every build, saved in the manifest (``report``) and shown by
``digest lint``. Each check has a status: "ok", "warning", "error" (the build
stops, nothing is written), "not checked" (a tool is missing, or there is
no .eml to judge) or "pending" (the desk builds with SpamAssassin left to a
background worker, digest.job.spam; no hand-off starts before it is filled in).
The HTML checks are pure; SpamAssassin is the one subprocess, run offline (``-L``)
on the .eml as it will be handed off, tied to this process (digest.mail.child): a killed
build never leaves it running.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email import message_from_bytes
from typing import Any, Literal
from urllib.parse import urlsplit

from lxml import etree

from digest.mail.child import run_tied
from digest.mail.contrast import text_contrasts
from digest.mail.lint import SIZE_LIMIT, SIZE_WARN, STYLE_LIMIT, declarations, format_finding, lint_html
from digest.mail.spamcheck import SPAMASSASSIN_ARGS, run_ahead, spamc_command, take_ahead

Status = Literal["ok", "warning", "error", "not checked", "pending"]
PHONE = 375  # the narrowest common phone width, in CSS px
MIN_COLUMN = 240  # narrower than this, a text column wraps every few words
SPAM_WARN, SPAM_ERROR = 2.0, 5.0  # 5.0 is SpamAssassin's own "this is spam" threshold
# Services that add List-Unsubscribe (and one-click) headers themselves when they send.
SERVICE_HEADERS = {"mailchimp", "sendgrid", "mailgun", "brevo", "buttondown", "listmonk", "kit", "mailerlite"}


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    summary: str
    details: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "summary": self.summary,
                "details": list(self.details)}


@dataclass(frozen=True)
class Report:
    checks: tuple[Check, ...]
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.status == "error")

    @property
    def warnings(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.status == "warning")

    def lines(self) -> list[str]:
        out = ["pre-send report:"]
        for check in self.checks:
            out.append(f"  {check.status:<11} {check.name:<17} {check.summary}")
            out += [f"  {'':<11} {'':<17} - {d}" for d in check.details]
        return out

    def to_json(self) -> dict[str, Any]:
        checks = [c.to_json() for c in self.checks]
        return {"checks": checks, "figures": dict(sorted(self.figures.items()))}


# -- the HTML ----------------------------------------------------------------------------------------


def html_checks(html: str, merge_tags: Iterable[str], site_host: str) -> tuple[list[Check], dict[str, Any]]:
    """Lint, sizes, contrast, the phone layout without styles, and links."""
    tags = tuple(merge_tags)
    figures: dict[str, Any] = {}
    checks = [_lint(html, tags), _size(html, figures)]
    checks += [_contrast(html, figures), _layout(html), _links(html, tags, site_host, figures)]
    return checks, figures


def _lint(html: str, tags: tuple[str, ...]) -> Check:
    findings = lint_html(html, tags)
    errors = [f for f in findings if f.severity == "error"]
    listed = tuple(format_finding(f) for f in (errors or findings))
    if errors:
        return Check("lint", "error", f"{len(errors)} mail-client rule(s) broken", listed)
    if findings:
        return Check("lint", "warning", f"{len(findings)} warning(s)", listed)
    return Check("lint", "ok", "every mail-client rule passes (digest lint lists them)")


def _size(html: str, figures: dict[str, Any]) -> Check:
    size = len(html.encode("utf-8"))
    root = etree.fromstring(html.encode("utf-8"), etree.HTMLParser(encoding="utf-8"))
    style = sum(len((s.text or "").encode("utf-8")) for s in root.iter("style")) if root is not None else 0
    figures.update(html_bytes=size, style_bytes=style)
    summary = (f"{size / 1024:.1f} KB of {SIZE_LIMIT // 1024} KB (Gmail clips beyond); "
               f"<style> {style / 1024:.1f} KB of {STYLE_LIMIT // 1024} KB")
    if size >= SIZE_LIMIT or style > STYLE_LIMIT:
        return Check("size", "error", summary)
    return Check("size", "warning" if size >= SIZE_WARN else "ok", summary)


def _contrast(html: str, figures: dict[str, Any]) -> Check:
    failures: list[str] = []
    parts = []
    for mode, dark in (("light", False), ("dark", True)):
        runs = text_contrasts(html, dark)
        lowest = min((r.ratio for r in runs), default=21.0)
        figures[f"contrast_min_{mode}"] = lowest
        parts.append(f"{mode} {len(runs)} texts, lowest {lowest:.2f}:1")
        failures += [f"{mode}: {r.ratio:.2f}:1 < {r.needed}:1, {r.colour} on {r.background}, "
                     f"'{r.text}' ({r.where})" for r in runs if not r.passes]
    summary = "WCAG 2.2 AA: " + "; ".join(parts)
    return Check("contrast", "error" if failures else "ok", summary, tuple(failures[:10]))


def _fixed_width(el: etree._Element) -> int | None:
    """A width in px that no inline style lets shrink, or None."""
    styles = dict(declarations(el.get("style") or ""))
    if "max-width" in styles or styles.get("width", "").replace(" ", "").startswith("100%"):
        return None
    css = re.fullmatch(r"\s*(\d+)px\s*", styles.get("width", ""))
    attr = (el.get("width") or "").strip()
    return int(css.group(1)) if css else int(attr) if attr.isdigit() else None


def _layout(html: str) -> Check:
    """A static reading of the layout on a 375 px phone with every <style> removed.

    Conditional comments (Outlook's ghost tables) are comments to every other client
    and are ignored here as they are there.
    """
    root = etree.fromstring(html.encode("utf-8"), etree.HTMLParser(encoding="utf-8"))
    body = root.find("body") if root is not None else None
    problems, columns = [], 0
    for el in (body.iter() if body is not None else ()):
        if not isinstance(el.tag, str):
            continue
        width = _fixed_width(el)
        if width is not None and width > PHONE:
            problems.append(f"line {el.sourceline}: <{el.tag}> is fixed at {width} px: wider than the phone")
        styles = dict(declarations(el.get("style") or ""))
        if styles.get("display", "").strip() == "inline-block" and el.tag == "div":
            columns += 1
            if "max-width" not in styles or not styles.get("width", "").startswith("100%"):
                problems.append(f"line {el.sourceline}: an inline-block column without width:100% and a "
                                "max-width does not stack")
        if el.tag == "tr":
            cells = [c for c in el if c.tag == "td"]
            fixed = sum(w for c in cells if (w := _fixed_width(c)) is not None)
            texty = [c for c in cells if _fixed_width(c) is None and "".join(c.itertext()).strip()]
            if texty and len(cells) > 1 and PHONE - 2 * 24 - fixed < MIN_COLUMN:
                problems.append(f"line {el.sourceline}: cells beside a {fixed} px cell leave text under "
                                f"{MIN_COLUMN} px at {PHONE} px")
    if problems:
        return Check("layout-375", "error", f"{len(problems)} layout problem(s) at {PHONE} px without <style>",
                     tuple(problems[:10]))
    return Check("layout-375", "ok", f"{columns} fluid columns stack at {PHONE} px without <style>; "
                                     f"no fixed width over {PHONE} px")


def _links(html: str, tags: tuple[str, ...], site_host: str, figures: dict[str, Any]) -> Check:
    root = etree.fromstring(html.encode("utf-8"), etree.HTMLParser(encoding="utf-8"))
    hrefs = [a.get("href") or "" for a in root.iter("a")] if root is not None else []
    bad = [h for h in hrefs if h not in tags and urlsplit(h).scheme not in ("https", "mailto")]
    hosts = sorted({(urlsplit(h).hostname or "").removeprefix("www.") for h in hrefs
                    if urlsplit(h).scheme == "https"} - {site_host, ""})
    figures.update(links=len(hrefs), offsite_hosts=hosts)
    kinds = "all https (or mailto/merge tags)" if not bad else f"{len(bad)} not https"
    summary = f"{len(hrefs)} links, {kinds}; off-site: {', '.join(hosts) or 'none'}"
    return Check("links", "error" if bad else "ok", summary, tuple(bad[:10]))


# -- the .eml ----------------------------------------------------------------------------------------


def unsubscribe_check(eml: bytes, mailer: str, delivery: str) -> Check:
    """List-Unsubscribe (RFC 2369) and one-click (RFC 8058), which Gmail and Yahoo require of bulk mail."""
    message = message_from_bytes(eml)
    header, one_click = message.get("List-Unsubscribe"), message.get("List-Unsubscribe-Post")
    if header and one_click:
        return Check("list-unsubscribe", "ok", f"List-Unsubscribe {header} with one-click POST")
    if mailer in SERVICE_HEADERS and delivery != "smtp":
        return Check("list-unsubscribe", "ok", f"{mailer} adds List-Unsubscribe and one-click when it sends")
    missing = "List-Unsubscribe" if not header else "List-Unsubscribe-Post (one-click)"
    return Check("list-unsubscribe", "warning", f"no {missing} header for {mailer} via {delivery}: set "
                                                "[email] unsubscribe_url (https) and list_unsubscribe_mailto")


def spam_check(eml: bytes, enabled: bool = True, timeout: float = 120.0, nice: int = 0,
               spamd: str | None = None) -> Check:
    """SpamAssassin's score for the .eml, offline (``-L``: no network tests) with its shipped rules;
    ``nice``: run it at that lower priority (a background check yields to the desk's rebuilds).

    ``spamd`` (``[email] spamd``): ask that spamd through spamc; unreachable, SpamAssassin itself
    checks, with a warning. A SpamAssassin started ahead by the run (digest.mail.spamcheck) is used when
    one waits; if it failed, the plain script runs once more. The details say what checked."""
    if not enabled:
        return Check("spamassassin", "not checked", "turned off ([email] spamassassin = false)")
    warning: tuple[str, ...] = ()
    if spamd:
        command = spamc_command(spamd, len(eml))
        done: subprocess.CompletedProcess[bytes] | None = None
        try:
            done = run_tied(command, eml, timeout) if command is not None else None
        except (OSError, subprocess.TimeoutExpired) as exc:
            why = f"spamc did not finish: {exc}"
        else:
            why = "spamc is not installed (apt-get install spamc)" if done is None else _failure(done)
        if done is not None and done.returncode == 0 and spam_score(done.stdout) is not None:
            return _scored(done.stdout, (f"checked by spamc via {spamd}",))
        warning = (f"warning: spamd at {spamd} was not used ({why}): checked by spamassassin instead",)
    binary = shutil.which("spamassassin")
    if binary is None:
        return Check("spamassassin", "not checked", "not installed (apt-get install spamassassin)", warning)
    by = (*warning, "checked by spamassassin")
    ahead = take_ahead()
    if ahead is not None:
        try:
            early = run_ahead(ahead, eml, timeout)
        except subprocess.TimeoutExpired as exc:
            return Check("spamassassin", "not checked", f"spamassassin did not finish: {exc}", warning)
        if early.returncode == 0 and spam_score(early.stdout) is not None:
            return _scored(early.stdout, by)
    try:
        lower = ["nice", "-n", str(nice)] if nice and shutil.which("nice") else []
        done = run_tied([*lower, binary, *SPAMASSASSIN_ARGS], eml, timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Check("spamassassin", "not checked", f"spamassassin did not finish: {exc}", warning)
    if spam_score(done.stdout) is None:
        why = "gave no X-Spam-Status header" if done.returncode == 0 else f"failed: {_failure(done)}"
        return Check("spamassassin", "not checked", f"spamassassin {why}", warning)
    return _scored(done.stdout, by)


def _failure(done: subprocess.CompletedProcess[bytes]) -> str:
    """Why a tool gave no answer, in words: killed by a signal, or its exit status and last error line."""
    if done.returncode < 0:
        return f"killed by signal {-done.returncode}"
    said = done.stderr.decode("utf-8", "replace").strip().splitlines()
    return f"exit {done.returncode}" + (f", {said[-1][:200]}" if said else "")


def _scored(output: bytes, details: tuple[str, ...]) -> Check:
    score = spam_score(output)
    assert score is not None
    status_header = re.search(rb"X-Spam-Status:([^\r\n]*(?:\r?\n[ \t]+[^\r\n]*)*)", output)
    unfolded = re.sub(r"\s+", " ", status_header.group(1).decode("ascii", "replace")) if status_header else ""
    rules = re.search(r"tests=(\S*)", re.sub(r",\s+", ",", unfolded))
    hits = rules.group(1).replace(",", ", ") if rules else ""
    status: Status = "error" if score >= SPAM_ERROR else "warning" if score >= SPAM_WARN else "ok"
    return Check("spamassassin", status, f"score {score:.1f} (spam from {SPAM_ERROR}); rules: {hits or 'none'}",
                 details)


def pending_spam_check() -> Check:
    return Check("spamassassin", "pending", "SpamAssassin is checking this build (the hand-off waits for it)")


def spam_figure(check: Check) -> float | None:
    """The report's ``spam_score`` figure: the score a finished check found, else None."""
    match = re.match(r"score (-?[\d.]+)", check.summary)
    return float(match.group(1)) if match else None


def with_spam_check(report: dict[str, Any], check: Check) -> dict[str, Any]:
    """A report's JSON (``Report.to_json``) with its SpamAssassin check replaced by ``check``: the same
    JSON a build that ran the check itself writes."""
    checks = [check.to_json() if c.get("name") == check.name else c for c in report.get("checks", [])]
    figures = {**report.get("figures", {}), "spam_score": spam_figure(check)}
    return {**report, "checks": checks, "figures": dict(sorted(figures.items()))}


def spam_score(output: bytes) -> float | None:
    match = re.search(rb"X-Spam-Status: \w+, score=(-?[\d.]+)", output)
    return float(match.group(1)) if match else None


def presend_report(html: str, merge_tags: Iterable[str], site_host: str, eml: bytes | None, mailer: str,
                   delivery: str, spamassassin: bool = True, merge_tags_line: str | None = None,
                   spam_pending: bool = False, spamd: str | None = None) -> Report:
    """``merge_tags_line``: who substitutes the merge tags (``EmailSettings.describe_merge_tags``);
    ``spam_pending``: SpamAssassin is left to run later (``pending_spam_check``) when it is on;
    ``spamd``: the spamd to ask (``spam_check``). SpamAssassin checks while the HTML checks run."""
    spam = None
    if eml is not None and not (spam_pending and spamassassin):
        spam = _meanwhile(lambda: spam_check(eml, spamassassin, spamd=spamd))
    checks, figures = html_checks(html, merge_tags, site_host)
    if merge_tags_line is not None:  # the build stopped already if a tag is left for nobody
        checks.insert(0, Check("merge tags", "ok", merge_tags_line))
    if eml is None:
        checks += [Check("list-unsubscribe", "not checked", "no .eml beside the HTML"),
                   Check("spamassassin", "not checked", "no .eml beside the HTML")]
    else:
        scored = spam() if spam is not None else pending_spam_check()
        checks += [unsubscribe_check(eml, mailer, delivery), scored]
        figures["spam_score"] = spam_figure(scored)
    return Report(tuple(checks), figures)


def _meanwhile(work: Callable[[], Check]) -> Callable[[], Check]:
    """Start ``work`` on a thread now; the function returned waits for its result (or its exception)."""
    done: list[Check] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            done.append(work())
        except BaseException as exc:  # handed to the waiting caller, never lost on the thread
            failed.append(exc)

    thread = threading.Thread(target=run, name="spamassassin", daemon=True)
    thread.start()

    def result() -> Check:
        thread.join()
        if failed:
            raise failed[0]
        return done[0]
    return result
