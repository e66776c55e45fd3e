"""Test helpers: a WordPress-shaped feed builder, a threaded local HTTP server, config files."""
