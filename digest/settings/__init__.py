"""Settings: the TOML config, validated on load (site, feeds, collect, reviews, select, email, job).

``config`` holds the root model and loader; ``email`` the ``[email]`` table; ``job`` the
``[schedule]`` and ``[delivery]`` tables. Nothing here does I/O beyond reading the config file.
"""
