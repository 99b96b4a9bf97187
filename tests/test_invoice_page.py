"""The invoice page /invoices/<id> (issue 15 item 1, INV-1): the header and
how to pay, the lines by service with the totals, credit notes beside the
invoice, the drill-down to the call records, the 12-month chart, the scope,
and the links to the page from the list and from search; plus the list's
period filter and its search by invoice number or account name."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from lxml import html as lxml_html

from blueprints.services.charts import month_label
from database import write_tx
from domain.formats import kr as kr_nbsp
from models import CallRecord, CreditNote, CreditNoteLine, Invoice, InvoiceLine
from tests import expected
from tests.conftest import ACCOUNT_ADMIN, ADMIN, INVOICES_ONLY, OTHER_ORG_ADMIN
from tests.listpage import all_rows, get_list


def page_of(client, invoice_id: int):
    response = client.get(f"/invoices/{invoice_id}")
    assert response.status_code == 200
    return lxml_html.fromstring(response.get_data(as_text=True))


def text(node) -> str:
    """The node's text with every run of white space (no-break spaces too) as one space."""
    return re.sub(r"\s+", " ", node.text_content()).strip()


def kr(ore: int) -> str:
    return re.sub(r"\s+", " ", kr_nbsp(ore))


def facts(doc) -> dict[str, str]:
    """The header's label → value, from both of its panels."""
    out = {}
    for dl in doc.xpath('//div[contains(@class, "invoice-head")]//dl'):
        for dt_ in dl.xpath("./dt"):
            out[text(dt_)] = text(dt_.getnext())
    return out


def groups(doc) -> list[tuple[str, list[str]]]:
    """(group heading, [line description, …]) in the order shown."""
    out = []
    for body in doc.xpath('//table[contains(@class, "lines")]/tbody'):
        heading = text(body.xpath('./tr[@class="group-head"]/th')[0])
        lines = [
            text(tr.xpath("./td")[0])
            for tr in body.xpath("./tr[not(@class)]")  # not the heading nor Summa
        ]
        out.append((heading, lines))
    return out


# ------------------------------------------------------------------ an invoice we build


@pytest.fixture
def billed(app, make_org, make_account, make_service, make_user):
    """An organisation with two services on a sub-account, and an invoice
    whose lines come in mixed order: no service, B, A, A."""
    org = make_org("Fakturabolaget AB")
    account = make_account(org, company_name="Fakturakonto", invoice_reference="PROJ-7")
    other = make_account(org, company_name="Annat konto")
    a = make_service(account, number="0701112233", user_name="Anna Ek")
    b = make_service(account, number="0704445566", user_name="Bo Ek")
    admin = make_user(org, superuser=True, permissions={"invoices.view", "tickets.manage"})
    day = dt.date(2025, 3, 11)
    with write_tx():
        invoice = Invoice.create(
            organisation=org,
            account=account,
            number="6789-100001",
            invoice_date=day,
            due_date=dt.date(2025, 4, 10),
            period_start=dt.date(2025, 2, 1),
            period_end=dt.date(2025, 2, 28),
            amount_ore=(13900 + 2000 + 9900 + 4950) * 5 // 4,
            vat_ore=(13900 + 2000 + 9900 + 4950) // 4,
            reference="PROJ-7",
            ocr="1234567897",
        )
        lines = {}
        for position, (service, description, amount) in enumerate(
            [
                (None, "Fakturaavgift", 4950),
                (b, "Mobil Fastpris B", 9900),
                (a, "Mobil Fastpris A", 13900),
                (a, "Samtal och meddelanden A", 2000),
            ]
        ):
            lines[description] = InvoiceLine.create(
                invoice=invoice,
                service=service,
                description=description,
                user_name=service.user_name if service else "",
                invoice_text="Projekt Norr" if service is a else "",
                period_start=dt.date(2025, 2, 1),
                period_end=dt.date(2025, 2, 28),
                amount_ore=amount,
                position=position,
            )
    return {
        "org": org,
        "account": account,
        "other": other,
        "a": a,
        "b": b,
        "admin": admin,
        "invoice": invoice,
        "lines": lines,
    }


def test_lines_are_grouped_by_service_with_the_rest_under_ovrigt(client, login, billed):
    login(client, billed["admin"].username)
    doc = page_of(client, billed["invoice"].id)
    shown = groups(doc)
    assert [heading for heading, _ in shown] == [
        "070-444 55 66 Bo Ek",
        "070-111 22 33 Anna Ek",
        "Övrigt",
    ]
    assert [lines for _, lines in shown] == [
        ["Mobil Fastpris B"],
        ["Mobil Fastpris A", "Samtal och meddelanden A"],
        ["Fakturaavgift"],
    ]
    a_group = doc.xpath('//table[contains(@class, "lines")]/tbody')[1]
    cells = [text(td) for td in a_group.xpath("./tr[not(@class)][1]/td")]
    assert cells == ["Mobil Fastpris A", "Projekt Norr", "2025-02-01 – 2025-02-28", kr(13900)]
    (subtotal,) = a_group.xpath('./tr[@class="subtotal"]/td[@class="num"]')
    assert text(subtotal) == kr(15900)


def test_the_total_is_the_lines_plus_vat(client, login, billed):
    login(client, billed["admin"].username)
    net = 13900 + 2000 + 9900 + 4950
    vat = net // 4
    head = facts(page_of(client, billed["invoice"].id))
    assert head["Belopp exkl. moms"] == kr(net)
    assert head["Moms"] == kr(vat)
    assert head["Att betala"] == kr(net + vat) == kr(billed["invoice"].amount_ore)
    # a line more on the invoice shows in its total
    with write_tx():
        InvoiceLine.create(invoice=billed["invoice"], description="Extra", amount_ore=100)
    head = facts(page_of(client, billed["invoice"].id))
    assert head["Belopp exkl. moms"] == kr(net + 100)
    assert head["Att betala"] == kr(net + 100 + vat)


def test_the_header_says_what_and_how_to_pay(app, client, login, billed):
    app.config["OPERATOR_BANKGIRO"] = "5050-1055"
    app.config["OPERATOR_PLUSGIRO"] = ""
    login(client, billed["admin"].username)
    doc = page_of(client, billed["invoice"].id)
    head = facts(doc)
    assert head["Fakturanummer"] == "6789-100001"
    assert head["Fakturadatum"] == "2025-03-11"
    assert head["Förfallodatum"] == "2025-04-10"
    assert head["Status"] == "Förfallen"  # unpaid and long past due
    assert head["Kundnummer"] == billed["account"].customer_number
    assert head["Konto"] == "Fakturakonto"
    assert head["Fakturareferens"] == "PROJ-7"
    assert head["Bankgiro"] == "5050-1055"
    assert "Plusgiro" not in head
    assert head["OCR-nummer"] == "1234567897"
    assert "Ange OCR-numret vid betalning." in text(doc)
    assert text(doc.xpath("//h1")[0]) == "Faktura 6789-100001"


def test_a_paid_invoice_says_so_and_without_ocr_pays_with_the_derived_one(client, login, billed):
    invoice = billed["invoice"]
    with write_tx():
        Invoice.update(status="paid", paid_at=dt.date(2025, 4, 8), ocr="").where(
            Invoice.id == invoice.id
        ).execute()
    login(client, billed["admin"].username)
    doc = page_of(client, invoice.id)
    head = facts(doc)
    assert head["Status"] == "Betald 2025-04-08"
    assert head["OCR-nummer"] == "67891000019"  # the number's digits and a Luhn digit
    assert "Fakturan är betald 2025-04-08." in text(doc)


def test_credit_notes_show_beside_the_invoice_and_leave_its_amount(client, login, billed):
    login(client, billed["admin"].username)
    before = facts(page_of(client, billed["invoice"].id))
    credited = billed["lines"]["Samtal och meddelanden A"]
    with write_tx():
        note = CreditNote.create(
            organisation=billed["org"],
            account=billed["account"],
            invoice=billed["invoice"],
            number="K-5001",
            issued_on=dt.date(2025, 3, 20),
            amount_ore=2000,
            reason="Felaktigt debiterade samtal",
        )
        CreditNoteLine.create(
            credit_note=note,
            invoice_line=credited,
            service=billed["a"],
            description="Kreditering samtal",
            amount_ore=2000,
        )
    doc = page_of(client, billed["invoice"].id)
    assert facts(doc) == before
    (panel,) = doc.xpath('//section[@id="credit-notes"]')
    # beside the lines, not among them
    assert panel.xpath('ancestor::div[@class="invoice-aside"]')
    shown = text(panel)
    for part in (
        "Kreditnota K-5001",
        "2025-03-20",
        kr(2000),
        "Felaktigt debiterade samtal",
        "Kreditering samtal",
        "070-111 22 33 Anna Ek",
        f"Fakturarad: Samtal och meddelanden A, {kr(2000)}",
    ):
        assert part in shown, part
    marked = doc.xpath('//table[contains(@class, "lines")]//span[contains(@class, "credited")]')
    assert [text(m) for m in marked] == ["Krediterad (K-5001)"]
    assert "Samtal och meddelanden A" in text(marked[0].getparent())


def test_the_totals_are_the_lines_plus_vat_less_the_credit_notes(client, login, billed):
    """Two credit notes: the invoice's own amount stays the lines plus VAT,
    and what it comes to after them is that less both notes' amounts."""
    lines_ore = sum(line.amount_ore for line in billed["lines"].values())
    total = lines_ore + billed["invoice"].vat_ore
    with write_tx():
        for number, amount in (("K-7001", 2500), ("K-7002", 1250)):
            CreditNote.create(
                organisation=billed["org"],
                account=billed["account"],
                invoice=billed["invoice"],
                number=number,
                issued_on=dt.date(2025, 3, 25),
                amount_ore=amount,
            )
    login(client, billed["admin"].username)
    doc = page_of(client, billed["invoice"].id)
    (summary,) = doc.xpath('//dl[contains(@class, "credit-total")]')
    values = [text(dd) for dd in summary.xpath("./dd")]
    assert values == [kr(total), "−" + kr(3750), kr(total - 3750)]


def test_without_credit_notes_the_panel_says_so(client, login, billed):
    login(client, billed["admin"].username)
    (panel,) = page_of(client, billed["invoice"].id).xpath('//section[@id="credit-notes"]')
    assert "Inga kreditnotor har utfärdats för fakturan." in text(panel)


def test_the_chart_shows_twelve_months_of_the_account(client, login, billed):
    """Invoiced amounts per month up to the invoice's: the account's own
    invoices only, two in one month added up, older ones left out."""
    extra = [
        (billed["account"], dt.date(2024, 4, 11), 10000),  # first month of the twelve
        (billed["account"], dt.date(2024, 3, 31), 77700),  # the month before: left out
        (billed["account"], dt.date(2025, 1, 5), 5000),
        (billed["account"], dt.date(2025, 1, 20), 2500),
        (billed["account"], dt.date(2025, 4, 11), 88800),  # after the invoice: left out
        (billed["other"], dt.date(2025, 2, 11), 99900),  # another account
    ]
    with write_tx():
        for n, (account, day, amount) in enumerate(extra):
            Invoice.create(
                organisation=billed["org"],
                account=account,
                number=f"6789-2000{n}",
                invoice_date=day,
                due_date=day + dt.timedelta(days=30),
                amount_ore=amount,
            )
    login(client, billed["admin"].username)
    doc = page_of(client, billed["invoice"].id)
    (figure,) = doc.xpath('//figure[@class="chart"]')
    rows = [(text(tr.xpath("./th")[0]), text(tr.xpath("./td")[0])) for tr in figure.xpath(".//tr")]
    assert [label for label, _ in rows] == [
        *(f"{m} 2024" for m in ("apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")),
        *(f"{m} 2025" for m in ("jan", "feb", "mar")),
    ]
    values = dict(rows)
    assert values["apr 2024"] == kr(10000)
    assert values["jan 2025"] == kr(7500)
    assert values["feb 2025"] == kr(0)
    assert values["mar 2025"] == kr(billed["invoice"].amount_ore)
    bars = figure.xpath(".//*[local-name()='rect']")
    assert len(bars) == 12
    assert bars[-1].get("class") == "bar current"


def chart_values(client) -> dict[str, str]:
    response = client.get("/invoices/diagram")
    assert response.status_code == 200
    doc = lxml_html.fromstring(response.get_data(as_text=True))
    (figure,) = doc.xpath('//figure[@class="chart"]')
    return {text(tr.xpath("./th")[0]): text(tr.xpath("./td")[0]) for tr in figure.xpath(".//tr")}


def months_back(back: int) -> dt.date:
    day = dt.date.today().replace(day=1)
    for _ in range(back):
        day = (day - dt.timedelta(days=1)).replace(day=1)
    return day


def test_the_list_chart_sums_everything_in_scope_over_twelve_months(
    client, login, billed, make_org, make_account, make_user
):
    """Fakturor's chart: the twelve months up to the newest invoice's (this
    month's here), every invoice the user may see; a Kontoadministratör's
    only their sub-tree's, another organisation's never; a future-dated one
    does not move the chart."""
    this_month, eleven_back = months_back(0), months_back(11)
    stranger = make_org("Främmande AB")
    rows = [
        (billed["account"], this_month, 10000),
        (billed["other"], this_month + dt.timedelta(days=1), 2500),
        (billed["account"], eleven_back, 4000),
        (billed["account"], months_back(12), 99900),  # the thirteenth month: left out
        (stranger.top_account(), this_month, 777700),  # another organisation
        (billed["account"], dt.date.today() + dt.timedelta(days=62), 5500),  # not yet issued
    ]
    with write_tx():
        for n, (account, day, amount) in enumerate(rows):
            Invoice.create(
                organisation=account.organisation,
                account=account,
                number=f"6789-3000{n}",
                invoice_date=day,
                due_date=day + dt.timedelta(days=30),
                amount_ore=amount,
            )
    label = lambda day: f"{month_label(day)} {day.year}"  # noqa: E731
    login(client, billed["admin"].username)
    page = client.get("/invoices").get_data(as_text=True)
    assert 'hx-get="/invoices/diagram"' in page
    values = chart_values(client)
    assert len(values) == 12
    assert values[label(this_month)] == kr(12500)
    assert values[label(eleven_back)] == kr(4000)
    assert label(months_back(12)) not in values

    konto = make_user(billed["org"], account=billed["other"], permissions={"invoices.view"})
    login(client, konto.username)
    assert chart_values(client)[label(this_month)] == kr(2500)


def test_the_list_chart_needs_the_invoice_permission(client, login, billed, make_user):
    login(client, make_user(billed["org"], permissions={"tickets.view"}).username)
    assert client.get("/invoices/diagram").status_code in (403, 404)


def test_skapa_arende_links_the_invoice_only_with_tickets_permission(client, login, billed):
    invoice = billed["invoice"]
    login(client, billed["admin"].username)
    doc = page_of(client, invoice.id)
    (link,) = doc.xpath('//a[normalize-space()="Skapa ärende"]')
    assert link.get("href") == f"/tickets/new?invoice={invoice.id}"
    form = client.get(link.get("href"))
    assert form.status_code == 200 and "6789-100001" in form.get_data(as_text=True)
    (pdf,) = doc.xpath('//a[contains(@class, "pdf-link")]')
    assert pdf.get("href") == f"/invoices/{invoice.id}/pdf" and pdf.get("target") == "_blank"


# ------------------------------------------------------------------ on the demo data


def test_the_invoice_only_user_opens_an_invoice(demo_client, login):
    login(demo_client, INVOICES_ONLY)
    invoice = expected.invoices(INVOICES_ONLY)[0]
    doc = page_of(demo_client, invoice.id)
    assert facts(doc)["Fakturanummer"] == invoice.number
    assert doc.xpath('//a[contains(@class, "pdf-link")]')
    # nothing the user may not open: no tickets, no call records, no account page
    assert not doc.xpath('//a[normalize-space()="Skapa ärende"]')
    assert not doc.xpath('//a[starts-with(@href, "/calls")]')
    assert not doc.xpath('//a[starts-with(@href, "/accounts/")]')
    assert not doc.xpath('//a[starts-with(@href, "/services/")]')


def test_outside_the_scope_the_invoice_is_not_found(demo_client, login):
    a3 = expected.invoices(ADMIN)
    assert a3
    login(demo_client, OTHER_ORG_ADMIN)
    for invoice in a3[:3]:
        assert demo_client.get(f"/invoices/{invoice.id}").status_code == 404
    login(demo_client, ACCOUNT_ADMIN)
    mine = {i.id for i in expected.invoices(ACCOUNT_ADMIN)}
    outside = [i for i in a3 if i.id not in mine]
    assert mine and outside
    assert demo_client.get(f"/invoices/{outside[0].id}").status_code == 404
    assert demo_client.get(f"/invoices/{min(mine)}").status_code == 200
    top = max(i.id for i in Invoice.select())
    for bad in (top + 1, 0, 2**63):
        assert demo_client.get(f"/invoices/{bad}").status_code == 404


def test_signed_out_goes_to_the_login(demo_client):
    invoice = expected.invoices(ADMIN)[0]
    response = demo_client.get(f"/invoices/{invoice.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_each_service_with_calls_drills_down_to_them(demo_client, login):
    """The link lists exactly the service's call records of the period."""
    login(demo_client, ADMIN)
    invoice = (
        Invoice.select()
        .join(CallRecord, on=(CallRecord.invoice == Invoice.id))
        .order_by(Invoice.invoice_date.desc())
        .first()
    )
    doc = page_of(demo_client, invoice.id)
    links = doc.xpath('//a[@class="calls-link"]/@href')
    with_calls = {
        sid
        for (sid,) in CallRecord.select(CallRecord.service)
        .where(CallRecord.account == invoice.account_id)
        .tuples()
    }
    services_on_invoice = {
        line.service_id for line in invoice.lines if line.service_id in with_calls
    }
    assert links and len(links) <= len(services_on_invoice)
    period = f"f_started_from={invoice.period_start}&f_started_to={invoice.period_end}"
    service_id = int(re.search(r"service=(\d+)", links[0]).group(1))
    assert links[0] == f"/calls?service={service_id}&{period}"
    listing = all_rows(
        demo_client,
        "/calls",
        {
            "service": service_id,
            "f_started_from": invoice.period_start.isoformat(),
            "f_started_to": invoice.period_end.isoformat(),
        },
    )
    records = [
        r
        for r in CallRecord.select().where(CallRecord.service == service_id)
        if invoice.period_start <= expected.local_date(r.started_at) <= invoice.period_end
    ]
    assert records and listing.total == len(records)
    # a service without call records (broadband, hosting) has no link
    no_calls = [
        line.service_id
        for line in invoice.lines
        if line.service_id and line.service_id not in with_calls
    ]
    for sid in no_calls:
        assert not any(f"service={sid}&" in link for link in links)


def test_the_list_and_search_link_the_invoice_page(demo_client, login):
    login(demo_client, ADMIN)
    doc = lxml_html.fromstring(demo_client.get("/invoices").get_data(as_text=True))
    cells = doc.xpath('//table[contains(@class, "list")]/tbody/tr/td[@data-label="Fakturanummer"]')
    assert cells
    for td in cells:
        (a,) = td.xpath("./a")
        invoice = Invoice.get(Invoice.number == text(a))
        assert a.get("href") == f"/invoices/{invoice.id}"
    first = Invoice.get(Invoice.number == text(cells[0]))
    assert demo_client.get(f"/invoices/{first.id}").status_code == 200
    for headers in ({}, {"HX-Request": "true"}):
        found = lxml_html.fromstring(
            demo_client.get(f"/search?q={first.number}", headers=headers).get_data(as_text=True)
        )
        hrefs = found.xpath('//section[contains(@class, "search-group")]//a/@href')
        assert f"/invoices/{first.id}" in hrefs
        assert not [h for h in hrefs if h.endswith("/pdf")]


def test_the_list_filters_by_invoice_date_period(demo_client, login):
    login(demo_client, ADMIN)
    mine = expected.invoices(ADMIN)
    dates = sorted({i.invoice_date for i in mine})
    start, end = dates[2], dates[5]
    listing = all_rows(
        demo_client, "/invoices", {"f_date_from": start.isoformat(), "f_date_to": end.isoformat()}
    )
    wanted = {i.number for i in mine if start <= i.invoice_date <= end}
    assert wanted and len(wanted) < len(mine)
    assert set(listing.column("Fakturanummer")) == wanted
    assert listing.notice
    # the filter shows as Fakturadatum from–to
    doc = lxml_html.fromstring(listing.text)
    assert doc.xpath('//input[@name="f_date_from"]') and doc.xpath('//input[@name="f_date_to"]')
    bad = get_list(demo_client, "/invoices", {"f_date_from": "2025-13-40"})
    assert bad.status == 200 and "Ange datum som ÅÅÅÅ-MM-DD." in bad.text


@pytest.mark.parametrize("column", ["number", "account"])
def test_the_list_searches_by_invoice_number_or_account_name(demo_client, login, column):
    login(demo_client, ADMIN)
    mine = expected.invoices(ADMIN)
    if column == "number":
        needle = mine[0].number[-4:]
        wanted = {i.number for i in mine if needle in i.number}
    else:
        needle = "underkonto"
        wanted = {
            i.number
            for i in mine
            if needle in i.account.company_name.lower() or needle in i.account.alias.lower()
        }
    listing = all_rows(demo_client, "/invoices", {f"f_{column}": needle})
    assert wanted and len(wanted) < len(mine)
    assert set(listing.column("Fakturanummer")) == wanted
