"""``[approval]``: who may submit and approve an issue before it is handed off.

The people are named here, never in an issue file or a request: a name is how the CLI's ``--as``
and the desk say who acts, and the e-mail address is where the next person's notice goes. Names
and addresses become mail headers, so they are checked like every other address in the config.
"""

from __future__ import annotations

from email.utils import parseaddr
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from digest.mailers import address_fault

Role = Literal["editor", "approver"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Person(_Strict):
    """One member of the team: an editor submits an issue for review; an approver approves or sends back."""

    name: str = Field(min_length=1, max_length=100)
    email: str
    roles: list[Role] = Field(min_length=1)

    @field_validator("name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        fault = address_fault(value) or ("has a comma, quote or angle bracket in it" if any(
            c in value for c in ',"<>') else None)
        if fault:
            raise ValueError(f"{value!r} {fault}")
        if value != value.strip():
            raise ValueError(f"{value!r} starts or ends with a space")
        return value

    @field_validator("email")
    @classmethod
    def _address(cls, value: str) -> str:
        fault = address_fault(value)
        if fault:
            raise ValueError(f"{value!r} {fault}")
        name, addr = parseaddr(value)
        local, at, domain = addr.partition("@")
        if name or addr != value.strip() or not at or not local or "." not in domain or " " in value.strip():
            raise ValueError(f"{value!r} is not an email address (write it bare, like \"ana@example.com\")")
        return addr

    def has(self, role: Role) -> bool:
        return role in self.roles


class ApprovalSettings(_Strict):
    """Approval before hand-off. Off by default: an issue is handed off as soon as it is built."""

    required: bool = False
    # The person who submitted an issue may not approve it; default: on when approval is required.
    separate_approver: bool | None = None
    people: list[Person] = []

    @field_validator("people")
    @classmethod
    def _unique(cls, people: list[Person]) -> list[Person]:
        seen: set[str] = set()
        for person in people:
            key = person.name.casefold()
            if key in seen:
                raise ValueError(f"a second person called {person.name!r}: each name says who acted, "
                                 "so names must differ")
            seen.add(key)
        return people

    @model_validator(mode="after")
    def _someone_approves(self) -> ApprovalSettings:
        approvers = [p for p in self.people if p.has("approver")]
        if self.required and not approvers:
            raise ValueError("required = true but no approver: list at least one person with "
                             'roles = ["approver"] in [approval] people')
        return self

    @property
    def separate(self) -> bool:
        """Whether a submitter may not approve their own submission."""
        return self.required if self.separate_approver is None else self.separate_approver

    def person(self, name: str) -> Person | None:
        return next((p for p in self.people if p.name == name), None)
