"""The six mailing services' fakes, driven by their vendored API descriptions (see base and services)."""

from __future__ import annotations

from helpers.fakes.base import KEY, LIST, LIVE, Failure, Fake
from helpers.fakes.services import (
    BrevoFake,
    ButtondownFake,
    KitFake,
    ListmonkFake,
    MailchimpFake,
    MailerliteFake,
)

__all__ = ["AFTER_CREATE", "FAKES", "KEY", "LIST", "LIVE", "Failure", "Fake"]

FAKES: dict[str, type[Fake]] = {
    f.name: f for f in (MailchimpFake, ButtondownFake, KitFake, ListmonkFake, BrevoFake, MailerliteFake)
}
# The request right after "create" in a first run: where a crash or a stall leaves a half-made draft.
AFTER_CREATE = {
    "mailchimp": "fill",
    "buttondown": "get",
    "kit": "get",
    "listmonk": "get",
    "brevo": "get",
    "mailerlite": "get",
}
