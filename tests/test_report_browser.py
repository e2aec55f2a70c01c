"""The HTML report in a real headless Chromium (Debian's `chromium`, installed by `make test`).

It must load from a file with no network, show the outlet matrix and a conflict, and never
run script that came in with an article. A screenshot is kept in test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from checker.render.report import report_html
from tests.conftest import CORPUS, ROOT
from tests.fakes import KeywordJudge
from tests.test_report import NEW_ARTICLE, _report

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
# Chromium's own background traffic is refused on a closed network; keep it from trying.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not Path(CHROMIUM).exists():
    # In CI a missing browser is a failure of the set-up, not a reason to skip.
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    pytest.skip("Debian's chromium is not installed (make test installs it)", allow_module_level=True)


@pytest.mark.slow
@pytest.mark.live
def test_report_opens_in_chromium_with_matrix_and_conflict_and_no_injected_script(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    corpus = tmp_path / "c"
    shutil.copytree(CORPUS, corpus)
    # Tags in the file are rendered away at ingest; what a reader sees as "<script>" (written
    # "&lt;script&gt;") reaches the page as article text, and must stay text.
    injected = (
        '<b>Note</b>: &lt;script&gt;document.title = "pwned"; document.body.dataset.pwned = "1"&lt;/script&gt;'
        '&lt;img src=x onerror="document.body.dataset.pwned=2"&gt;'
    )
    (corpus / "wire.md").write_text(NEW_ARTICLE.replace("on Thursday.", f"on Thursday. {injected}"), encoding="utf-8")
    page_file = tmp_path / "report.html"
    page_file.write_text(report_html(_report(corpus, tmp_path / "store", KeywordJudge())), encoding="utf-8")

    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            page.on("request", lambda request: requests.append(request.url))
            page.goto(page_file.as_uri())
            assert page.title().startswith("Consistency report")
            assert page.locator("#heatmap").is_visible()
            assert page.locator("#heatmap rect").count() == 36  # 6 outlets x 6
            conflict = page.locator("li.conflict").first
            assert conflict.is_visible() and conflict.locator(".badge").inner_text() in ("contradict", "superseded")
            assert page.locator("ol.conflicts .badge.superseded").count() >= 1  # the seed pair
            # The injected markup is text on the page, and none of it ran.
            assert page.evaluate("document.body.dataset.pwned") is None
            assert page.get_by_text('document.title = "pwned"').count() >= 1
            # A quote's link lands on its place in the article text.
            link = conflict.locator("a.src").last
            target = link.get_attribute("href")
            link.click()
            assert page.evaluate("location.hash") == target
            assert page.locator(target).count() == 1
            ARTIFACTS.mkdir(exist_ok=True)
            page.locator("ol.conflicts").screenshot(path=str(ARTIFACTS / "report-conflicts.png"))
            page.goto(page_file.as_uri())
            page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=False)
        finally:
            browser.close()
    assert all(url.startswith("file://") for url in requests), requests  # nothing from the network
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000
