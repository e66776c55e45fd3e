"""The built-in email templates, shipped inside the package (the top-level ``templates/`` folder)."""
