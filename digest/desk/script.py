"""The desk's one script, ``/desk.js`` (shipped in the wheel beside this module), and its version.

The page names it as ``/desk.js?v=SCRIPT_VERSION``: a hash of its bytes, so a browser may keep it for a
year and a new script is a new URL. The page works without it; see the script's own header.
"""

from __future__ import annotations

from hashlib import sha256
from importlib.resources import files

SCRIPT = files("digest.desk").joinpath("desk.js").read_bytes()
SCRIPT_VERSION = sha256(SCRIPT).hexdigest()[:16]
