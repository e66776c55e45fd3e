"""Files served over HTTP on 127.0.0.1 by a child process (``python -m http.server``).

For tests of code that forks: a server thread in the test's own process would make it a process with
threads, where digest does not fork (digest.collect.forked.can_fork), and a fork would copy whatever
lock that thread held.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path


class StaticServer:
    """``folder`` served at ``http://127.0.0.1:<port>/`` until the block ends."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.process: subprocess.Popen[str] | None = None
        self.port = 0

    def __enter__(self) -> StaticServer:
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory",
             str(self.folder)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.process.stdout is not None
        found = re.search(r" port (\d+) ", self.process.stdout.readline())
        if found is None:
            self.__exit__()
            raise RuntimeError("the static file server did not start")
        self.port = int(found.group(1))
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            if self.process.stdout is not None:
                self.process.stdout.close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"
