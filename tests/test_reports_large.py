"""Reports that add up call records, over more calls than a request adds
up in good time (REPORT_PREVIEW_CALLS): previewed or exported, they are made
by the worker as an Excel file, with the reason on the job's page; the file
holds what the on-screen report would have. Below the limit they show on
screen as before. Tests run the queue in immediate mode: the job is done
when the request answers."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

from models import ExportJob
from tests.conftest import login_as
from tests.reports_fixtures import call, people, xlsx  # noqa: F401

JAN = {"from": "2026-01-01", "to": "2026-01-31"}
REPORTS = [
    "/reports/specifikation-samtal",
    "/reports/trafikspecifikation-alla",
    "/reports/samtalsstatistik",
]


@pytest.fixture
def calls(app, people, tmp_path):  # noqa: F811
    w = people
    app.config.update(REPORT_DIR=str(tmp_path / "reports"), REPORT_PREVIEW_CALLS=3)
    for minute in range(4):  # four calls in January in the admin's scope
        call(w.s1, f"2026-01-10 10:0{minute}:00", seconds=60, ore=100, invoiced=True)
    call(w.s2, "2026-02-10 10:00:00")  # February: one call
    call(w.b1, "2026-01-10 10:00:00")  # another organisation
    return w


def job_of(response) -> ExportJob:
    assert response.status_code == 303, response.status_code
    found = re.search(r"/reports/filer/(\d+)$", response.headers["Location"])
    return ExportJob.get_by_id(int(found.group(1)))


def sheet(data: bytes) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


@pytest.mark.parametrize("url", REPORTS)
def test_over_the_limit_the_preview_becomes_a_file_with_the_reason(app, client, calls, url):
    login_as(client, calls.admin.username)
    app.config["REPORT_PREVIEW_CALLS"] = 10
    expected = sheet(client.get(url, query_string={**JAN, "export": "xlsx"}).data)
    app.config["REPORT_PREVIEW_CALLS"] = 3

    response = client.get(url, query_string=JAN)
    job = job_of(response)
    assert job.user_id == calls.admin.id and job.status == "done"
    assert job.path.startswith(url) and "export" not in job.path
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "fler än 3 samtal" in page and "Ladda ner" in page
    download = client.get(f"/reports/filer/{job.id}/ladda-ner")
    assert download.status_code == 200
    assert sheet(download.data) == expected


@pytest.mark.parametrize("url", REPORTS)
def test_the_export_over_the_limit_is_a_job_too(client, calls, url):
    login_as(client, calls.admin.username)
    job = job_of(client.get(url, query_string={**JAN, "export": "xlsx"}))
    assert job.status == "done" and job.rows_done > 0


def test_within_the_limit_the_report_shows_on_screen(client, calls):
    """February has one call, and the Kontoadmin's January (only s2's) none:
    both below the limit. Another organisation's calls never count."""
    login_as(client, calls.admin.username)
    february = {"from": "2026-02-01", "to": "2026-02-28"}
    response = client.get(REPORTS[0], query_string=february)
    assert response.status_code == 200 and "listview" in response.get_data(as_text=True)
    login_as(client, calls.konto.username)
    assert client.get(REPORTS[0], query_string=JAN).status_code == 200
    assert ExportJob.select().count() == 0


def test_a_number_narrows_the_count(client, calls):
    """Samtalsstatistik for one number counts that number's calls only."""
    login_as(client, calls.admin.username)
    params = {**JAN, "number": "0701000002"}
    assert client.get(REPORTS[2], query_string=params).status_code == 200
    assert ExportJob.select().count() == 0


def test_a_bad_period_still_gets_the_form(client, calls):
    login_as(client, calls.admin.username)
    response = client.get(REPORTS[0], query_string={"from": "2026-02-01", "to": "2026-01-01"})
    assert response.status_code == 200
    assert "Till kan inte vara före Från" in response.get_data(as_text=True)
    assert ExportJob.select().count() == 0


def test_mina_rapporter_shows_each_files_parameters(client, calls):
    """Two files of the same report tell apart by their period."""
    login_as(client, calls.admin.username)
    client.get(REPORTS[0], query_string=JAN)
    client.get(REPORTS[0], query_string={"from": "2026-01-05", "to": "2026-01-20"})
    text = client.get("/reports/mina").get_data(as_text=True)
    assert "2026-01-01 – 2026-01-31" in text
    assert "2026-01-05 – 2026-01-20" in text
