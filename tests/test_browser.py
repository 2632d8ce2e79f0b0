"""A real browser against the running app: Playwright drives Debian's Chromium (headless)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import IDLE_SENTENCE, ROOT, free_port, wait_ready

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "artifacts"

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """``python app.py`` on a free loopback port with the embedded default model."""
    port = free_port()
    env = {
        **os.environ,
        "QA_INDEX_DIR": str(tmp_path_factory.mktemp("index")),
        "QA_CACHE_DIR": str(ROOT / ".cache"),
        "QA_PORT": str(port),
    }
    log = open(tmp_path_factory.mktemp("log") / "app.log", "w+")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_ready(
                proc, lambda: httpx.get(base + "/api/health", timeout=2).json().get("status") == "ready", 300, "app.py"
            )
        except BaseException:
            log.seek(0)
            print(log.read()[-3000:])
            raise
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


@pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (apt-get install -y chromium)"
)
def test_chat_answers_with_highlighted_span(live_app):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_app) else None)
        page.goto(live_app + "/")
        page.get_by_placeholder("Ask a question").fill("How many anchor projects are idle?")
        page.keyboard.press("Enter")
        mark = page.locator(".message mark.cite").first
        mark.wait_for(timeout=240_000)
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "chat.png"), full_page=True)
        answer = page.locator(".message").last.inner_text()
        marked = mark.inner_text()
        browser.close()
    first_line = answer.strip().splitlines()[0].lower()
    assert "three" in first_line or "3" in first_line.split(), answer
    assert marked and marked in IDLE_SENTENCE
    assert [u for u in outside if not u.startswith(("data:", "blob:"))] == []  # offline: no outside calls
