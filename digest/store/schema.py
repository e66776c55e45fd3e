"""The store's schema as ordered migrations; ``PRAGMA user_version`` counts those applied.

Append a new migration for every change; never edit one that has shipped, since
stores in the field have already applied it.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: feeds, entries, provenance, comment observations
    """
    CREATE TABLE feeds (
        url TEXT PRIMARY KEY,
        name TEXT NOT NULL DEFAULT '',
        etag TEXT,
        last_modified TEXT,
        last_attempt TEXT,
        last_success TEXT,
        last_error TEXT,
        last_error_at TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE entries (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        link TEXT NOT NULL,
        title TEXT NOT NULL,
        author TEXT,
        published TEXT NOT NULL,
        published_from_feed INTEGER NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        summary TEXT NOT NULL,
        content TEXT NOT NULL,
        comments INTEGER,
        images TEXT NOT NULL DEFAULT '[]',
        extras TEXT NOT NULL DEFAULT '{}',
        fingerprint TEXT NOT NULL
    );
    CREATE INDEX entries_published ON entries(published);
    CREATE INDEX entries_link ON entries(link);
    CREATE TABLE entry_feeds (
        entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
        feed_url TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        PRIMARY KEY (entry_id, feed_url)
    );
    CREATE TABLE entry_categories (
        entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
        category TEXT NOT NULL,
        PRIMARY KEY (entry_id, category)
    );
    CREATE TABLE comment_observations (
        entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
        observed_at TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (entry_id, observed_at)
    );
    CREATE INDEX observations_time ON comment_observations(observed_at);
    """,
    # 2: article pages, fetched once per review and cached
    """
    CREATE TABLE pages (
        url TEXT PRIMARY KEY,
        fetched_at TEXT NOT NULL,
        ok INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 1,
        etag TEXT,
        last_modified TEXT,
        body TEXT,
        error TEXT
    );
    """,
    # 3: built issues, their picks, deliveries, the site's trending list
    """
    CREATE TABLE issues (
        id TEXT PRIMARY KEY,
        built_at TEXT NOT NULL,
        window_start TEXT NOT NULL,
        window_end TEXT NOT NULL,
        subject TEXT NOT NULL,
        out_dir TEXT NOT NULL
    );
    CREATE TABLE issue_picks (
        issue_id TEXT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
        uid TEXT NOT NULL,
        link TEXT NOT NULL,
        kind TEXT NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (issue_id, uid)
    );
    CREATE TABLE deliveries (
        issue_id TEXT NOT NULL,
        method TEXT NOT NULL,
        delivered_at TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (issue_id, method)
    );
    CREATE TABLE trending_snapshots (
        observed_at TEXT NOT NULL,
        page_url TEXT NOT NULL,
        rank INTEGER NOT NULL,
        link TEXT NOT NULL,
        PRIMARY KEY (observed_at, page_url, rank)
    );
    """,
    # 4: draft campaigns in mailing services, one per issue and service, recorded the moment one exists
    """
    CREATE TABLE campaigns (
        issue_id TEXT NOT NULL,
        service TEXT NOT NULL,
        campaign_id TEXT NOT NULL,
        web_url TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL,
        remote_status TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        content_built_at TEXT,
        PRIMARY KEY (issue_id, service)
    );
    """,
    # 5: issues published to the web archive (an issue appears there only once published)
    """
    CREATE TABLE archive_published (
        issue_id TEXT PRIMARY KEY,
        published_at TEXT NOT NULL,
        how TEXT NOT NULL DEFAULT ''
    );
    """,
    # 6: each entry's analysis (score, TL;DR, lead image), kept until what it was read from
    # changes: ``key`` fingerprints the entry, its page body (``pages.body_hash``), the
    # settings that shape the analysis and the analysis version. Bodies cached before this
    # migration get a stand-in hash, so they are analysed once more, then kept. Two covering
    # indexes hold what a build reads of a week's entries and their pages: it never walks the
    # overflow pages of their HTML (which comes before these columns in the rows). The site's
    # trending page is fetched conditionally: an unchanged list costs a 304.
    """
    CREATE TABLE analyses (
        entry_id INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        score_value REAL,
        score_raw TEXT,
        score_scale TEXT,
        score_source TEXT,
        tldr TEXT NOT NULL,
        image_url TEXT,
        image_source TEXT,
        image_width INTEGER,
        image_height INTEGER
    );
    ALTER TABLE pages ADD COLUMN body_hash TEXT;
    UPDATE pages SET body_hash = 'before-v6:' || fetched_at || ':' || length(body) WHERE body <> '';
    CREATE INDEX trending_by_page ON trending_snapshots(page_url, observed_at);
    CREATE INDEX pages_state ON pages(url, ok, attempts, body_hash, error);
    CREATE INDEX entries_window ON entries(published, id, uid, link, title, author, comments, fingerprint,
                                           extras, images);
    DROP INDEX entries_published;
    CREATE TABLE trending_validators (
        page_url TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT
    );
    """,
    # 7: every known size of the lead image (WordPress srcset, -300x169 names, media sizes) as JSON
    # [[url, source, width, height], ...], so the email picks the smallest sharp enough; analyses
    # from before it are read again once (the analysis version moved to 2).
    """
    ALTER TABLE analyses ADD COLUMN image_sizes TEXT NOT NULL DEFAULT '[]';
    """,
    # 8: a build with --now leaves out entries first seen after it, so the week's covering index
    # holds first_seen too: a build still never walks the overflow pages of an entry's HTML.
    """
    DROP INDEX entries_window;
    CREATE INDEX entries_window ON entries(published, id, uid, link, title, author, first_seen, comments,
                                           fingerprint, extras, images);
    """,
    # 9: why a post that shows scores has none of its own (a ranked list, a round-up): the editor
    # reads it in ``digest reviews``. Analyses from before it are read again once (analysis version 4).
    """
    ALTER TABLE analyses ADD COLUMN unscored_reason TEXT;
    """,
    # 10: each issue's moves through its states (draft, in review, approved, handed off): who, when (UTC),
    # their comment and which build they saw; the last move is the state, none is a draft.
    """
    CREATE TABLE issue_states (
        issue_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        action TEXT NOT NULL,
        state TEXT NOT NULL,
        by TEXT NOT NULL,
        at TEXT NOT NULL,
        comment TEXT NOT NULL DEFAULT '',
        built_at TEXT,
        PRIMARY KEY (issue_id, seq)
    );
    """,
    # 11: readers' clicks per issue, as a mailing service (or the site's analytics) counted them: per
    # pick (review uid, with its place, section, kind and score in the issue) or "other" link, per
    # source, replaced whole on each fetch. Aggregates only: no column can hold a person.
    """
    CREATE TABLE issue_clicks (
        issue_id TEXT NOT NULL,
        source TEXT NOT NULL,
        link TEXT NOT NULL,
        review_uid TEXT,
        position INTEGER,
        section TEXT,
        kind TEXT,
        score REAL,
        unique_clicks INTEGER,
        total_clicks INTEGER,
        delivered INTEGER,
        period_start TEXT NOT NULL,
        period_end TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        PRIMARY KEY (issue_id, source, link)
    );
    """,
)
