"""Stage 1, collect: fetch feeds and article pages over HTTP and keep them in the store.

``collector.run_collect`` is the entry point; ``fetch`` is the HTTP client (timeouts, size
caps, conditional GET), ``feeds`` parses feed bytes into entries, ``pages`` fetches review
pages for their scores.
"""
