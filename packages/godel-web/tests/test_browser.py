"""``godel ui`` in a real browser: headless Chromium from Debian's packages, driven by Selenium
through Debian's chromium-driver (``make browser`` installs both; CI's ``.ci/run`` too).

The runs page, a run whose claude and copilot calls ran in parallel on the real CLIs (tree and
timeline), an event's transcript, a live run updating and paused from its page, and a request
without the token. Screenshots go to ``test-artefacts/web/`` (``GODEL_WEB_ARTEFACTS``); with
``GODEL_WEB_UPDATE_DOCS=1`` they are also copied to ``docs/images/``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.agents, pytest.mark.slow]

GODEL = Path(sys.executable).parent / "godel"
WORKFLOWS = Path(__file__).parent / "data" / "workflows"
REPO = Path(__file__).resolve().parents[3]
ARTEFACTS = Path(os.environ.get("GODEL_WEB_ARTEFACTS", REPO / "test-artefacts" / "web"))
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
# Without the background-networking flags Chromium's own connections are refused on a closed
# network and slow every page down; the profile is empty and thrown away.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1300,1000",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        message = f"{', '.join(missing)} missing: apt-get install chromium chromium-driver"
        if os.environ.get("GODEL_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="godel-web-chromium-")
    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait_for(check: Callable[[], Any], what: str, timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
        except Exception:  # the page is being replaced under us: look again
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def shot(driver: Any, name: str) -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    assert driver.save_screenshot(str(path))
    if os.environ.get("GODEL_WEB_UPDATE_DOCS") == "1":
        (REPO / "docs" / "images").mkdir(exist_ok=True)
        shutil.copy(path, REPO / "docs" / "images" / f"web-{name}.png")
    return path


def css(driver: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return list(driver.find_elements(By.CSS_SELECTOR, selector))


def read(driver: Any, selector: str, attribute: str | None = None) -> str | None:
    """The text (or an attribute) of the first match, read in one script call: a live page
    replaces its elements as events arrive, so a found element can go stale before it is read."""
    return driver.execute_script(
        "const el = document.querySelector(arguments[0]);"
        "if (!el) return null;"
        "return arguments[1] === null ? el.innerText : el.getAttribute(arguments[1]);",
        selector,
        attribute,
    )


def click(driver: Any, selector: str, what: str) -> None:
    """Click the first match, looking again if the live page replaced it in between."""
    wait_for(lambda: css(driver, selector)[0].click() or True, what)


def test_the_runs_page_and_a_run_with_parallel_agents(made: Any, ui: Any, browser: Any) -> None:
    from selenium.webdriver.support.ui import Select

    server = ui(made.runs)
    browser.set_window_size(1300, 560)
    browser.get(server.url)
    wait_for(lambda: css(browser, "#live-dot.on"), "the live stream to connect")
    rows = css(browser, "tr.run")
    assert [r.find_element("css selector", "a.id").text for r in rows] == [
        made.ids["slow"],
        made.ids["broken"],
        made.ids["team"],
    ]
    assert [r.get_attribute("data-status") for r in rows] == ["FINISHED", "FAILED", "FINISHED"]
    assert "$0.0011" in rows[2].text  # claude's reported cost + copilot's estimate
    assert shot(browser, "runs").stat().st_size > 10_000
    # Filters apply as they are chosen.
    Select(css(browser, "select[name=status]")[0]).select_by_value("FAILED")
    wait_for(lambda: len(css(browser, "tr.run")) == 1, "the status filter")
    assert css(browser, "tr.run a.id")[0].text == made.ids["broken"]

    browser.set_window_size(1300, 1000)
    browser.get(f"{server.base}/runs/{made.ids['team']}")
    assert browser.find_element("css selector", "#run-header h1").text.split() == [
        "team",
        "FINISHED",
    ]
    agents = css(browser, "#timeline .bar.k-agent")
    assert len(agents) == 2 and all(a.is_displayed() for a in agents)
    (a, b) = [bar.rect for bar in agents]
    assert a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"], "not side by side"
    assert a["y"] != b["y"]  # one lane each
    tree = css(browser, "#tree tbody tr")
    assert len(tree) == 9
    assert [r.get_attribute("data-depth") for r in tree] == list("012323112")
    shot(browser, "run")
    # Folding the parallel block hides its branches.
    css(browser, "#tree tbody tr:nth-child(2) .twisty")[0].click()
    assert [r.is_displayed() for r in css(browser, "#tree tbody tr")] == [
        True, True, False, False, False, False, True, True, True,
    ]  # fmt: skip
    # An agent call's bar opens the call: its transcript.
    agents = css(browser, "#timeline .bar.k-agent")
    agents[0].click()
    wait_for(lambda: "Transcript" in browser.page_source, "the event page")
    text = browser.find_element("css selector", "main").text
    assert "Looks good.\nThe comma reads better; check the callers." in text
    assert "The patch changes the output format." in text
    shot(browser, "event")


def test_a_live_run_updates_and_pauses_when_pause_is_pressed(
    ui: Any, browser: Any, tmp_path: Path, env: dict[str, str]
) -> None:
    (tmp_path / "slow.py").write_text((WORKFLOWS / "slow.py").read_text())
    runs = tmp_path / "runs"
    runs.mkdir()
    server = ui(runs)
    browser.get(server.url)  # the runs page, empty: the run appears on it when it starts
    wait_for(lambda: css(browser, "#live-dot.on"), "the live stream to connect")
    assert read(browser, "#runs-table", "data-count") == "0"
    run = subprocess.Popen(
        [str(GODEL), "run", "slow.py", "--", "400"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        log = wait_for(lambda: next(runs.glob("*.jsonl"), None), "the run to start")
        rid = log.stem
        wait_for(
            lambda: css(browser, f'tr.run[data-status="RUNNING"] a[href="/runs/{rid}"]'),
            "the live run listed",
        )
        click(browser, f'a[href="/runs/{rid}"]', "the run's link")
        wait_for(lambda: css(browser, "#live-dot.on"), "the live stream")
        assert read(browser, "#run-header", "data-status") == "RUNNING"

        def count() -> int:
            return int((read(browser, "#events") or "").replace(",", ""))

        first = count()
        wait_for(lambda: count() > first + 5, "the event count to grow")
        rows = len(css(browser, "#tree tbody tr"))
        wait_for(lambda: len(css(browser, "#tree tbody tr")) > rows, "the tree to grow")
        wait_for(lambda: len(css(browser, "#timeline .bar.running")) > 0, "a running bar")
        shot(browser, "live")
        click(browser, "#pause", "the pause button")
        message = wait_for(lambda: read(browser, "#message.ok"), "the pause answer")
        assert message.splitlines()[0] == f"[godel] pause requested for run {rid}"
        wait_for(lambda: css(browser, '#run-header[data-status="PAUSED"]'), "the run to pause", 60)
        assert "PAUSED" in (read(browser, "#run-header h1") or "")
        assert read(browser, "#pause", "disabled") is not None
        _, err = run.communicate(timeout=60)
        assert run.returncode == 0, err
        assert f"[godel] resume with: godel resume {rid}" in err
    finally:
        if run.poll() is None:
            run.kill()
            run.communicate()


def test_a_request_without_the_token_is_refused(made: Any, ui: Any, browser: Any) -> None:
    server = ui(made.runs)
    browser.delete_all_cookies()
    browser.get(server.base + "/")
    assert browser.find_element("css selector", "body").text == (
        "403 Forbidden: a valid token is required: open the URL `godel ui` printed"
    )
    browser.get(f"{server.base}/runs/{made.ids['team']}")
    assert browser.find_element("css selector", "body").text.startswith("403 Forbidden")
    browser.get(server.url)  # the printed URL works, and sets the cookie
    assert css(browser, "tr.run")
    browser.get(f"{server.base}/runs/{made.ids['team']}")
    assert css(browser, "#timeline .bar")
