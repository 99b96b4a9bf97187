"""A large export in a browser (issue 15, item 4): Exportera till Excel on
a list beyond EXPORT_JOB_ROWS opens the job's page with a progress bar,
htmx polls it until the worker (a real huey consumer) is done, and "Ladda
ner" downloads the file; Mina rapporter lists it."""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.browser import sign_in
from tests.conftest import ADMIN
from tests.jobs_fixtures import running_worker

pytestmark = pytest.mark.browser


def shot(page, name: str) -> None:
    """Screenshots for a reviewer when TELEPORTAL_SCREENSHOTS names a folder."""
    folder = os.environ.get("TELEPORTAL_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


@pytest.fixture
def jobs_server(demo_template, tmp_path):
    """The portal with EXPORT_JOB_ROWS low and a queue on a file (the
    consumer started by the test)."""
    from app import create_app
    from tests.conftest import _config

    db_path = tmp_path / "live.db"
    shutil.copyfile(demo_template, db_path)
    app = create_app(_config(db_path, EXPORT_JOB_ROWS=5, REPORT_DIR=str(tmp_path / "reports")))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with running_worker(app, tmp_path, start=False) as consumer:
        yield f"http://127.0.0.1:{server.server_port}", consumer
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def live_server(jobs_server):
    return jobs_server[0]


def test_a_large_export_shows_progress_and_downloads(page, jobs_server, tmp_path):
    _, consumer = jobs_server
    sign_in(page, ADMIN)
    page.goto("/reports/abonnemang?sort=number")
    page.get_by_role("link", name="Exportera till Excel").click()
    page.wait_for_url("**/reports/filer/*")
    status = page.locator("#job-status")
    # Queued: the worker is not running yet, the bar waits at 0 %.
    expect(status.locator(".job-state")).to_have_text("I kö")
    expect(status.locator("progress.job-progress")).to_have_attribute("value", "0")
    job_url = page.url
    shot(page, "job-queued")

    consumer.start()  # the worker comes up; htmx polling shows it finish
    download_link = page.get_by_role("link", name="Ladda ner")
    expect(download_link).to_be_visible(timeout=20_000)
    expect(status.locator(".job-state")).to_have_text("Klar")
    expect(status.locator("progress.job-progress")).to_have_attribute("value", "100")
    assert page.url == job_url  # no reload: the fragment was swapped in
    shot(page, "job-done")

    with page.expect_download() as info:
        download_link.click()
    path = tmp_path / "export.xlsx"
    info.value.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Status", "Nummer", "Användare")
    assert len(rows) - 1 > 5

    page.goto("/reports")
    page.get_by_role("link", name="Mina rapporter").click()
    expect(page.locator("table.my-reports tbody tr")).to_have_count(1)
    expect(page.locator("table.my-reports")).to_contain_text("Översikt – Abonnemang")
    shot(page, "my-reports")
    page.goto("/reports/abonnemang")
    page.get_by_role("link", name="Schemalägg").click()
    expect(page.locator("h1")).to_have_text("Schemalägg rapport")
    shot(page, "schedule-form")
    page.get_by_label("Hur ofta").select_option("weekly")
    page.get_by_label("Veckodag (varje vecka)").select_option("5")
    page.get_by_role("button", name="Schemalägg").click()
    page.wait_for_url("**/reports/scheman")
    expect(page.locator("table.schedules")).to_contain_text("Varje fredag kl. 07")
    shot(page, "schedules")
    assert page.js_errors == []
