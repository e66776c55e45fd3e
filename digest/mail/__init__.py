"""Stage 4, mail: render the issue, inline its CSS, lint it, and write its files.

``render`` (Jinja2 templates) → ``inline`` (premailer) → ``lint`` → ``output`` (atomic
html/txt/eml/manifest); ``manifest`` is the issue's typed record; ``preview`` serves it.
"""
