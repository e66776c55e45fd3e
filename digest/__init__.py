"""digest: a review site's weekly newsletter, built from its feeds.

The pipeline, one module per stage: collect → reviews → select → render →
inline → output. The public surface is the error tree and the records that
pass between stages; the CLI (``digest.cli.main``) is a thin layer over it.
"""

from digest.errors import (
    ConfigError,
    DigestError,
    FeedParseError,
    FetchError,
    LockError,
    SourceError,
    StoreError,
)

__all__ = [
    "ConfigError",
    "DigestError",
    "FeedParseError",
    "FetchError",
    "LockError",
    "SourceError",
    "StoreError",
]
__version__ = "0.1.0"
# How digest names itself in every request (feeds, pages, services, webhooks): here, so the config can
# default to it without loading the HTTP client.
USER_AGENT = "digest/0.1 (newsletter digest builder; +https://github.com/digest-newsletter/digest)"
