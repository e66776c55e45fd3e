"""The six mailing-service fakes by name, and where a first run's half-made draft can be interrupted."""

from __future__ import annotations

from fake_service_base import KEY, LIST, Failure, Fake
from fake_services_hosted import ButtondownFake, KitFake, MailchimpFake
from fake_services_more import BrevoFake, ListmonkFake, MailerliteFake

__all__ = ["AFTER_CREATE", "FAKES", "KEY", "LIST", "Failure", "Fake"]

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
