"""Screenshots of pages as a given demo user, for looking at what we build.

    python scripts/screenshots.py [--base URL] [--user admin@a3demo.se] /services /invoices …

Writes PNGs to ./screenshots (not committed). Uses the system Chromium
(CHROMIUM_PATH, default /usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="*", default=["/"])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="admin@a3demo.se")
    parser.add_argument("--password", default="Teleportal-demo-2026")
    parser.add_argument("--width", type=int, default=1366)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--staff", action="store_true")
    parser.add_argument("--out", default="screenshots")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        page.goto(args.base + ("/staff/login" if args.staff else "/login"))
        page.fill("#username", args.user)
        page.fill("#password", args.password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        for path in args.paths:
            page.goto(args.base + path)
            page.wait_for_load_state("networkidle")
            name = re.sub(r"[^a-z0-9]+", "_", (args.user + path).lower()).strip("_")
            target = out / f"{name}_{args.width}.png"
            page.screenshot(path=str(target), full_page=True)
            print(target)
        browser.close()


if __name__ == "__main__":
    main()
