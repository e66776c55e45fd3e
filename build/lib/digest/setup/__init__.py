"""``digest init``: look at a site and write its config (discover → propose → writer)."""
