"""The store: one SQLite file (WAL, versioned migrations) and the lock beside it.

``database.Store`` is the only code that speaks SQL; ``schema`` holds the migrations;
``lock.StoreLock`` keeps two runs off one store.
"""
