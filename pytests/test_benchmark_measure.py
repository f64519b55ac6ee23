"""The benchmark's measurement of one step (crm_kpi.benchmark.run.measure): the peak memory it
reports is the child's own, whatever the size of the process that starts it; and the time box."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from crm_kpi.benchmark.run import measure, stop_time

# a child that holds `mb` MB resident for a second, then exits
HOLD = (
    "import sys, time; mb = int(sys.argv[1]); block = bytearray(mb * 2**20)\n"
    "for i in range(0, len(block), 4096): block[i] = 1\n"
    "time.sleep(1.0)"
)


def _touched(mb: int) -> bytearray:
    block = bytearray(mb * 2**20)
    for i in range(0, len(block), 4096):
        block[i] = 1
    return block


def test_peak_is_the_childs_own_not_the_parents(tmp_path: Path) -> None:
    parent_block = _touched(600)  # wait4's ru_maxrss would report at least this for any child
    result = measure([sys.executable, "-c", HOLD, "150"], {}, tmp_path, tmp_path / "child.log")
    assert result["exit_code"] == 0
    assert 150 <= result["peak_rss_mb"] < 400, result
    del parent_block


def test_a_child_over_the_memory_cap_is_stopped(tmp_path: Path) -> None:
    result = measure(
        [sys.executable, "-c", HOLD + "\ntime.sleep(30)", "300"],
        {},
        tmp_path,
        tmp_path / "child.log",
        memory_cap_mb=200,
    )
    assert result.get("over_memory_cap_mb") == 200
    assert result["exit_code"] != 0
    assert result["seconds"] < 20


def test_a_stop_time_already_passed_today_is_tomorrows() -> None:
    now = dt.datetime(2026, 11, 22, 23, 13)
    assert stop_time("23:55", now) == dt.datetime(2026, 11, 22, 23, 55).timestamp()
    assert stop_time("00:45", now) == dt.datetime(2026, 11, 23, 0, 45).timestamp()
