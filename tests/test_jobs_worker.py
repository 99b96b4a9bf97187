"""Export jobs run by a real huey consumer (worker threads, SQLite queue),
as ``make run`` runs them beside gunicorn."""

from __future__ import annotations

import io
import re
import time

import openpyxl

from models import ExportJob
from tests.conftest import ADMIN
from tests.jobs_fixtures import running_worker

EXPORT = "/reports/abonnemang?export=xlsx"


def wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_consumer_runs_the_export_outside_the_request(demo_app, demo_client, login, tmp_path):
    import worker

    demo_app.config.update(EXPORT_JOB_ROWS=5, REPORT_DIR=str(tmp_path / "reports"))
    login(demo_client, ADMIN)
    with running_worker(demo_app, tmp_path):
        assert not worker.huey.immediate
        response = demo_client.get(EXPORT)
        assert response.status_code == 303
        job_id = int(re.search(r"(\d+)$", response.headers["Location"]).group(1))
        assert wait_for(lambda: ExportJob.get_by_id(job_id).status == "done")
    job = ExportJob.get_by_id(job_id)
    assert job.attempts == 1 and job.rows_done > 5
    download = demo_client.get(f"/reports/filer/{job_id}/ladda-ner")
    assert download.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(download.data)).active.iter_rows())
    assert len(rows) - 1 == job.rows_done
    assert worker.huey.immediate  # restored for the other tests


def test_a_consumer_takes_up_a_killed_workers_job(demo_app, demo_client, login, tmp_path):
    """The job a killed worker left running (its heartbeat old) is queued
    again by the periodic task and finished by the next worker."""
    import datetime as dt

    import worker
    from database import utcnow, write_tx
    from web import jobs as web_jobs

    demo_app.config.update(EXPORT_JOB_ROWS=5, REPORT_DIR=str(tmp_path / "reports"))
    login(demo_client, ADMIN)
    held = []
    web_jobs.set_enqueue(held.append)  # the first worker "dies" before running it
    try:
        response = demo_client.get(EXPORT)
    finally:
        web_jobs.set_enqueue(worker.run_job)
    job_id = int(re.search(r"(\d+)$", response.headers["Location"]).group(1))
    with write_tx():
        ExportJob.update(
            status="running", attempts=1, heartbeat_at=utcnow() - dt.timedelta(minutes=5)
        ).where(ExportJob.id == job_id).execute()
    with running_worker(demo_app, tmp_path):
        assert worker.take_up_lost_jobs.call_local() == [job_id]
        assert wait_for(lambda: ExportJob.get_by_id(job_id).status == "done")
    assert ExportJob.get_by_id(job_id).attempts == 2
