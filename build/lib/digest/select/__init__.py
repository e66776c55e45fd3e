"""Stage 3, select: the week's top-scored and trending reviews, each with its reasons.

``selection`` gathers candidates and picks; ``trending`` scores comment growth, the site's
list and analytics; ``editor`` applies pins, drops and the note; ``analytics`` reads CSV exports.
"""
