"""Sample values for the merge tags in the preview, so an editor judges the email as readers get it.

The built files keep their tags (the mailing service fills them in at send time); only the preview
page swaps them, and it can show them as typed too. A reader never sees ``*|LIST:ADDRESSLINE|*``:
an editor looking at the design should not either, unless they ask to.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

# What each kind of tag stands for in the preview. Links point nowhere on purpose: a click in the
# preview must not unsubscribe anyone or open a page the service has not made yet.
SAMPLE_UNSUBSCRIBE = "#sample-unsubscribe-link"
SAMPLE_VIEW_ONLINE = "#sample-web-version-link"
SAMPLE_ADDRESS = "{name}, 123 Main Street, Springfield, IL 62701 (sample address)"


def sample_values(unsubscribe: str | None, view_online: str | None, address: str | None,
                  site_name: str) -> dict[str, str]:
    """Tag -> what the preview shows in its place; only the given values that are tags count."""
    pairs = ((unsubscribe, SAMPLE_UNSUBSCRIBE), (view_online, SAMPLE_VIEW_ONLINE),
             (address, SAMPLE_ADDRESS.format(name=site_name)))
    return {tag: value for tag, value in pairs if tag}


def with_samples(text: str, samples: Mapping[str, str], *, markup: bool = True) -> str:
    """``text`` (the HTML part, or the plain text with ``markup=False``) with each tag swapped for its
    sample; the tag may stand as typed or HTML-escaped (``&amp;`` in an address tag)."""
    for tag, value in sorted(samples.items(), key=lambda item: -len(item[0])):  # the longest first
        shown = html.escape(value, quote=True) if markup else value
        text = text.replace(tag, shown)
        if markup and html.escape(tag, quote=True) != tag:
            text = text.replace(html.escape(tag, quote=True), shown)
    return text
