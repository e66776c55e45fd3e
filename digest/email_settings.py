"""Config for the email: branding, templates, mailer merge tags, links. (``[email]``)"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class EmailSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
