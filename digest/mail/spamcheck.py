"""SpamAssassin's process for the pre-send report, kept off the run's wall time.

Most of a SpamAssassin check is its start: Perl loads Mail::SpamAssassin and compiles every rule (about
1.2 s), and the ``spamassassin`` script does that only after it has read the whole message from stdin.
So a run starts, ahead of need (``started_ahead``, around the collect and the build), the same library
with the same options the script passes for ``spamassassin -L -t``, told to compile its rules first and
then wait for the .eml on stdin. When the .eml exists the check takes a fraction of a second, and the
report's other checks run meanwhile (``SpamRun``). The options are read from the installed script
itself (its build-time paths), so both score with the same rules; when they cannot be read, or a check
started ahead fails, the plain ``spamassassin -L -t`` runs instead.

With ``[email] spamd`` naming the editor's spamd (``host:port`` or a unix socket path), ``spamc`` asks it
(a second of Perl start saved on every build); spamd unreachable: SpamAssassin itself, with a warning.

``digest schedule`` starts a build's check a little before the build job fires (``park``): the job's tick
takes it, or stops it when it has no use for it, and the scheduler stops it when it stops.

Every process here is started tied to this one (digest.mail.child): a run killed by any signal, or
ending before it used a check started ahead, leaves none behind.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from digest.mail.child import finish_tied, start_tied, stop_tied

if TYPE_CHECKING:  # a command starts SpamAssassin before its config's models (pydantic) are loaded
    from digest.settings.config import Config

SPAMASSASSIN_ARGS = ("-L", "-t")  # offline (no network tests), test mode (no auto-learning)
SPAMC_CONNECT = 2  # seconds to reach spamd before falling back on spamassassin

# The spamassassin script's ``new`` for ``-L -t`` (test mode turns off auto-welcomelist and auto-learn),
# but with ``compile_now`` (as spamd does) before the message is read; then its ``wanted``'s check. Once
# the answer is out it leaves at once: freeing its objects and Perl's teardown of its heap (about 30 ms,
# which the run would wait for) write nothing in test mode.
# argv: the script's library path, PREFIX, DEF_RULES_DIR, LOCAL_RULES_DIR, LOCAL_STATE_DIR.
_DRIVER = r"""
use strict;
use warnings;
my @paths;
BEGIN { @paths = map { /\A([^\0]*)\z/ ? $1 : die "bad path\n" } @ARGV; unshift @INC, $paths[0]; }
use POSIX qw(locale_h);
use Mail::SpamAssassin;
POSIX::setlocale(LC_TIME, 'C');
my $sa = Mail::SpamAssassin->new({
  local_tests_only => 1, dont_copy_prefs => 0, pre_config_text => "\n", post_config_text => "\n",
  require_rules => 1, PREFIX => $paths[1], DEF_RULES_DIR => $paths[2], LOCAL_RULES_DIR => $paths[3],
  LOCAL_STATE_DIR => $paths[4],
});
$sa->{conf}->{use_auto_welcomelist} = 0;
$sa->{conf}->{bayes_auto_learn} = 0;
$sa->compile_now(1);
binmode STDIN; binmode STDOUT;
my ($str, $buf, $n) = ('');
while ($n = sysread(STDIN, $buf, 32768)) { $str .= $buf; }
defined $n or die "error reading from STDIN: $!\n";
my @msg = split(/^/m, $str, -1);
$sa->timer_reset;
my $mail = $sa->parse(\@msg);
my $status = $sa->check($mail);
print $status->rewrite_mail() or die "error writing: $!\n";
print $status->get_report() or die "error writing: $!\n";
close STDOUT or die "error closing STDOUT: $!\n";
close STDERR;
POSIX::_exit(0);
"""
_SCRIPT_VARS = ("PREFIX", "DEF_RULES_DIR", "LOCAL_RULES_DIR", "LOCAL_STATE_DIR")


def driver_command(binary: str) -> list[str] | None:
    """The command that checks as ``binary -L -t`` does with its rules compiled before reading the .eml;
    None when ``binary`` is not the Perl script SpamAssassin installs (its paths cannot be read)."""
    try:
        head = Path(binary).read_bytes()[:16384].decode("utf-8", "replace")
    except OSError:
        return None
    shebang = re.match(r"#!(/\S*perl\S*)((?: -[A-Za-z]+)*)\s*\n", head)
    found = {name: re.search(rf"^my \${name}\s*=\s*'([^'\n]+)';", head, re.M) for name in _SCRIPT_VARS}
    lib = re.search(r"^use lib '([^'\n]+)';", head, re.M)
    if shebang is None or lib is None or any(m is None for m in found.values()):
        return None
    values = [lib.group(1), *(m.group(1) for m in found.values() if m is not None)]
    return [shebang.group(1), *shebang.group(2).split(), "-e", _DRIVER, *values]


def spamc_command(spamd: str, size: int) -> list[str] | None:
    """``spamc`` asking ``spamd`` (``host:port`` or a socket path) for the rewritten message; it fails
    (no safe fallback, ``-x``) rather than hand the message back unchecked. None: spamc is not installed."""
    binary = shutil.which("spamc")
    if binary is None:
        return None
    where = ["-U", spamd] if spamd.startswith("/") else ["-d", spamd.rpartition(":")[0].strip("[]"),
                                                          "-p", spamd.rpartition(":")[2]]
    return [binary, "-x", *where, "-n", str(SPAMC_CONNECT), "--connect-retries=1", "-s", str(max(size + 4096,
                                                                                            512000))]


# -- checks started ahead ------------------------------------------------------------------------------

_lock = threading.Lock()
_waiting: list[subprocess.Popen[bytes]] = []  # started ahead, rules compiling or compiled, stdin unread
_wanted = 0  # how many more a run will use (one per edition)
_depth = 0  # started_ahead blocks open
_started: list[int] = []  # every pid started ahead (the tests watch them)


def _start_one() -> None:
    binary = shutil.which("spamassassin")
    command = driver_command(binary) if binary is not None else None
    if command is None:
        return
    try:
        process = start_tied(command)
    except OSError:
        return
    _waiting.append(process)
    _started.append(process.pid)


@contextmanager
def started_ahead(count: int = 1) -> Iterator[None]:
    """Start SpamAssassin now for the ``count`` checks a run will make (editions with the check on and no
    spamd named: spamc is quick to start); whatever is left unused when the block ends (the run stopped
    before its .eml, a thin week, an error) is stopped and reaped. Inside another such block the inner
    count, the better informed, decides: the command starts one from its config file before the models
    load (digest.settings.early), the validated config and then the run (which editions are built
    already) correct it. A check no longer wanted is stopped at once; a missing one is started."""
    global _wanted, _depth
    surplus: list[subprocess.Popen[bytes]] = []
    with _lock:
        _depth += 1
        _wanted = max(count, 0)
        if len(_waiting) > _wanted:
            surplus = _waiting[_wanted:]
            del _waiting[_wanted:]
        elif _wanted > 0 and not _waiting:
            _start_one()
    for process in surplus:
        stop_tied(process)
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            left = _waiting[:] if _depth == 0 else []
            if _depth == 0:
                _wanted = 0
                _waiting.clear()
        for process in left:
            stop_tied(process)


def park(count: int) -> None:
    """Start now, outside any run, the first of ``count`` checks a run is about to make, and leave it
    waiting: ``digest schedule`` does so a little before its build job fires, so the rules are compiled
    before the job starts. The next ``started_ahead`` block takes it (a build) or stops it (a block that
    wants none); :func:`stop_parked` stops it. Inside a block (a run is on) this does nothing."""
    surplus: list[subprocess.Popen[bytes]] = []
    with _lock:
        if _depth > 0:
            return
        wanted = min(max(count, 0), 1)  # one compiles at a time; a run starts the next as it takes one
        surplus = _waiting[wanted:]
        del _waiting[wanted:]
        if wanted and not _waiting:
            _start_one()
    for process in surplus:
        stop_tied(process)


def stop_parked() -> None:
    """Stop whatever :func:`park` left waiting (the scheduler is stopping); inside a block, nothing."""
    park(0)


def ahead_count(editions: Sequence[Config]) -> int:
    """How many checks started ahead ``editions`` may use: those with SpamAssassin on and no spamd."""
    return sum(1 for e in editions if e.email.spamassassin and not e.email.spamd)


def take_ahead() -> subprocess.Popen[bytes] | None:
    """A SpamAssassin started ahead, if one waits; the next edition's is started at once."""
    global _wanted
    with _lock:
        if not _waiting:
            return None
        process = _waiting.pop(0)
        _wanted = max(0, _wanted - 1)
        if _wanted > 0 and not _waiting:
            _start_one()
        return process


def started_pids() -> tuple[int, ...]:
    return tuple(_started)


def waiting_pids() -> tuple[int, ...]:
    with _lock:
        return tuple(p.pid for p in _waiting)


def run_ahead(process: subprocess.Popen[bytes], eml: bytes,
              timeout: float) -> subprocess.CompletedProcess[bytes]:
    """Hand a check started ahead its .eml and wait for its answer (``subprocess.TimeoutExpired`` as
    ``run_tied``); the process is reaped however it ends."""
    return finish_tied(process, ["spamassassin", *SPAMASSASSIN_ARGS], eml, timeout)
