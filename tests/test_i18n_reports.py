"""Languages in Fakturor, Rapporter, Mina rapporter and Schemalagda rapporter
(issue 20, area reports): the pages, form errors, the invoice PDF and the
Excel files (in the request, from the worker and scheduled) in the language
of the user who asked; Swedish unchanged."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import openpyxl
from pypdf import PdfReader

from database import utcnow, write_tx
from domain import report_schedules
from models import ExportJob, ScheduledReport, User
from tests import expected
from tests.conftest import ADMIN
from tests.test_i18n import set_language

EXPORT = "/reports/abonnemang?export=xlsx"


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code in (200, 400), (path, response.status_code)
    return response.get_data(as_text=True)


def sheet_rows(data: bytes) -> tuple[str, list[tuple]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    return sheet.title, list(sheet.iter_rows(values_only=True))


def pdf_text(client, invoice) -> str:
    response = client.get(f"/invoices/{invoice.id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))


# ------------------------------------------------------------------- pages


def test_reports_index_in_english(as_lang):
    text = page(as_lang("en"), "/reports")
    assert "<title>Reports" in text or ">Reports<" in text
    assert "Specification – Invoice" in text and "Costs per group" in text
    assert "Create report" in text and "My reports" in text
    assert "Skapa rapport" not in text and "Specifikation – Faktura" not in text


def test_invoice_list_in_danish(as_lang):
    text = page(as_lang("da"), "/invoices")
    head = re.search(r"<thead.*?</thead>", text, re.S).group(0)
    assert "Forfaldsdato" in head and "Fakturanummer" in head and "Beløb" in head
    assert "Förfallodatum" not in head and "Belopp" not in head
    assert 'data-label="Forfaldsdato"' in text
    assert "Faktureret de seneste 12 måneder" in text
    # the statuses of the rows and of the filter
    assert re.search(r"status-(paid|unpaid|overdue)\">(Betalt|Ubetalt|Forfalden)<", text)
    assert "Obetald" not in text and "Förfallen" not in text


def test_invoice_page_in_english(as_lang):
    invoice = expected.invoices(ADMIN)[0]
    text = page(as_lang("en"), f"/invoices/{invoice.id}")
    assert f"Invoice {invoice.number}" in text
    assert "Invoice details" in text and "Amount due" in text and "Invoice lines" in text
    assert "Fakturauppgifter" not in text and "Att betala" not in text


def test_usage_report_months_in_english(as_lang):
    text = page(as_lang("en"), "/reports/forbrukning")
    heading = re.search(r'<h2 id="usage-mobile">(.*?)</h2>', text).group(1)
    assert heading.startswith("Mobile subscriptions – ")
    month = heading.rsplit(" ", 2)[-2]
    assert month in (
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "May",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
    )
    assert "Mobilabonnemang" not in text


def test_my_reports_and_schedules_in_danish(as_lang):
    client = as_lang("da")
    assert "Du har ingen rapporter endnu." in page(client, "/reports/mina")
    assert "Du har ingen planlagte rapporter." in page(client, "/reports/scheman")
    form = page(client, "/reports/scheman/ny?path=/reports/abonnemang")
    assert "Hvor ofte" in form and "Hver måned" in form and "Mandag" in form
    assert "Hur ofta" not in form and "Varje månad" not in form


def test_period_errors_translated_with_their_values(as_lang):
    client = as_lang("en")
    text = page(client, "/reports/avslutade-tjanster?from=nej&to=2026-01-01")
    assert "From is not a date (YYYY-MM-DD)." in text
    assert "är inte ett datum" not in text
    client = as_lang("da")
    text = page(client, "/reports/avslutade-tjanster?from=2001-01-01&to=2026-01-01")
    assert "Perioden må højst være 60 måneder." in text
    assert "Perioden får vara" not in text


def test_number_error_of_a_report_form_translated(as_lang):
    text = page(as_lang("en"), "/reports/trafikspecifikation?number=&from=2026-01-01&to=2026-01-31")
    assert "Enter a number." in text and "Ange ett nummer." not in text


def test_schedule_form_error_and_confirmation_translated(as_lang):
    client = as_lang("en")
    who = User.get(User.username == ADMIN)
    bad = client.post(
        "/reports/scheman/ny",
        data={"path": "/reports/abonnemang", "frequency": "monthly", "month_day": "31"},
    )
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "Enter a day 1–28." in text and "Choose at least one recipient." in text
    assert "Ange en dag" not in text
    done = client.post(
        "/reports/scheman/ny",
        data={
            "path": "/reports/abonnemang",
            "title": "Översikt – Abonnemang",
            "frequency": "weekly",
            "weekday": "1",
            "month_day": "1",
            "hour": "7",
            "recipients": [str(who.id)],
        },
    )
    assert done.status_code == 303
    told = json.loads(done.headers["HX-Trigger"])["showMessage"]
    assert told == "The report is scheduled: Overview – Subscriptions"
    listing = page(client, "/reports/scheman")
    assert "Every Monday at 07" in listing and "Overview – Subscriptions" in listing
    schedule = ScheduledReport.get()
    dialog = page(client, f"/reports/scheman/{schedule.id}/ta-bort")
    assert "Remove scheduled report" in dialog and "will no longer be sent" in dialog


def test_schedules_stay_swedish_for_a_swedish_user(as_lang):
    client = as_lang("sv")
    owner = User.get(User.username == ADMIN)
    report_schedules.create(
        owner,
        title="Översikt – Abonnemang",
        path="/reports/abonnemang",
        report_key="reports.subscriptions",
        frequency="monthly",
        day=5,
        hour=8,
        recipient_ids=[owner.id],
    )
    listing = page(client, "/reports/scheman")
    assert "Den 5 varje månad kl. 08" in listing and "Inte körd ännu" in listing


# ------------------------------------------------------------ PDF and Excel


def test_invoice_pdf_in_danish_and_swedish(as_lang):
    invoice = next(i for i in expected.invoices(ADMIN) if i.ocr)
    danish = pdf_text(as_lang("da"), invoice)
    assert "Fakturadato" in danish and "Forfaldsdato" in danish
    assert "At betale (SEK)" in danish and "Angiv OCR-nummeret ved betaling" in danish
    assert "Side 1 af" in danish
    assert "Förfallodatum" not in danish and "Att betala" not in danish
    swedish = pdf_text(as_lang("sv"), invoice)
    assert "Förfallodatum" in swedish and "Att betala (SEK)" in swedish
    assert "Sida 1 av" in swedish and "Forfaldsdato" not in swedish


def test_english_export_has_english_headings(as_lang):
    title, rows = sheet_rows(as_lang("en").get(EXPORT).data)
    assert title == "Overview – Subscriptions"
    assert rows[0][:4] == ("Status", "Number", "User", "Type")
    assert "Price plan" in rows[0] and "Nummer" not in rows[0]
    title, rows = sheet_rows(as_lang("sv").get(EXPORT).data)
    assert title == "Översikt – Abonnemang"
    assert rows[0][:4] == ("Status", "Nummer", "Användare", "Typ")


def test_danish_invoice_export_has_danish_headings_and_statuses(as_lang):
    title, rows = sheet_rows(as_lang("da").get("/invoices?export=xlsx").data)
    assert title == "Fakturaer"
    assert rows[0][:2] == ("Status", "Kundenummer") and "Forfaldsdato" in rows[0]
    statuses = {row[0] for row in rows[1:]}
    assert statuses and statuses <= {"Betalt", "Ubetalt", "Forfalden"}
    _title, rows = sheet_rows(as_lang("sv").get("/invoices?export=xlsx").data)
    assert {row[0] for row in rows[1:]} <= {"Betald", "Obetald", "Förfallen"}


def test_worker_export_is_in_the_users_language(demo_app, as_lang, tmp_path):
    demo_app.config.update(EXPORT_JOB_ROWS=5, REPORT_DIR=str(tmp_path / "reports"))
    client = as_lang("da")
    response = client.get(EXPORT)  # immediate queue: the job runs at once
    assert response.status_code == 303
    job = ExportJob.get()
    assert job.status == "done"
    title, rows = sheet_rows(client.get(f"/reports/filer/{job.id}/ladda-ner").data)
    assert title == "Oversigt – Abonnementer"
    assert rows[0][:3] == ("Status", "Nummer", "Bruger") and "Prisplan" in rows[0]
    mine = page(client, "/reports/mina")
    assert "Oversigt – Abonnementer" in mine and "Færdig" in mine and "Hent" in mine
    assert "Klar" not in mine


def test_a_job_keeps_the_language_it_was_asked_in(demo_app, as_lang, tmp_path, monkeypatch):
    from web import jobs as web_jobs

    demo_app.config.update(EXPORT_JOB_ROWS=5, REPORT_DIR=str(tmp_path / "reports"))
    held = []
    monkeypatch.setattr(web_jobs, "_enqueue", held.append)
    client = as_lang("en")
    assert client.get(EXPORT).status_code == 303
    set_language(ADMIN, "da")  # changed before the worker takes the job
    [job_id] = held
    assert web_jobs.replay(demo_app, job_id) == "done"
    job = ExportJob.get_by_id(job_id)
    assert job.language == "en"
    title, rows = sheet_rows(client.get(f"/reports/filer/{job.id}/ladda-ner").data)
    assert title == "Overview – Subscriptions" and rows[0][:2] == ("Status", "Number")


def test_a_report_too_large_for_the_screen_says_so_in_english(demo_app, as_lang, tmp_path):
    demo_app.config.update(REPORT_PREVIEW_ROWS=1, REPORT_DIR=str(tmp_path / "reports"))
    client = as_lang("en")
    response = client.get("/reports/forbrukning")
    assert response.status_code == 303
    text = page(client, response.headers["Location"])
    assert "The month holds more than 1 mobile subscriptions" in text
    assert "Månaden omfattar" not in text
    assert "Usage report" in text and "The export is large" in text


def test_scheduled_report_in_owners_language_and_mail_in_recipients(
    demo_app, smtp_server, tmp_path
):
    demo_app.config.update(smtp_server.config)
    demo_app.config.update(REPORT_DIR=str(tmp_path / "reports"), PUBLIC_URL="https://portal.test")
    set_language(ADMIN, "en")
    owner = User.get(User.username == ADMIN)
    report_schedules.create(
        owner,
        title="Översikt – Abonnemang",
        path="/reports/abonnemang",
        report_key="reports.subscriptions",
        frequency="weekly",
        day=1,
        hour=7,
        recipient_ids=[owner.id],
    )
    with write_tx():
        ScheduledReport.update(next_run_at=utcnow() - dt.timedelta(minutes=1)).execute()
    import worker

    worker.run_due_schedules.call_local()
    worker.deliver_outbox.call_local()
    [message] = smtp_server.messages
    assert message["Subject"] == "Scheduled report: Overview – Subscriptions"
    body = message.get_body(("plain",)).get_content()
    assert "Here is the report Overview – Subscriptions" in body and "every monday at 07" in body
    [attachment] = list(message.iter_attachments())
    _title, rows = sheet_rows(attachment.get_content())
    assert rows[0][:2] == ("Status", "Number")
