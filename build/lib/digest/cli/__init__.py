"""The ``digest`` command line: a thin translator from the core to messages and exit codes.

One module per group of commands; each command imports the stages it uses inside its body,
so ``digest --help`` loads only click.
"""

from digest.cli.main import main

__all__ = ["main"]
