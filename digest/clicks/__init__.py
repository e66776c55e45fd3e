"""Reader clicks: a mailing service's per-link counts mapped back to the issue's picks, stored and reported.

Aggregates only: no person (address, subscriber id, hash) is ever kept or shown.
"""
