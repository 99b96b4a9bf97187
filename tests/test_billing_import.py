"""The billing importer (INV-2, domain/billing/) through ``flask billing``
and its domain calls: bad rows reported with line and reason, re-imports
double nothing, a later file changes exactly the fields billing may change
(other differences reported as conflicts), undo restores the state before,
refuse mode writes nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from database import write_tx
from domain.billing import import_file, undo
from tables.billing import CallRecord, ImportBatch, ImportChange, Invoice, InvoiceLine
from tests.billing_files import (
    CDR_HEADER,
    INVOICE_HEADER,
    USAGE_HEADER,
    Demo,
    cdr_row,
    invoice_rows,
    write,
)


@pytest.fixture
def demo(demo_app):
    return Demo()


def snapshot_cdr(demo):
    return sorted(
        CallRecord.select(
            CallRecord.id,
            CallRecord.started_at,
            CallRecord.b_number,
            CallRecord.price_ore,
            CallRecord.invoiced,
            CallRecord.invoice,
        )
        .where(CallRecord.organisation == demo.org)
        .tuples()
    )


def snapshot_invoices(demo):
    return sorted(
        Invoice.select(
            Invoice.id, Invoice.number, Invoice.status, Invoice.paid_at, Invoice.amount_ore
        )
        .where(Invoice.organisation == demo.org)
        .tuples()
    )


def full_rows(model, demo) -> dict:
    """Every stored field of the organisation's rows, by (table, id)."""
    table = model._meta.table_name
    return {
        (table, row["id"]): row
        for row in model.select().where(model.organisation == demo.org).dicts()
    }


def run_cli(app, *args):
    return app.test_cli_runner().invoke(args=["billing", *args])


# ------------------------------------------------------------ bad rows, re-import


def test_cdr_file_with_bad_rows_reports_each_and_reimport_doubles_nothing(demo_app, demo, tmp_path):
    before = CallRecord.select().count()
    rows = [cdr_row(demo, i) for i in range(10)]
    rows[2] = rows[2].replace("2026-01-02 10:02:02", "2026-13-02 10:02:02")  # line 4
    rows[4] = rows[4].replace(";mobil;", ";telegram;")  # line 6
    rows[6] = rows[6].replace(f";{demo.numbers[0]};", ";0709999999;")  # line 8
    rows[7] = rows[7].replace(";67;0,00;", ";67;12,345;")  # line 9: bad amount
    rows.append(cdr_row(demo, 3))  # line 12: the same call as line 5
    path = write(tmp_path / "cdr.csv", CDR_HEADER, rows)

    result = run_cli(demo_app, "import", "cdr", str(path))
    assert result.exit_code == 0, result.output
    assert (
        "done: 11 poster: 6 nya, 0 oförändrade, 0 uppdaterade, 0 konflikter, 5 fel" in result.output
    )
    problems = result.stderr
    assert "rad 4: fel: starttid: '2026-13-02 10:02:02' är ingen tid" in problems
    assert "rad 6: fel: typ: 'telegram' är inget av" in problems
    assert "rad 8: fel: tjänst: ingen tjänst 0709999999" in problems
    assert "rad 9: fel: pris: '12,345' är inget belopp" in problems
    assert "rad 12: fel: samma nyckel" in problems and "som rad 5 i filen" in problems
    assert CallRecord.select().count() == before + 6
    batch = ImportBatch.get()
    assert (batch.status, batch.rows_new, batch.rows_failed) == ("done", 6, 5)
    assert [e["row"] for e in json.loads(batch.errors)] == [4, 6, 8, 9, 12]

    # Stockholm 10:00 in January is 09:00 UTC, as every stored time.
    first = CallRecord.get(CallRecord.import_batch == batch.id, CallRecord.b_number == "0701100000")
    assert first.started_at == dt.datetime(2026, 1, 2, 9, 0, 0)
    assert first.account_id == demo.services[0].account_id

    state = snapshot_cdr(demo)
    again = run_cli(demo_app, "import", "cdr", str(path))
    assert "0 nya, 6 oförändrade, 0 uppdaterade, 0 konflikter, 5 fel" in again.output
    # An overlapping file: five known calls and two new ones.
    overlap = write(
        tmp_path / "cdr2.csv", CDR_HEADER, [cdr_row(demo, i) for i in (0, 1, 3, 5, 8, 20, 21)]
    )
    third = import_file("cdr", str(overlap))
    assert (third.new, third.unchanged, third.errors) == (2, 5, 0)
    assert len(snapshot_cdr(demo)) == len(state) + 2


def test_invoice_file_reimport_doubles_nothing(demo, tmp_path):
    rows = invoice_rows(demo, "7001-1") + invoice_rows(demo, "7001-2", total="188,13")
    rows += invoice_rows(demo, "7001-3", total="200,00")  # lines 6-7: wrong total
    path = write(tmp_path / "inv.csv", INVOICE_HEADER, rows)
    report = import_file("invoices", str(path))
    assert (report.total, report.new, report.errors) == (3, 2, 1)
    assert report.error_list[0]["row"] == 6
    assert (
        "belopp 200,00 stämmer inte med radernas summa plus moms" in report.error_list[0]["error"]
    )
    invoice = Invoice.get(Invoice.number == "7001-2")
    assert (invoice.amount_ore, invoice.vat_ore, invoice.account_id) == (
        18813,
        3763,
        demo.account.id,
    )
    lines = (
        InvoiceLine.select().where(InvoiceLine.invoice == invoice).order_by(InvoiceLine.position)
    )
    assert [(line.description, line.amount_ore, line.user_name) for line in lines] == [
        ("Abonnemang", 10000, "Anna"),
        ("Samtal och meddelanden", 5050, "Bo"),
    ]
    count = InvoiceLine.select().count()
    again = import_file("invoices", str(path))
    assert (again.new, again.unchanged, again.errors) == (0, 2, 1)
    assert InvoiceLine.select().count() == count


# -------------------------------------------------- a later file, conflicts, undo


def test_later_file_marks_paid_and_invoiced_then_undo_restores(demo_app, demo, tmp_path):
    first = write(
        tmp_path / "inv.csv",
        INVOICE_HEADER,
        invoice_rows(demo, "7002-1") + invoice_rows(demo, "7002-2"),
    )
    assert import_file("invoices", str(first)).new == 2
    calls = write(tmp_path / "cdr.csv", CDR_HEADER, [cdr_row(demo, i) for i in range(5)])
    assert import_file("cdr", str(calls)).new == 5
    invoices_before = snapshot_invoices(demo)
    calls_before = snapshot_cdr(demo)
    whole_before = full_rows(Invoice, demo) | full_rows(CallRecord, demo)

    # Billing has since been paid for 7002-1 and invoiced calls 0-2 on it; 7002-2
    # comes back with another due date (a conflict), call 4 with another price.
    later_invoices = invoice_rows(
        demo, "7002-1", status="betald", paid="2026-02-08"
    ) + invoice_rows(demo, "7002-2", due="2026-03-01")
    paid = write(tmp_path / "inv2.csv", INVOICE_HEADER, later_invoices)
    report = import_file("invoices", str(paid))
    assert (report.updated, report.conflicts, report.new, report.unchanged) == (1, 1, 0, 0)
    assert report.conflict_list == [
        {
            "row": 4,
            "error": "faktura 7002-2 finns redan med andra värden för förfallodatum; inte ändrad",
        }
    ]
    invoiced = [cdr_row(demo, i, invoiced="ja", invoice="7002-1") for i in range(3)]
    invoiced += [cdr_row(demo, 3), cdr_row(demo, 4, price="1,50")]
    marked = write(tmp_path / "cdr2.csv", CDR_HEADER, invoiced)
    report = import_file("cdr", str(marked))
    assert (report.updated, report.unchanged, report.conflicts) == (3, 1, 1)
    assert "andra värden för pris" in report.conflict_list[0]["error"]

    # Exactly those fields changed.
    whole_after = full_rows(Invoice, demo) | full_rows(CallRecord, demo)
    differences = {
        (key[0], field)
        for key, row in whole_after.items()
        for field, value in row.items()
        if whole_before[key][field] != value
    }
    assert differences == {
        ("invoice", "status"),
        ("invoice", "paid_at"),
        ("call_record", "invoiced"),
        ("call_record", "invoice"),
    }
    assert len([k for k in whole_after if whole_after[k] != whole_before[k]]) == 1 + 3
    after = {n: (s, p, a) for _, n, s, p, a in snapshot_invoices(demo)}
    assert after["7002-1"][:2] == ("paid", dt.date(2026, 2, 8))
    assert after["7002-2"][:2] == ("unpaid", None)
    assert Invoice.get(Invoice.number == "7002-2").due_date == dt.date(2026, 2, 10)
    changed = {row[0]: row for row in snapshot_cdr(demo) if row not in calls_before}
    invoice_id = Invoice.get(Invoice.number == "7002-1").id
    assert len(changed) == 3
    assert all(row[4] is True and row[5] == invoice_id for row in changed.values())
    assert [before[1:4] for before in calls_before if before[0] in changed] == [
        row[1:4] for row in sorted(changed.values())
    ]

    # Undo the invoice update while the call records still point at 7002-1: fine
    # (the calls refer to the invoice, not to the update). Undo in any order of
    # unrelated batches; then the state before.
    batches = [b.id for b in ImportBatch.select().order_by(ImportBatch.id)]
    result = run_cli(demo_app, "undo", str(batches[3]))
    assert result.exit_code == 0, result.output
    undo(batches[2])
    assert snapshot_invoices(demo) == invoices_before
    assert snapshot_cdr(demo) == calls_before
    assert ImportBatch.get_by_id(batches[2]).status == "undone"
    assert ImportChange.select().where(ImportChange.batch.in_(batches[2:])).count() == 0


def test_undo_waits_for_later_imports_of_the_same_rows(demo_app, demo, tmp_path):
    path = write(tmp_path / "inv.csv", INVOICE_HEADER, invoice_rows(demo, "7003-1"))
    first = import_file("invoices", str(path)).batch_id
    calls = write(
        tmp_path / "cdr.csv", CDR_HEADER, [cdr_row(demo, 1, invoiced="ja", invoice="7003-1")]
    )
    second = import_file("cdr", str(calls)).batch_id
    result = run_cli(demo_app, "undo", str(first))
    assert result.exit_code == 1
    assert f"Import #{first} kan inte ångras förrän #{second} har ångrats" in result.output
    assert Invoice.get_or_none(Invoice.number == "7003-1") is not None
    undo(second)
    undo(first)
    assert Invoice.get_or_none(Invoice.number == "7003-1") is None
    assert "kan inte ångras" in run_cli(demo_app, "undo", str(first)).output  # already undone
    assert "Det finns ingen import #999" in run_cli(demo_app, "undo", "999").output


# --------------------------------------------------------------- refuse whole


def test_refuse_mode_leaves_the_database_unchanged(demo_app, demo, tmp_path):
    calls_before = snapshot_cdr(demo)
    rows = [cdr_row(demo, i) for i in range(2500)]  # three chunks
    rows[2200] = rows[2200].replace(";ut;", ";sidledes;")
    path = write(tmp_path / "cdr.csv", CDR_HEADER, rows)
    result = run_cli(demo_app, "import", "cdr", str(path), "--on-error", "refuse")
    assert result.exit_code == 1
    assert "rad 2202: fel: riktning" in result.stderr
    assert "Filen avvisades: 1 rader har fel, inget importerades." in result.stderr
    assert snapshot_cdr(demo) == calls_before
    assert ImportBatch.get().status == "refused"

    # The same file without the bad row imports in full.
    rows[2200] = cdr_row(demo, 2200)
    write(tmp_path / "cdr.csv", CDR_HEADER, rows)
    report = import_file("cdr", str(path), on_error="refuse")
    assert (report.status, report.new) == ("done", 2500)


def test_dry_run_writes_nothing(demo_app, demo, tmp_path):
    before = snapshot_cdr(demo)
    path = write(tmp_path / "cdr.csv", CDR_HEADER, [cdr_row(demo, i) for i in range(3)])
    result = run_cli(demo_app, "import", "cdr", str(path), "--dry-run")
    assert "provkörning: done: 3 poster: 3 nya" in result.output
    assert ImportBatch.select().count() == 0
    assert snapshot_cdr(demo) == before


def test_a_file_that_fails_late_leaves_nothing_written(demo_app, demo, tmp_path):
    """A line that is not UTF-8 after the first chunk was written: the
    whole file is refused and what the run wrote is taken back."""
    before = snapshot_cdr(demo)
    text = "\r\n".join([CDR_HEADER, *(cdr_row(demo, i) for i in range(1500))]) + "\r\n"
    path = tmp_path / "cdr.csv"
    path.write_bytes(text.encode() + "kund;tjänst;Malmö\r\n".encode("latin-1"))
    report = import_file("cdr", str(path))
    assert report.status == "refused"
    assert report.message.startswith("Rad 1502: filen är inte UTF-8")
    assert report.message.endswith("Inget importerades.")
    assert snapshot_cdr(demo) == before


# ------------------------------------------------------------------ malformed


MALFORMED = {
    "wrong columns": (
        "kundnummer;tjänst;starttid;typ;färg",
        "Rubrikraden stämmer inte med formatet – saknade kolumner: b_nummer; okända kolumner: färg.",
    ),
    "empty": ("", "Filen är tom"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_header_refuses_the_file(demo_app, demo, tmp_path, case):
    header, message = MALFORMED[case]
    path = write(tmp_path / "cdr.csv", header, [])
    result = run_cli(demo_app, "import", "cdr", str(path))
    assert result.exit_code == 1
    assert message in result.stderr
    assert ImportBatch.get().status == "refused"


def test_not_utf8_names_the_line(demo_app, demo, tmp_path):
    path = write(tmp_path / "cdr.csv", CDR_HEADER, [cdr_row(demo, 1)], encoding="cp1252")
    report = import_file("cdr", str(path), dry_run=True)
    assert report.status == "refused"
    assert report.message.startswith("Rad 1: filen är inte UTF-8")


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("fakturadatum", "2026-02-30", "fakturadatum: '2026-02-30' är inget datum (ÅÅÅÅ-MM-DD)"),
        ("fakturadatum", "11/1/2026", "fakturadatum: '11/1/2026' är inget datum"),
        ("moms", "tio", "moms: 'tio' är inget belopp"),
        ("moms", "1.234,5", "moms: '1.234,5' är inget belopp"),
        ("kundnummer", "11111111", "inget konto har kundnummer 11111111"),
        ("status", "kanske", "status: 'kanske' är inget av"),
    ],
)
def test_bad_invoice_fields(demo, tmp_path, field, value, reason):
    rows = invoice_rows(demo, "7004-1")
    columns = INVOICE_HEADER.split(";")
    cells = rows[0].split(";")
    cells[columns.index(field)] = value
    rows = [";".join(cells)]
    path = write(tmp_path / "inv.csv", INVOICE_HEADER, rows)
    report = import_file("invoices", str(path))
    assert report.errors == 1
    assert report.error_list[0]["row"] == 2
    assert reason in report.error_list[0]["error"]
    assert Invoice.get_or_none(Invoice.number == "7004-1") is None


def test_duplicate_invoice_number_in_one_file(demo, tmp_path):
    rows = (
        invoice_rows(demo, "7005-1") + invoice_rows(demo, "7005-2") + invoice_rows(demo, "7005-1")
    )
    report = import_file("invoices", str(write(tmp_path / "inv.csv", INVOICE_HEADER, rows)))
    assert report.new == 2
    assert report.error_list == [{"row": 6, "error": "samma nyckel (7005-1) som rad 2 i filen"}]


def test_unknown_invoice_number_on_a_call(demo, tmp_path):
    path = write(
        tmp_path / "cdr.csv", CDR_HEADER, [cdr_row(demo, 1, invoiced="ja", invoice="0000-1")]
    )
    report = import_file("cdr", str(path))
    assert report.error_list == [
        {"row": 2, "error": "fakturanummer: det finns ingen faktura 0000-1"}
    ]


def test_usage_updates_open_months_and_reports_closed_ones(demo, tmp_path):
    from tables.services import MonthlyUsage

    today = dt.date(2026, 3, 15)
    service = demo.services[0]
    rows = [
        f"{demo.customer};{demo.numbers[0]};2025-11;100;60;1;2;10,00",
        f"{demo.customer};{demo.numbers[0]};2026-02;100;60;1;2;10,00",
        f"{demo.customer};{demo.numbers[0]};2026-03;100;60;1;2;10,00",
    ]
    with write_tx():
        MonthlyUsage.delete().where(MonthlyUsage.service == service).execute()
    first = import_file("usage", str(write(tmp_path / "u.csv", USAGE_HEADER, rows)), today=today)
    assert first.new == 3
    later = [row.replace(";100;", ";250;") for row in rows]
    report = import_file("usage", str(write(tmp_path / "u2.csv", USAGE_HEADER, later)), today=today)
    assert (report.updated, report.conflicts) == (2, 1)
    assert report.conflict_list[0]["row"] == 2
    assert "2025-11 är stängd och skiljer sig i data_mb" in report.conflict_list[0]["error"]
    used = {
        u.month: u.data_used_mb
        for u in MonthlyUsage.select().where(MonthlyUsage.service == service)
    }
    assert used == {dt.date(2025, 11, 1): 100, dt.date(2026, 2, 1): 250, dt.date(2026, 3, 1): 250}
    undo(report.batch_id)
    undo(first.batch_id)
    assert MonthlyUsage.select().where(MonthlyUsage.service == service).count() == 0


def test_batches_lists_the_imports(demo_app, demo, tmp_path):
    path = write(tmp_path / "cdr.csv", CDR_HEADER, [cdr_row(demo, 1)])
    import_file("cdr", str(path))
    result = run_cli(demo_app, "batches")
    assert "cdr" in result.output and "done" in result.output and "cdr.csv" in result.output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-07-01 12:00:00", dt.datetime(2026, 7, 1, 10, 0, 0)),  # summer: UTC+2
        ("2026-01-15 00:30:00", dt.datetime(2026, 1, 14, 23, 30, 0)),  # winter: UTC+1
        ("2026-10-25 02:30:00", dt.datetime(2026, 10, 25, 0, 30, 0)),  # repeated hour: the first
    ],
)
def test_local_times_are_stored_in_utc(text, expected):
    from domain.billing.csvfile import local_time

    assert local_time({"starttid": text}, "starttid") == expected


def test_a_time_the_spring_skips_is_an_error():
    from domain.billing.csvfile import RowError, local_time

    with pytest.raises(RowError, match="finns inte i svensk tid"):
        local_time({"starttid": "2026-03-29 02:30:00"}, "starttid")


@pytest.mark.parametrize(
    ("text", "ore"),
    [("1234,50", 123450), ("1 234.5", 123450), ("-12", -1200), ("0,05", 5)],
)
def test_amounts_in_kronor(text, ore):
    from domain.billing.csvfile import amount

    assert amount({"pris": text}, "pris") == ore


def test_an_unexpected_failure_takes_back_what_was_written(demo, tmp_path, monkeypatch):
    from domain.billing.cdr import CallRecords

    before = snapshot_cdr(demo)
    path = write(tmp_path / "cdr.csv", CDR_HEADER, [cdr_row(demo, i) for i in range(2500)])
    real_write = CallRecords.write
    calls = []

    def failing_write(self, outcomes, ctx):
        calls.append(len(outcomes))
        if len(calls) == 3:
            raise RuntimeError("disk full")
        real_write(self, outcomes, ctx)

    monkeypatch.setattr(CallRecords, "write", failing_write)
    with pytest.raises(RuntimeError):
        import_file("cdr", str(path))
    assert calls == [1000, 1000, 500]
    assert snapshot_cdr(demo) == before
    batch = ImportBatch.get()
    assert batch.status == "failed"
    assert batch.message == "Importen misslyckades: disk full"
