"""The exception tree. Every error a user can cause derives from DigestError.

The CLI catches DigestError and prints ``str(error)``: the message is written
for an editor, not a developer, and must name what failed and why.

    DigestError
    ├── ConfigError        bad or missing config (file, key, line)
    ├── StoreError         the SQLite store cannot be opened, migrated or written
    │   └── StoreFullError the disk (or a file-size limit) refused a write; nothing was lost
    ├── LockError          another run holds the store
    ├── ThinWeekError      too few scored reviews to make a good issue
    ├── LintError          the built email breaks a rule mail clients need
    ├── DeliveryError      the hand-off to the mailing service failed
    ├── ArchiveError       a path in the web archive folder digest will not write or delete
    ├── CollectError       every feed failed: the store could not be refreshed
    └── SourceError        one feed or page could not be used
        ├── FetchError     HTTP/network/file problem (timeout, 404, too big ...)
        └── FeedParseError the bytes are not a usable feed
"""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    """Why a feed or page could not be used, as a tag a program can test."""

    ERROR = "error"  # nothing more specific
    # fetching
    BAD_URL = "bad-url"
    DNS = "dns"
    CONNECT = "connect"
    TLS = "tls"
    TIMEOUT = "timeout"
    HTTP = "http"  # an error status; SourceError.status holds it
    REDIRECTS = "redirects"
    TOO_BIG = "too-big"
    DECODING = "decoding"
    PROTOCOL = "protocol"
    NETWORK = "network"
    NOT_FOUND = "not-found"  # a file: feed
    OFF_SITE = "off-site"  # an address from content that is not one of the site's origins
    INTERNAL_ADDRESS = "internal-address"  # reached an internal address the site is not on
    IO = "io"
    # parsing
    EMPTY = "empty"
    HTML = "html"
    NOT_A_FEED = "not-a-feed"
    CRASH = "crash"


class DigestError(Exception):
    """Root of every user-facing error; the message is shown as is."""


class ConfigError(DigestError):
    """The config file is missing, is not TOML, or holds a bad value."""


class UsageError(DigestError):
    """A command-line choice that cannot mean anything (a pin of an unknown URL, position 0)."""


class StoreError(DigestError):
    """The store cannot be opened, migrated or written."""


class StoreFullError(StoreError):
    """No room to write the store (full disk, quota, file-size limit): the write was rolled back.

    A class of its own because the cure is outside digest (free space) and a wrapper script
    may want to tell it apart: the CLI exits with its own code.
    """


class LockError(DigestError):
    """Another digest process is working on the same store."""


class ThinWeekError(DigestError):
    """Too few scored reviews this week; the build stops instead of sending a sad email."""


class LintError(DigestError):
    """The built email breaks a rule (size, links, images ...); nothing is written."""


class DeliveryError(DigestError):
    """Sending or posting the issue failed; it stays built but undelivered."""


class ApprovalError(DigestError):
    """A move of an issue's state that its state, the config's roles or another editor's move refuses."""


class ArchiveError(DigestError):
    """A path in the archive folder digest will not use (a symbolic link, a path leading outside)."""


class CollectError(DigestError):
    """Every feed failed, so a run will not build the week from a store it could not refresh."""


class SourceError(DigestError):
    """A feed or page could not be used: ``kind`` says why; ``status`` is the HTTP status, if any."""

    def __init__(self, message: str, *, kind: ErrorKind = ErrorKind.ERROR, status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status


class FetchError(SourceError):
    """Fetching failed: network, HTTP status, size or time limit."""


class FeedParseError(SourceError):
    """The fetched bytes are not a feed we can read (HTML page, garbage ...)."""
