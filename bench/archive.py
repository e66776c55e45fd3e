"""Time the web archive's refresh as it grows: every ``digest run`` rewrites it.

Builds the demo's 2025-W20 once (collect from the bundled mirror, real render), then
publishes N copies of it as past weeks and times ``update_archive``: cold (every page,
the feed and the index written) and warm (nothing changed, so nothing is written; this is
what each run after the first pays). Prints figures and the warm/cold ratio; asserts nothing.

    .venv/bin/python bench/archive.py               # N = 10, 50, 200
    .venv/bin/python bench/archive.py --sizes 5     # a quick run
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_jobs_demo import demo_config  # noqa: E402 - the tests' helper writes the demo config

from digest.collect.collector import run_collect  # noqa: E402
from digest.job.build import build_issue  # noqa: E402
from digest.mail.archive import update_archive  # noqa: E402
from digest.settings.config import load_config  # noqa: E402
from digest.store.database import Store  # noqa: E402
from digest.weeks import parse_week  # noqa: E402

NOW = datetime(2025, 5, 19, 13, 0, tzinfo=UTC)


def timed(fn, repeats: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 50, 200])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        settings = {"dir": str(folder / "archive"), "publish": "on-build"}
        config = load_config(demo_config(folder, archive=settings))
        with Store.open(config.store_path) as store:
            run_collect(config, store, lambda: NOW)
            built = build_issue(config, store, NOW, parse_week("2025-W20"))
            print(f"one issue: {len(built.rendered.html.encode()) / 1024:.0f} KB email")
            week, made = parse_week("2025-W20"), 1
            for size in args.sizes:
                while made < size:
                    week = week.previous()
                    out = folder / "out" / week.id
                    shutil.copytree(built.out_dir, out)
                    start, end = week.window(config.site.tz)
                    store.record_issue(week.id, end + timedelta(hours=13), (start, end), built.rendered.subject,
                                       str(out), [])
                    store.mark_published(week.id, end + timedelta(hours=13), "bench")
                    made += 1

                def cold() -> None:
                    shutil.rmtree(folder / "archive", ignore_errors=True)
                    update_archive(config, store)

                cold_times = timed(cold, args.repeats)
                warm_times = timed(lambda: update_archive(config, store), args.repeats)
                c, w = statistics.median(cold_times), statistics.median(warm_times)
                print(f"{size:>4} pages: cold {c * 1000:7.0f} ms ({c / size * 1000:5.1f} ms/page), "
                      f"warm {w * 1000:7.0f} ms ({w / size * 1000:5.1f} ms/page), warm/cold {w / c:.2f}")


if __name__ == "__main__":
    main()
