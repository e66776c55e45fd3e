"""The fakes' old import path: tests import ``service_fakes``; the fakes live in ``helpers.fakes``."""

from __future__ import annotations

from helpers.fakes import AFTER_CREATE, FAKES, KEY, LIST, Failure, Fake

__all__ = ["AFTER_CREATE", "FAKES", "KEY", "LIST", "Failure", "Fake"]
