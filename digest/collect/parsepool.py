"""Where a collect parses its feeds: forked worker processes, or a thread.

Kept apart from :mod:`digest.collect.feeds` so that importing the pool does not import feedparser.
A collect that parses on workers forks them before feedparser (and chardet, which it loads) is
imported; each worker imports the parser itself, after the fork, so the collect's own process
never holds it (about 5 MB of its peak memory, issue 23; the workers import it in parallel while
the collect fetches). A collect that parses on a thread loads it on its first parse.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from digest.errors import ErrorKind, FeedParseError
from digest.mail.child import die_with_parent
from digest.models import ParsedFeed

ParseFunction = Callable[[bytes, Mapping[str, str], str], ParsedFeed]
T = TypeVar("T")


def parse_workers(feeds: int) -> int:
    """Worker processes for a collect of ``feeds`` feeds: one per usable core; 0 (a thread) for one
    feed or one core, and off Linux, where this module does not fork."""
    if not sys.platform.startswith("linux"):
        return 0
    workers = min(feeds, len(os.sched_getaffinity(0)))
    return workers if workers >= 2 else 0


def _parse_in_worker(content: bytes, headers: Mapping[str, str], url: str) -> ParsedFeed:
    from digest.collect import feeds  # loaded here, in the worker (or the parsing thread)

    return feeds.parse_feed(content, headers, url)  # looked up per call, so a test's stand-in is used


def _ready() -> None:
    """A no-op task, submitted to start a fork pool's workers at once."""


def _start_worker(parent: int) -> None:
    """Runs first in every worker: die with the collect, and leave Ctrl-C to it."""
    # Ctrl-C reaches the whole process group; the collect answers it by shutting the pool down.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()  # the kernel kills this worker the moment the collect dies, even by SIGKILL
    if os.getppid() != parent:  # it died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="parent-watch", daemon=True).start()
    import digest.collect.feeds  # noqa: F401  the parser, loaded after the fork, before the first feed


def _watch_parent(parent: int) -> None:
    """Fallback for the death signal: a worker never outlives its collect for long."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


class ParsePool:
    """Where one collect runs :func:`parse_feed`: on worker processes, or on a thread.

    feedparser is pure Python. On threads, parses share one core and hold the GIL
    the event loop needs to fetch and store (every sqlite call then waits up to a
    switch interval to get it back). Worker processes parse beside the loop and on
    every core; the frozen ParsedFeed comes back pickled, equal to a local call.

    Workers are forked, and only when it is safe: on Linux, from a process with a
    single thread (the CLI), all at once when the pool is made, before any request
    has started. Elsewhere (a scheduler's thread, several threads) parsing stays on
    a thread, as before: fork with threads can deadlock, and spawned workers re-import
    the main module, which costs as much as they save on a collect. A worker dies
    with its collect (Linux death signal), so a killed run leaves no process behind.

    A worker that dies mid-parse (killed, out of memory, a crash in C code) breaks
    the pool and every parse queued on it. The pool is replaced, and each of those
    feeds is parsed again alone in a fresh process: only the feed that crashes again
    fails, with a FeedParseError of kind ``crash``; the others come back as usual.
    """

    def __init__(self, workers: int, parse: ParseFunction = _parse_in_worker) -> None:
        self.workers = workers
        self._parse = parse
        self._pool: ProcessPoolExecutor | None = None
        self._retries = asyncio.Semaphore(max(workers, 1))
        if workers > 0 and threading.active_count() == 1:
            try:
                self._pool = self._new_pool(workers)
            except OSError:  # no process to be had (a limit on processes or memory): use a thread
                self._pool = None

    @classmethod
    def for_feeds(cls, count: int) -> ParsePool:
        return cls(parse_workers(count))

    @property
    def in_processes(self) -> bool:
        return self._pool is not None

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    async def parse(self, content: bytes, headers: Mapping[str, str], url: str) -> ParsedFeed:
        pool = self._pool
        if pool is None:
            return await asyncio.to_thread(self._parse, content, headers, url)
        loop = asyncio.get_running_loop()
        plain = dict(headers)
        try:
            return await loop.run_in_executor(pool, self._parse, content, plain, url)
        except BrokenProcessPool:
            if self._pool is pool:
                pool.shutdown(wait=False, cancel_futures=True)
                try:
                    self._pool = self._new_pool(self.workers)
                except OSError:
                    self._pool = None
        async with self._retries:
            try:
                alone = self._new_pool(1)
            except OSError as exc:
                raise FeedParseError(f"the feed parser crashed, and could not be restarted: {exc}",
                                     kind=ErrorKind.CRASH) from None
            try:
                return await loop.run_in_executor(alone, self._parse, content, plain, url)
            except BrokenProcessPool:
                raise FeedParseError(
                    "the feed parser crashed on this feed (out of memory, or a bug in a parser library)",
                    kind=ErrorKind.CRASH,
                ) from None
            finally:
                alone.shutdown(wait=False)

    def submit(self, work: Callable[..., T], *args: object) -> asyncio.Future[T] | None:
        """``work(*args)`` sent to a worker now; None when there is no worker pool or it is broken. The
        future's exception (a broken pool, an error in ``work``) tells the caller to do that work itself."""
        pool = self._pool
        if pool is None:
            return None
        try:
            return asyncio.get_running_loop().run_in_executor(pool, work, *args)
        except (BrokenProcessPool, RuntimeError):  # RuntimeError: the pool was shut down
            return None

    @staticmethod
    def _new_pool(workers: int) -> ProcessPoolExecutor:
        """Forked workers when this process has one thread; else (replacing a crashed pool,
        whose threads may still run) spawned ones, slower to start but safe."""
        method = "fork" if threading.active_count() == 1 else "spawn"
        pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context(method),
            initializer=_start_worker, initargs=(os.getpid(),),
        )
        if method == "fork":
            pool.submit(_ready)  # forks every worker now, while this is the only thread
        return pool
