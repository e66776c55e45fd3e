"""The analytics export: the CSVs editors really download (GA4, Universal Analytics, Plausible)."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.errors import ConfigError
from digest.select.analytics import read_analytics

SITE = "https://site.example/"
WITCH = "https://site.example/2025/05/06/review-witch-watch-episode-5-cat-scout/"
ANDOR = "https://site.example/2025/05/07/review-andor-season-2-is-star-wars-at-its-best/"


def _write(tmp_path: Path, text: str, name: str = "export.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


GA4_WITH_CHART_DATA = """\
# ----------------------------------------
# Pages and screens: Page path and screen class
# Account: But Why Tho
# Property: site.example - GA4
# ----------------------------------------
#
# All Users
# Start date: 20250505
# End date: 20250511
Nth day,Views
0000,10212
0001,11890
0002,9033

# ----------------------------------------
# Pages and screens: Page path and screen class
# ----------------------------------------
Page path and screen class,Views,Active users,Event count
/,48210,20114,301220
/2025/05/06/review-witch-watch-episode-5-cat-scout/,2300,2000,9100
/2025/05/07/review-andor-season-2-is-star-wars-at-its-best/,"12,400",9001,40122
"""


def test_ga4_export_with_comment_blocks_and_a_chart_table_first(tmp_path: Path) -> None:
    views = read_analytics(_write(tmp_path, GA4_WITH_CHART_DATA), SITE)
    assert views[WITCH] == 2300
    assert views[ANDOR] == 12400
    assert views["https://site.example/"] == 48210
    assert len(views) == 3  # the "Nth day" rows are not pages


UA_EXPORT = """\
# ----------------------------------------
# All Web Site Data
# Pages
# 20250505-20250511
# ----------------------------------------

Page,Pageviews,Unique Pageviews,Avg. Time on Page,Entrances,Bounce Rate,% Exit,Page Value
/2025/05/06/review-witch-watch-episode-5-cat-scout/?utm_source=rss&utm_medium=rss,"1,100",900,00:03:10,800,61.2%,55.0%,$0.00
/2025/05/06/review-witch-watch-episode-5-cat-scout/,"1,200","1,000",00:03:01,900,60.1%,54.0%,$0.00
,"2,300","1,900",00:03:05,"1,700",60.6%,54.5%,$0.00

# ----------------------------------------
Day Index,Pageviews
5/5/25,"1,000"
5/6/25,"1,300"
"""


def test_universal_analytics_export_adds_utm_variants_and_stops_at_the_day_index(tmp_path: Path) -> None:
    views = read_analytics(_write(tmp_path, UA_EXPORT), SITE)
    assert views == {WITCH: 2300.0}


def test_full_urls_host_case_fragments_and_tracking_params_all_match(tmp_path: Path) -> None:
    text = (
        "\ufeffPage location,Sessions\n"  # a BOM, as Excel writes it
        f"{WITCH.replace('site.example', 'SITE.Example')}#comments,10\n"
        f"{WITCH}?fbclid=abc123,5\n"
        f"{ANDOR}?mc_cid=77&mc_eid=88,7\n"
        "https://other.example/2025/05/06/review-witch-watch-episode-5-cat-scout/,1000\n"
    )
    views = read_analytics(_write(tmp_path, text), SITE)
    assert views[WITCH] == 15
    assert views[ANDOR] == 7
    assert len(views) == 3  # another site's page stays separate


def test_plausible_style_export(tmp_path: Path) -> None:
    text = "name,visitors,pageviews,bounce_rate,time_on_page\n" \
           "/2025/05/06/review-witch-watch-episode-5-cat-scout/,812,1033,48,94\n"
    # "name" is not a URL header Plausible users would recognise either: the error says what was found.
    with pytest.raises(ConfigError, match="found line 1: name, visitors, pageviews"):
        read_analytics(_write(tmp_path, text), SITE)
    fixed = text.replace("name,", "page,", 1)
    assert read_analytics(_write(tmp_path, fixed), SITE) == {WITCH: 1033.0}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Page,Pageviews\n/a/,12\n/b/,n/a\n", r"line 3: 'n/a' is not a number of views"),
        ("", "the analytics file is empty"),
        ("# GA4\n#\n\n", "the analytics file is empty"),
        ("Title,Clicks\nAndor,4\n", "need a URL column"),
    ],
)
def test_bad_files_raise_config_error_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as raised:
        read_analytics(path, SITE)
    assert str(raised.value).startswith(f"{path}: ")


def test_missing_and_undecodable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="analytics file not found"):
        read_analytics(tmp_path / "nope.csv", SITE)
    binary = tmp_path / "export.xlsx"
    binary.write_bytes(b"PK\x03\x04\xff\xfe\x00\x81garbage")
    with pytest.raises(ConfigError, match="cannot read the analytics file"):
        read_analytics(binary, SITE)
