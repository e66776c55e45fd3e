"""The ``[email]`` table: what it accepts, what it refuses (with the key and line), the merge tags."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from email_fixtures import email_config

from digest.errors import ConfigError
from digest.settings.email import EmailSettings


def refused(tmp_path: Path, **email: Any) -> str:
    with pytest.raises(ConfigError) as caught:
        email_config(tmp_path, **email)
    return str(caught.value)


def test_defaults_are_plain_links_that_the_editor_must_give() -> None:
    # Delivered as files with no mailer named, nobody substitutes merge tags: no tag is the default.
    settings = EmailSettings()
    assert (settings.mailer, settings.brand_color, settings.accent_color) == ("plain", "#1d2433", "#b83a24")
    assert settings.merge_tags == () and settings.unsubscribe is None and settings.address is None
    assert [key for key, _ in settings.missing_plain_values()] == ["unsubscribe_url", "postal_address"]
    chimp = EmailSettings(mailer="mailchimp")
    assert chimp.merge_tags == ("*|UNSUB|*", "*|ARCHIVE|*", "*|LIST:ADDRESSLINE|*")
    assert chimp.unsubscribe == "*|UNSUB|*" and chimp.address == "*|LIST:ADDRESSLINE|*"


def test_colours_must_be_six_digit_hex(tmp_path: Path) -> None:
    message = refused(tmp_path, brand_color="#fff")
    assert "email.brand_color (line " in message and "not a six-digit hex colour" in message
    assert email_config(tmp_path / "ok", accent_color="#ABCDEF").email.accent_color == "#abcdef"


def test_a_mailer_without_an_address_tag_needs_a_postal_address(tmp_path: Path) -> None:
    assert "anti-spam laws require it" in refused(tmp_path, mailer="brevo")
    settings = email_config(tmp_path / "ok", mailer="brevo", postal_address="1 Main St, Springfield").email
    assert settings.merge_tags == ("{{ unsubscribe }}", "{{ mirror }}")


def test_custom_mailer_needs_an_unsubscribe_link(tmp_path: Path) -> None:
    assert "set unsubscribe_url" in refused(tmp_path, mailer="custom", postal_address="1 Main St")
    settings = email_config(tmp_path / "ok", mailer="custom", postal_address="1 Main St",
                            unsubscribe_url="[unsubscribe]").email
    assert settings.merge_tags == ("[unsubscribe]",)


def test_a_postal_address_replaces_the_mailers_address_tag(tmp_path: Path) -> None:
    settings = email_config(tmp_path, postal_address="1 Main St, Springfield").email
    assert settings.merge_tags == ("*|UNSUB|*", "*|ARCHIVE|*") and settings.address == "1 Main St, Springfield"


@pytest.mark.parametrize(("key", "value", "why"), [
    ("logo_url", "http://butwhytho.example/logo.png", "is not an https URL"),
    ("unsubscribe_url", "unsubscribe here", "neither an https URL"),
    ("unsubscribe_url", 'https://x.example/"onclick', "without double quotes"),
    ("view_online_url", "javascript:alert(1)", "neither an https URL"),
    ("from_address", "Newsletter <news@x.example>", "bare email address"),
    ("social", [{"name": "X", "url": "http://x.com/a"}], "is not an https URL"),
    ("mailer", "constantcontact", "Input should be"),
    ("postal_address", "line one\nline two", "one non-empty line"),
    ("utm_source", "news letter", "should match pattern"),
    ("colour", "#ffffff", "unknown key"),
])
def test_bad_values_are_refused_with_the_key(tmp_path: Path, key: str, value: Any, why: str) -> None:
    message = refused(tmp_path, **{key: value})
    assert f"email.{key}" in message and why in message


def test_https_overrides_are_links_not_merge_tags(tmp_path: Path) -> None:
    settings = email_config(tmp_path, unsubscribe_url="https://butwhytho.example/unsubscribe").email
    assert settings.unsubscribe == "https://butwhytho.example/unsubscribe"
    assert settings.merge_tags == ("*|ARCHIVE|*", "*|LIST:ADDRESSLINE|*")
