"""The hand-off to a mailing service: the issue's draft exactly once (campaign), the editors' draft-ready
notice (notify) and what ``digest check`` says of it (describe). The services themselves, one module each,
are :mod:`digest.services`."""
