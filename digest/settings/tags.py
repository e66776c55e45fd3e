"""Whether the config gives an email the values its delivery path needs for its merge tags.

Kept apart from the models: collecting needs none of these values, so a config without them
still loads (and collects); ``digest check`` and every build refuse it, naming the key to add.
"""

from __future__ import annotations

from digest.errors import ConfigError
from digest.settings.config import Config
from digest.settings.editions import all_editions


def merge_tag_problems(config: Config) -> list[str]:
    """One line per missing value, for the config and each of its editions (``file: key: what to add``)."""
    problems = []
    path = config.resolve(f"{config.config_name}.toml")
    for effective in all_editions(config):
        where = f"edition {effective.edition_id}: " if effective.edition_id else ""
        missing = effective.email.missing_plain_values()
        problems += [f"{path}: {where}email.{key}: {what}" for key, what in missing]
    return problems


def require_merge_tag_values(config: Config) -> None:
    """Raise ConfigError when a plain email (smtp, webhook, files) lacks its unsubscribe link or address."""
    problems = merge_tag_problems(config)
    if problems:
        raise ConfigError("\n".join(problems))
