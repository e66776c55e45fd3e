"""Config for the weekly job: the schedule and the hand-off. (``[schedule]``, ``[delivery]``)"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ScheduleSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DeliverySettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
