"""Every size of a review's lead image that WordPress publishes, so the email can choose.

WordPress writes resized copies beside an upload ("moon-300x169.jpg",
"moon-1024x576.jpg" next to "moon.jpg") and lists them in ``srcset``; feeds
name some in ``media:content``/``media:thumbnail``. The email then takes the
smallest copy at least twice as wide as it shows the picture.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from lxml import etree

from digest.models import ImageHint
from digest.reviews.document import Document
from digest.reviews.lead_image import _content_images, _https_url

# WordPress names resized copies "<name>-<w>x<h>.<ext>" beside the original "<name>.<ext>".
_SIZED = re.compile(r"-(\d{2,5})x(\d{2,5})(\.[A-Za-z0-9]{2,5})$")


def _original(url: str) -> str:
    """The URL with WordPress's size suffix removed: the key that ties a picture's sizes together."""
    path = url.split("?", 1)[0]
    sized = _SIZED.search(path)  # what _SIZED.sub(r"\3", path) gives, without expanding a template per call
    return path if sized is None else path[: sized.start()] + sized.group(3) + path[sized.end() :]


def _srcset(img: etree._Element) -> Iterator[ImageHint]:
    for candidate in (img.get("srcset") or "").split(","):
        parts = candidate.split()
        if len(parts) == 2 and parts[1].endswith("w") and parts[1][:-1].isdigit():
            yield ImageHint(parts[0], "srcset", int(parts[1][:-1]), None)


def image_sizes(
    lead: ImageHint | None, images: Sequence[ImageHint], content: Document | str, base_url: str
) -> tuple[ImageHint, ...]:
    """Every known size of the lead image with a width, smallest first (the lead itself included).

    Sizes come from the feed's media elements, the content's ``<img>`` and its ``srcset``;
    a width or height missing from them is read from a ``-300x169.jpg`` style name.
    """
    if lead is None:
        return ()
    key = _original(lead.url)
    found = [lead, *images]
    document = Document(content) if isinstance(content, str) else content
    if document.root is not None:
        for img in document.root.iter("img"):
            found.extend(_srcset(img))
        found.extend(_content_images(document))
    sizes: dict[str, ImageHint] = {}
    for hint in found:
        url = _https_url(hint.url, base_url)
        if url is None or _original(url) != key or url in sizes:
            continue
        width, height = hint.width, hint.height
        named = _SIZED.search(url.split("?", 1)[0])
        if named and (width is None or height is None):
            width, height = int(named.group(1)), int(named.group(2))
        if width:
            sizes[url] = ImageHint(url, hint.source, width, height)
    return tuple(sorted(sizes.values(), key=lambda h: h.width or 0))
