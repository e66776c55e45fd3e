"""The browser-facing edge: ``digest preview`` (the built issue, read-only) and ``digest desk``
(the week's issue as an editor works on it), with what they share (path cleaning, the Host check,
idle timeouts and a connection cap).

Thin by rule: selection comes from digest.select, rendering and builds from digest.mail and
digest.job, the editor's choices from digest.select.editor; nothing here decides what an issue holds.
Only digest.cli imports this package.
"""
