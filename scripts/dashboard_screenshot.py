"""Redraw docs/img/dashboard.png and docs/img/dashboard-presenter.png: Wells Fargo beside its
reform, sixteen business weeks in, on a 1600 px screen (a projector's width).

    python scripts/dashboard_screenshot.py [OUT.png]

Starts `salesim dashboard wells_fargo` on a free port, picks the reformed plan as the comparison,
resets, steps sixteen business weeks in Debian's chromium (Playwright), and saves the trainer's view
as OUT.png and the presenter's view beside it (OUT-presenter.png).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import Error, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"]


def main(out: Path, weeks: int = 16) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "simulator.cli", "dashboard", "wells_fargo", "--port", str(port)],
                              cwd=ROOT, start_new_session=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1600, "height": 1200})
            page.set_default_timeout(180_000)
            for _ in range(120):
                try:
                    page.goto(f"http://127.0.0.1:{port}/")
                    break
                except Error:  # the server is still starting
                    time.sleep(1)
            page.wait_for_selector(".salesim-day")
            page.locator(".v-input", has_text="Side by side with").locator(".v-select__slot").click()
            page.locator(".v-menu__content .v-list-item", has_text="wells_fargo_reformed").first.click()
            page.get_by_role("button", name="Reset").click()
            page.wait_for_function("document.querySelectorAll('.salesim-bookings').length == 2")
            for k in range(1, weeks + 1):
                page.get_by_role("button", name="Step").click()
                page.wait_for_function(f"document.querySelector('.salesim-day').textContent == '{5 * k}'")
            page.wait_for_selector(".salesim-idle")  # the last week is drawn
            page.wait_for_function("[...document.querySelectorAll('img.salesim-chart')]"
                                   ".every(img => img.complete && img.naturalWidth > 100)")
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out))
            page.get_by_role("button", name="Presenter view").click()
            page.get_by_role("button", name="Trainer view").wait_for()  # the app bar and sidebar follow the main area
            page.get_by_role("slider", name=re.compile("^Quota: ")).wait_for(state="hidden")
            page.wait_for_function("[...document.querySelectorAll('.salesim-presenter img.salesim-chart')]"
                                   ".filter(img => img.complete && img.naturalWidth > 100).length == 2 && "
                                   "document.querySelectorAll('.salesim-big-fake').length == 2")
            page.screenshot(path=str(out.with_name(f"{out.stem}-presenter.png")))
            browser.close()
    finally:
        os.killpg(server.pid, 15)
        server.wait()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "img" / "dashboard.png")
