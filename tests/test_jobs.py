"""Background export jobs (issue 15, item 4): an export beyond
EXPORT_JOB_ROWS becomes a job with a page, a progress bar and a download
for the user who asked; a failed job can be retried; a lost one is taken
up again; files expire. The queue runs in immediate mode here (a task runs
where it is enqueued); tests/test_jobs_worker.py runs a real consumer."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest

from database import utcnow, write_tx
from domain import jobs
from models import AuditLog, ExportJob, Service, User
from tests.conftest import ACCOUNT_ADMIN, ADMIN, INVOICES_ONLY, OTHER_ORG_ADMIN
from web import excel
from web import jobs as web_jobs

EXPORT = "/reports/abonnemang?export=xlsx"


@pytest.fixture
def jobs_app(demo_app, tmp_path):
    demo_app.config.update(EXPORT_JOB_ROWS=5, REPORT_DIR=str(tmp_path / "reports"))
    return demo_app


@pytest.fixture
def held(monkeypatch):
    """Jobs stay queued: nothing is enqueued (no worker)."""
    enqueued = []
    monkeypatch.setattr(web_jobs, "_enqueue", enqueued.append)
    return enqueued


def job_id(response) -> int:
    assert response.status_code == 303, response.status_code
    return int(re.search(r"/reports/filer/(\d+)$", response.headers["Location"]).group(1))


def sheet_rows(data: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    return list(sheet.iter_rows(values_only=True))


def test_a_small_export_stays_a_download(demo_app, demo_client, login):
    login(demo_client, ADMIN)
    response = demo_client.get(EXPORT)
    assert response.status_code == 200
    assert response.mimetype == excel.XLSX_MIME
    assert ExportJob.select().count() == 0


def test_a_large_export_runs_as_a_job_and_downloads(jobs_app, demo_client, login):
    who = login(demo_client, ADMIN)
    jobs_app.config["EXPORT_JOB_ROWS"] = 10**9
    direct = sheet_rows(demo_client.get(EXPORT).data)
    jobs_app.config["EXPORT_JOB_ROWS"] = 5
    assert len(direct) - 1 > 5

    response = demo_client.get(EXPORT)
    job = ExportJob.get_by_id(job_id(response))
    assert (job.user_id, job.status, job.path) == (who.id, "done", EXPORT)
    assert job.rows_done == job.rows_total == len(direct) - 1
    assert job.attempts == 1 and job.expires_at > utcnow() + dt.timedelta(days=6)

    page = demo_client.get(f"/reports/filer/{job.id}").get_data(as_text=True)
    assert "Klar" in page and "Ladda ner" in page and "every 2s" not in page
    download = demo_client.get(f"/reports/filer/{job.id}/ladda-ner")
    assert download.status_code == 200 and download.mimetype == excel.XLSX_MIME
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert sheet_rows(download.data) == direct

    mine = demo_client.get("/reports/mina").get_data(as_text=True)
    assert "Översikt – Abonnemang" in mine and f"/reports/filer/{job.id}/ladda-ner" in mine
    started = AuditLog.get(AuditLog.action == "job.start")
    assert (started.actor_user_id, started.object_id) == (who.id, str(job.id))


def test_the_job_page_polls_while_the_job_waits(jobs_app, demo_client, login, held):
    login(demo_client, ADMIN)
    job = ExportJob.get_by_id(job_id(demo_client.get(EXPORT)))
    assert held == [job.id]
    page = demo_client.get(f"/reports/filer/{job.id}").get_data(as_text=True)
    assert "I kö" in page and 'hx-trigger="every 2s"' in page and "<progress" in page
    fragment = demo_client.get(f"/reports/filer/{job.id}", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    with write_tx():
        ExportJob.update(status="running", rows_total=200, rows_done=50).where(
            ExportJob.id == job.id
        ).execute()
    fragment = demo_client.get(f"/reports/filer/{job.id}", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert 'value="25"' in text and "50 av 200 rader" in text and "Pågår" in text


def test_a_double_click_starts_one_job(jobs_app, demo_client, login, held):
    login(demo_client, ADMIN)
    first = job_id(demo_client.get(EXPORT))
    second = job_id(demo_client.get(EXPORT))
    assert first == second and held == [first]
    other = job_id(demo_client.get(EXPORT + "&sort=user"))
    assert other != first and ExportJob.select().count() == 2


def test_only_the_user_who_asked_gets_the_job_and_file(jobs_app, demo_client, login):
    login(demo_client, ADMIN)
    job = job_id(demo_client.get(EXPORT))
    for username in (ACCOUNT_ADMIN, INVOICES_ONLY, OTHER_ORG_ADMIN):
        login(demo_client, username)
        assert demo_client.get(f"/reports/filer/{job}").status_code == 404
        assert demo_client.get(f"/reports/filer/{job}/ladda-ner").status_code == 404
        assert demo_client.post(f"/reports/filer/{job}/forsok-igen").status_code == 404
        assert f"/reports/filer/{job}" not in demo_client.get("/reports/mina").get_data(
            as_text=True
        )
    demo_client.get("/logout")
    assert demo_client.get(f"/reports/filer/{job}/ladda-ner").status_code in (302, 404)


def test_a_user_who_lost_access_gets_a_failed_job_and_can_retry(jobs_app, demo_client, login, held):
    who = login(demo_client, ACCOUNT_ADMIN)
    job = job_id(demo_client.get(EXPORT))
    user = User.get_by_id(who.id)
    saved = (user.role_id, user.permissions)
    with write_tx():
        User.update(role=None, permissions="services.view").where(User.id == who.id).execute()
    assert web_jobs.replay(jobs_app, job) == "failed"
    failed = ExportJob.get_by_id(job)
    assert failed.error == web_jobs.NO_ACCESS and failed.file == ""
    page = demo_client.get(f"/reports/filer/{job}").get_data(as_text=True)
    assert web_jobs.NO_ACCESS in page and "Försök igen" in page
    assert demo_client.get(f"/reports/filer/{job}/ladda-ner").status_code == 404

    with write_tx():
        User.update(role=saved[0], permissions=saved[1]).where(User.id == who.id).execute()
    response = demo_client.post(f"/reports/filer/{job}/forsok-igen")
    assert response.status_code == 303
    assert held[-1] == job
    assert web_jobs.replay(jobs_app, job) == "done"
    done = ExportJob.get_by_id(job)
    # The Kontoadministratör's file holds exactly the services in scope.
    rows = sheet_rows(demo_client.get(f"/reports/filer/{job}/ladda-ner").data)
    assert len(rows) - 1 == done.rows_done == Service.visible_to(User.get_by_id(who.id)).count()
    assert AuditLog.select().where(AuditLog.action == "job.retry").count() == 1


def test_a_deactivated_user_gets_no_file(jobs_app, demo_client, login, held):
    who = login(demo_client, ADMIN)
    job = job_id(demo_client.get(EXPORT))
    with write_tx():
        User.update(active=False).where(User.id == who.id).execute()
    assert web_jobs.replay(jobs_app, job) == "failed"
    assert ExportJob.get_by_id(job).error == web_jobs.NO_USER


def test_a_job_is_claimed_once(jobs_app, demo_client, login, held):
    login(demo_client, ADMIN)
    job = job_id(demo_client.get(EXPORT))
    assert jobs.claim(job) is True
    assert jobs.claim(job) is False  # running with a fresh heartbeat
    assert web_jobs.replay(jobs_app, job) == "skipped"


def test_a_killed_workers_job_is_taken_up_again(jobs_app, demo_client, login, held):
    login(demo_client, ADMIN)
    running = job_id(demo_client.get(EXPORT))
    never_picked = job_id(demo_client.get(EXPORT + "&sort=user"))
    fresh = job_id(demo_client.get(EXPORT + "&sort=start"))
    old = utcnow() - dt.timedelta(minutes=10)
    with write_tx():
        # The worker died mid-export: running, heartbeat ten minutes old.
        ExportJob.update(status="running", attempts=1, heartbeat_at=old, rows_done=3).where(
            ExportJob.id == running
        ).execute()
        ExportJob.update(created_at=old).where(ExportJob.id == never_picked).execute()

    import worker

    assert sorted(worker.take_up_lost_jobs.call_local()) == sorted([running, never_picked])
    # Queued again and (the queue being immediate here) run at once.
    for job in (running, never_picked):
        assert ExportJob.get_by_id(job).status == "done"
    assert ExportJob.get_by_id(running).attempts == 2
    assert ExportJob.get_by_id(fresh).status == "queued"  # not stale: left alone
    assert jobs.take_up_lost() == []


def test_a_job_lost_too_often_fails(jobs_app, demo_client, login, held):
    login(demo_client, ADMIN)
    job = job_id(demo_client.get(EXPORT))
    with write_tx():
        ExportJob.update(
            status="running",
            attempts=jobs.MAX_ATTEMPTS,
            heartbeat_at=utcnow() - dt.timedelta(hours=1),
        ).where(ExportJob.id == job).execute()
    assert jobs.take_up_lost() == []
    assert ExportJob.get_by_id(job).status == "failed"


def test_expired_files_are_deleted(jobs_app, demo_client, login):
    login(demo_client, ADMIN)
    job = job_id(demo_client.get(EXPORT))
    path = jobs.file_path(jobs_app.config["REPORT_DIR"], ExportJob.get_by_id(job))
    assert path.is_file()
    import worker

    assert worker.delete_expired_reports.call_local() == 0
    with write_tx():
        ExportJob.update(expires_at=utcnow() - dt.timedelta(minutes=1)).where(
            ExportJob.id == job
        ).execute()
    assert demo_client.get(f"/reports/filer/{job}/ladda-ner").status_code == 404
    assert worker.delete_expired_reports.call_local() == 1
    assert not path.exists() and ExportJob.get_by_id(job).file == ""
    assert "Borttagen" in demo_client.get("/reports/mina").get_data(as_text=True)


def test_staff_exports_stay_in_the_request(jobs_app, demo_client, login):
    login(demo_client, "staff@teleportal.se")
    jobs_app.config["EXPORT_JOB_ROWS"] = 0
    response = demo_client.get("/staff/tickets?export=xlsx")
    assert response.status_code == 200 and response.mimetype == excel.XLSX_MIME
    assert ExportJob.select().count() == 0


def test_write_rows_reports_progress(tmp_path):
    seen = []
    rows = [(i,) for i in range(2500)]
    with (tmp_path / "x.xlsx").open("wb") as fh:
        count = excel.write_rows(fh, "T", ["n"], rows, progress=seen.append)
    assert count == 2500 and seen == [1000, 2000, 2500]


def test_the_heartbeat_beats(jobs_app, demo_client, login, held):
    login(demo_client, ADMIN)
    job = job_id(demo_client.get(EXPORT))
    assert jobs.claim(job)
    with write_tx():
        ExportJob.update(heartbeat_at=utcnow() - dt.timedelta(minutes=5)).where(
            ExportJob.id == job
        ).execute()
    with jobs.Heartbeat(job, interval=0.05) as beat:
        beat.rows_done = 7
        import time

        time.sleep(0.3)
    row = ExportJob.get_by_id(job)
    assert row.rows_done == 7 and row.heartbeat_at > utcnow() - dt.timedelta(seconds=5)


def test_the_queue_is_sqlite_in_the_instance_folder_or_redis(monkeypatch, tmp_path):
    from huey import RedisHuey, SqliteHuey

    import worker

    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("TELEPORTAL_INSTANCE", str(tmp_path))
    queue = worker.make_huey()
    assert isinstance(queue, SqliteHuey) and (tmp_path / "huey.db").exists()
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6390/3")
    queue = worker.make_huey()  # connects only when used
    assert isinstance(queue, RedisHuey)
    assert queue.storage.conn.connection_pool.connection_kwargs["db"] == 3
