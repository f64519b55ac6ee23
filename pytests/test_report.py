"""The static HTML dashboard (`crm-kpi report`), rendered in real headless Chromium.

Chromium comes from the Debian package `chromium` (CI installs it in .ci/run; set
CRM_CHROMIUM to use another binary). Without it the Chromium tests are skipped.

The screenshot is kept under the pytest temp folder; with CRM_UPDATE_SCREENSHOT=1 it is also
copied to docs/dashboard.png (the picture in the README).
"""

from __future__ import annotations

import copy
import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from crm_kpi.cli import main
from crm_kpi.report import collect_report_data, render_html, write_report

CHROMIUM = os.environ.get("CRM_CHROMIUM") or shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (Debian: apt-get install chromium; or set CRM_CHROMIUM); "
    "the dashboard is not rendered",
)
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
)
SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)
ARABIC = re.compile(r"[\u0600-\u06ff]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def _chromium(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    command = [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, url]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, f"chromium failed ({result.returncode}):\n{result.stderr}"
    return result


def _console_messages(stderr: str) -> list[str]:
    """What the page wrote to the console, including uncaught exceptions (Chromium's log)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


def _dump(url: str, profile: Path) -> str:
    """The rendered DOM without its <script> elements (so the inline data does not count)."""
    result = _chromium(url, profile, "--dump-dom")
    assert not _console_messages(result.stderr), _console_messages(result.stderr)
    dom = result.stdout
    assert 'id="render-status"' in dom, "the page's script did not finish drawing"
    assert re.search(r'id="render-status"[^>]*data-status="ok"', dom), dom[:2000]
    assert 'id="render-error"' not in dom
    return SCRIPT.sub("", dom)


@pytest.fixture(scope="module")
def expected(warehouse: Path) -> dict[str, object]:
    """The KPIs and scorecard rows the page must show, read straight from the marts."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        names = connection.execute(
            "select c.kpi_id, c.name_en, c.name_ar, c.name_fa, c.name_uk, "
            "coalesce(bool_or(v.is_available), false) "
            "from marts.kpi_catalog as c left join marts.kpi_values as v "
            "on v.kpi_id = c.kpi_id and v.kpi_version = c.kpi_version and v.breakdown = 'overall' "
            "where c.is_latest_version group by all"
        ).fetchall()
        scorecard = [
            row[0]
            for row in connection.execute("select kpi_id from marts.kpi_scorecard").fetchall()
        ]
    return {
        "available": {
            row[0]: dict(zip(("en", "ar", "fa", "uk"), row[1:5], strict=True))
            for row in names
            if row[5]
        },
        "scorecard": scorecard,
    }


@pytest.fixture(scope="module")
def report_file(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "crm_kpi_report.html"
    assert main(["report", "--database", str(warehouse), "--out", str(out)]) == 0
    return out


def test_report_is_self_contained(report_file: Path) -> None:
    page = report_file.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    # nothing fetched from elsewhere: no external scripts, styles, images or fonts
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page
    assert "/*__REPORT_DATA__*/" not in page


def test_render_html_keeps_the_data_inside_its_script_element() -> None:
    template = '<script type="application/json">/*__REPORT_DATA__*/null</script>'
    page = render_html({"text": "</script><b>x</b>\u2028"}, template)
    assert page.count("</script>") == 1
    assert "<\\/script>" in page


def test_report_data_covers_every_kpi(warehouse: Path, expected: dict) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        data = collect_report_data(connection)
    available = {kpi["id"] for kpi in data["kpis"] if kpi["available"]}
    assert available == set(expected["available"])
    assert sorted(row["kpi_id"] for row in data["scorecard"]) == sorted(expected["scorecard"])
    assert data["series"], "no trend series"
    assert data["breakdown_quarter"] is not None


@needs_chromium
def test_dashboard_renders_every_kpi_and_scorecard_row(
    report_file: Path, expected: dict, tmp_path: Path
) -> None:
    dom = _dump(report_file.as_uri(), tmp_path / "profile")
    text = html.unescape(dom)
    assert re.search(r'<html[^>]*dir="ltr"', dom)
    missing = [names["en"] for names in expected["available"].values() if names["en"] not in text]
    assert not missing, f"KPIs not shown: {missing}"
    rows = re.findall(r'<tr data-kpi="([^"]+)"', dom)
    assert sorted(rows) == sorted(expected["scorecard"])
    assert len(re.findall(r'<svg class="chart"', dom)) > 0
    assert 'class="go-live"' in dom
    assert re.search(r'data-breakdown="(team|segment|acquisition_channel)"', dom)
    assert re.search(r'data-status="(met|not met|not yet due|no data)"', dom)


@needs_chromium
@pytest.mark.parametrize(
    ("lang", "direction", "script"),
    [("ar", "rtl", ARABIC), ("fa", "rtl", ARABIC), ("uk", "ltr", CYRILLIC)],
)
def test_dashboard_language_switch(
    report_file: Path,
    expected: dict,
    tmp_path: Path,
    lang: str,
    direction: str,
    script: re.Pattern[str],
) -> None:
    dom = _dump(f"{report_file.as_uri()}#lang={lang}", tmp_path / "profile")
    assert re.search(rf'<html[^>]*lang="{lang}"', dom)
    assert re.search(rf'<html[^>]*dir="{direction}"', dom)
    text = html.unescape(dom)
    missing = [names[lang] for names in expected["available"].values() if names[lang] not in text]
    assert not missing, f"{lang} names not shown: {missing}"
    title = re.search(r'<h1 id="title">([^<]*)</h1>', dom)
    assert title and script.search(title.group(1)), "the page title is not translated"


@needs_chromium
def test_unavailable_kpi_is_shown_with_its_reason(warehouse: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        data = copy.deepcopy(collect_report_data(connection))
    victim = data["kpis"][0]
    victim.update(available=False, reason="optional extract usage_events is missing")
    data["series"].pop(victim["id"], None)
    page = tmp_path / "unavailable.html"
    page.write_text(render_html(data), encoding="utf-8")
    dom = _dump(page.as_uri(), tmp_path / "profile")
    item = re.search(rf'<li data-kpi="{victim["id"]}">(.*?)</li>', dom, re.DOTALL)
    assert item, "the unavailable KPI is not listed"
    assert "optional extract usage_events is missing" in html.unescape(item.group(1))


@needs_chromium
def test_dashboard_screenshot(report_file: Path, project_dir: Path, tmp_path: Path) -> None:
    shot = tmp_path / "dashboard.png"
    result = _chromium(
        report_file.as_uri(),
        tmp_path / "profile",
        f"--screenshot={shot}",
        "--window-size=1400,2400",
    )
    assert not _console_messages(result.stderr), _console_messages(result.stderr)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 50_000, "the screenshot looks blank"
    if os.environ.get("CRM_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(shot, project_dir / "docs" / "dashboard.png")


def test_write_report_refuses_a_missing_warehouse(tmp_path: Path) -> None:
    from crm_kpi.warehouse import WarehouseError

    with pytest.raises(WarehouseError, match="does not exist"):
        write_report(tmp_path / "nope.duckdb", tmp_path / "report.html")
