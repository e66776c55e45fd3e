"""Mailing services: the issue arrives as a draft campaign to approve (one small module per service)."""
