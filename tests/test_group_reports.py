"""Groups in the reports (issue 18, item 4): every report narrowed by
``?grupp=``, the report Kostnader per grupp and the lists' Summa per grupp,
against hand-computed totals on a small organisation made here.

Months are counted back from the current one: P is six months ago, C three,
P1 five (Cilla still in Sälj).

    Avdelning: Sälj, Ekonomi, Lager        Kostnadsställe: K1, K2

    konto Ett   Avdelning:Sälj from P
    konto Två   Avdelning:Ekonomi from P, Kostnadsställe:K2 from P
    Anna  (Ett) own Kostnadsställe:K1 from P         → Sälj (the account's), K1
    Bertil (Ett) own Avdelning:Lager from P           → Lager (overrides Sälj), no Kst
    Cilla (Två) own Avdelning:Sälj P..C-1, Lager from C → changed group (Byta grupp); K2
    David (Två) nothing of its own                    → Ekonomi, K2

Invoice lines (öre, VAT excluded):

    G-1  Två  P1       Cilla 100 kr (Sälj, K2), David 50 kr (Ekonomi, K2)
    G-2  Två  current  Cilla 200 kr (Lager, K2), David 70 kr (Ekonomi, K2; no period
                       of its own: the invoice's)
    G-3  Ett  P1       Bertil 30 kr (Lager, –), Fakturaavgift 5 kr without a service
                       (Konto Ett's: Sälj, –)
"""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest

from database import write_tx
from models import CallRecord, Group, GroupCategory, GroupMembership, Invoice, InvoiceLine

PEOPLE = ("Anna", "Bertil", "Cilla", "David")


def months_back(n: int) -> dt.date:
    month = dt.date.today().replace(day=1)
    for _ in range(n):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


CURRENT, C, P = months_back(0), months_back(3), months_back(6)
BEFORE_C, P1 = months_back(4), months_back(5)
REPORT = "/reports/kostnader-per-grupp"


@pytest.fixture
def world(make_org, make_account, make_user, make_service):
    org = make_org(name="Gruppbolaget AB")
    one = make_account(org, company_name="Konto Ett")
    two = make_account(org, company_name="Konto Två")
    admin = make_user(org, superuser=True)
    # Kontoadministratör of Konto Två: only its lines.
    konto = make_user(org, account=two, permissions=("reports.view", "invoices.view"))
    s = {
        "Anna": make_service(one, user_name="Anna", monthly_ore=10000),
        "Bertil": make_service(one, user_name="Bertil", monthly_ore=20000),
        "Cilla": make_service(two, user_name="Cilla", monthly_ore=30000),
        "David": make_service(two, user_name="David", monthly_ore=40000),
    }
    with write_tx():
        avd = GroupCategory.create(organisation=org, name="Avdelning", position=0)
        kst = GroupCategory.create(organisation=org, name="Kostnadsställe", position=1)
        g = {name: Group.create(category=avd, name=name) for name in ("Sälj", "Ekonomi", "Lager")}
        g |= {name: Group.create(category=kst, name=name) for name in ("K1", "K2")}

        def member(group, start, end=None, account=None, service=None):
            GroupMembership.create(
                group=g[group], account=account, service=service, start_month=start, end_month=end
            )

        member("Sälj", P, account=one)
        member("Ekonomi", P, account=two)
        member("K2", P, account=two)
        member("K1", P, service=s["Anna"])
        member("Lager", P, service=s["Bertil"])
        member("Sälj", P, BEFORE_C, service=s["Cilla"])
        member("Lager", C, service=s["Cilla"])

        other = make_org(name="Annat AB")
        foreign_category = GroupCategory.create(organisation=other, name="Avdelning")
        foreign = Group.create(category=foreign_category, name="Sälj")

        for number, account, month, lines in [
            ("G-1", two, P1, [("Cilla", 10000, True), ("David", 5000, True)]),
            ("G-2", two, CURRENT, [("Cilla", 20000, True), ("David", 7000, False)]),
            ("G-3", one, P1, [("Bertil", 3000, True), (None, 500, True)]),
        ]:
            net = sum(amount for _, amount, _ in lines)
            invoice = Invoice.create(
                organisation=org,
                account=account,
                number=number,
                invoice_date=month + dt.timedelta(days=27),
                due_date=month + dt.timedelta(days=57),
                period_start=month,
                amount_ore=net * 5 // 4,
                vat_ore=net // 4,
            )
            for position, (who, amount, own_period) in enumerate(lines):
                InvoiceLine.create(
                    invoice=invoice,
                    service=s[who] if who else None,
                    description="Abonnemang" if who else "Fakturaavgift",
                    period_start=month if own_period else None,
                    amount_ore=amount,
                    position=position,
                )
    return {
        "org": org,
        "admin": admin,
        "konto": konto,
        "services": s,
        "categories": {"Avdelning": avd.id, "Kostnadsställe": kst.id},
        "groups": {name: group.id for name, group in g.items()},
        "foreign": foreign.id,
        "foreign_category": foreign_category.id,
        "other": other,
    }


def heading(month: dt.date) -> str:
    from blueprints.services.charts import month_label

    return f"{month_label(month)} {month.year}"


def kronor(text: str) -> int:
    """öre of a cell like "1 234,50 kr"."""
    digits = re.sub(r"[^\d,-]", "", text.replace("\xa0", "").replace("−", "-"))
    return round(float(digits.replace(",", ".")) * 100)


def cost_table(client, category, *groups, world, **args) -> dict[str, dict[str, int]]:
    """The report's table: row label → {month heading or "Totalt": öre}."""
    import lxml.html

    query = [("kategori", world["categories"][category])]
    query += [("grupp", world["groups"].get(name, name)) for name in groups]
    query += list(args.items())
    response = client.get(REPORT, query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    doc = lxml.html.fromstring(response.get_data(as_text=True))
    headers = [
        th.text_content().strip()
        for th in doc.xpath("//table[@class='list group-costs']/thead//th")
    ]
    out = {}
    for tr in doc.xpath("//table[@class='list group-costs']//tr[th[@scope='row']]"):
        label = tr.xpath("./th")[0].text_content().strip()
        cells = [kronor(td.text_content()) for td in tr.xpath("./td")]
        out[label] = {h: v for h, v in zip(headers[1:], cells, strict=True) if v}
    return out


# ------------------------------------------------------------ Kostnader per grupp


def test_costs_per_department_by_month(client, login, world):
    login(client, world["admin"].username)
    table = cost_table(client, "Avdelning", world=world)
    p1, now = heading(P1), heading(CURRENT)
    assert table == {
        # Cilla's line of P1 in Sälj (her own membership then), the fee by Konto Ett.
        "Sälj": {p1: 10500, "Totalt": 10500},
        "Ekonomi": {p1: 5000, now: 7000, "Totalt": 12000},
        # Bertil's own membership overrides Konto Ett's Sälj; Cilla changed to Lager in C.
        "Lager": {p1: 3000, now: 20000, "Totalt": 23000},
        "Utan grupp": {},
        "Totalt": {p1: 18500, now: 27000, "Totalt": 45500},
    }


def test_costs_per_cost_centre_with_utan_grupp(client, login, world):
    login(client, world["admin"].username)
    table = cost_table(client, "Kostnadsställe", world=world)
    p1, now = heading(P1), heading(CURRENT)
    assert table == {
        "K1": {},  # Anna has no invoice lines
        "K2": {p1: 15000, now: 27000, "Totalt": 42000},
        "Utan grupp": {p1: 3500, "Totalt": 3500},  # Bertil and the fee
        "Totalt": {p1: 18500, now: 27000, "Totalt": 45500},
    }


def test_costs_narrowed_by_a_group_of_another_category(client, login, world):
    login(client, world["admin"].username)
    table = cost_table(client, "Kostnadsställe", "Sälj", world=world)
    p1 = heading(P1)
    assert table["K2"] == {p1: 10000, "Totalt": 10000}  # Cilla while in Sälj
    assert table["Utan grupp"] == {p1: 500, "Totalt": 500}  # the fee of Konto Ett
    assert table["Totalt"]["Totalt"] == 10500


def test_costs_of_a_kontoadministrator_are_their_accounts(client, login, world):
    login(client, world["konto"].username)
    table = cost_table(client, "Avdelning", world=world)
    assert {k: v.get("Totalt", 0) for k, v in table.items()} == {
        "Sälj": 10000,
        "Ekonomi": 12000,
        "Lager": 20000,
        "Utan grupp": 0,
        "Totalt": 42000,
    }


def test_costs_period_leaves_out_other_months(client, login, world):
    login(client, world["admin"].username)
    ym = CURRENT.strftime("%Y-%m")
    table = cost_table(client, "Avdelning", world=world, **{"from": ym, "to": ym})
    assert table["Totalt"] == {heading(CURRENT): 27000, "Totalt": 27000}


def test_another_organisations_group_is_ignored(client, login, world):
    login(client, world["admin"].username)
    plain = cost_table(client, "Avdelning", world=world)
    foreign = cost_table(client, "Avdelning", world["foreign"], world=world)
    assert foreign == plain
    response = client.get(
        REPORT,
        query_string={"kategori": world["categories"]["Avdelning"], "grupp": world["foreign"]},
    )
    assert "Grupper:" not in response.get_data(as_text=True)
    named = client.get(
        REPORT,
        query_string={"kategori": world["categories"]["Avdelning"], "grupp": world["groups"]["K2"]},
    )
    assert "Grupper: Kostnadsställe:K2" in named.get_data(as_text=True)


@pytest.mark.parametrize("value", ["x", "0", "99999999999999999999", None])
def test_a_category_not_of_the_organisation_is_404(client, login, world, value):
    login(client, world["admin"].username)
    value = world["foreign_category"] if value is None else value
    assert client.get(REPORT, query_string={"kategori": value}).status_code == 404


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ({"from": "2026-13"}, "from", "ska vara en månad"),
        ({"to": "nej"}, "to", "ska vara en månad"),
        ({"from": "2026-05", "to": "2026-04"}, "to", "Till kan inte vara före Från"),
        ({"from": "2020-01", "to": "2026-01"}, "to", "högst 36 månader"),
    ],
)
def test_bad_months_are_answered_next_to_the_field(client, login, world, args, field, message):
    login(client, world["admin"].username)
    response = client.get(
        REPORT, query_string={"kategori": world["categories"]["Avdelning"], **args}
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert re.search(rf'id="{field}-error">[^<]*{message}', text)


def test_the_form_opens_with_the_last_twelve_months_and_the_picker(client, login, world):
    login(client, world["admin"].username)
    text = client.get(REPORT).get_data(as_text=True)
    first = (CURRENT.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    for _ in range(10):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    assert f'name="from" value="{first:%Y-%m}"' in text
    assert f'name="to" value="{CURRENT:%Y-%m}"' in text
    assert "Avdelning:Sälj" in text and "Kostnadsställe:K2" in text
    assert f'value="{world["foreign"]}"' not in text


def test_the_report_needs_invoices_view(client, login, world, make_user):
    plain = make_user(world["org"], permissions=("reports.view",))
    login(client, plain.username)
    assert client.get(REPORT).status_code == 403
    assert "Kostnader per grupp" not in client.get("/reports").get_data(as_text=True)
    login(client, world["admin"].username)
    assert 'href="/reports/kostnader-per-grupp"' in client.get("/reports").get_data(as_text=True)


def sheet_rows(response):
    assert response.status_code == 200, response.status_code
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    width = len(rows[0])
    return [tuple(row) + (None,) * (width - len(row)) for row in rows]


def test_the_excel_export_holds_the_table(client, login, world):
    login(client, world["admin"].username)
    ym = (P1.strftime("%Y-%m"), CURRENT.strftime("%Y-%m"))
    response = client.get(
        REPORT,
        query_string={
            "kategori": world["categories"]["Avdelning"],
            "from": ym[0],
            "to": ym[1],
            "export": "xlsx",
        },
    )
    rows = sheet_rows(response)
    months = [heading(P1), *(heading(months_back(n)) for n in range(4, -1, -1))]
    assert rows[0] == ("Avdelning", *months, "Totalt")
    by_label = {row[0]: row[1:] for row in rows[1:]}
    assert by_label["Sälj"] == (105, 0, 0, 0, 0, 0, 105)
    assert by_label["Lager"] == (30, 0, 0, 0, 0, 200, 230)
    assert by_label["Ekonomi"] == (50, 0, 0, 0, 0, 70, 120)
    assert by_label["Utan grupp"] == (0,) * 7
    assert by_label["Totalt"] == (185, 0, 0, 0, 0, 270, 455)


def test_a_large_period_is_made_by_the_worker(app, client, login, world, tmp_path):
    """Beyond REPORT_PREVIEW_LINES the report is a background Excel file."""
    from models import ExportJob

    app.config.update(REPORT_PREVIEW_LINES=3, REPORT_DIR=str(tmp_path))
    login(client, world["admin"].username)
    response = client.get(REPORT, query_string={"kategori": world["categories"]["Avdelning"]})
    assert response.status_code == 303 and "/reports/filer/" in response.headers["Location"]
    job = ExportJob.get()
    assert job.status == "done" and job.rows_done == 5  # three groups, Utan grupp, Totalt
    book = openpyxl.load_workbook(tmp_path / job.file, read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[-1][0] == "Totalt" and rows[-1][-1] == 455


def test_a_scheduled_report_keeps_its_groups(app, login, world, tmp_path):
    from domain import report_schedules
    from models import ExportJob
    from web import schedules as web_schedules

    app.config.update(REPORT_DIR=str(tmp_path))
    path = (
        f"{REPORT}?kategori={world['categories']['Kostnadsställe']}&grupp={world['groups']['Sälj']}"
    )
    schedule = report_schedules.create(
        world["admin"],
        title="Sälj per kostnadsställe",
        path=path,
        report_key="reports.group_costs",
        recipient_ids=[world["admin"].id],
        frequency="weekly",
        day=1,
        hour=7,
    )
    assert web_schedules.run(app, schedule.id) == "done"
    job = ExportJob.get(ExportJob.schedule == schedule.id)
    book = openpyxl.load_workbook(tmp_path / job.file, read_only=True)
    rows = {row[0]: row[-1] for row in book.active.iter_rows(values_only=True)}
    assert rows["K2"] == 100 and rows["Utan grupp"] == 5 and rows["Totalt"] == 105


# ------------------------------------------------------- every report by groups


@pytest.fixture
def calls(world):
    """Calls at noon on the 1st: Cilla in P1 and now, Anna now, David in P1."""
    s = world["services"]
    with write_tx():
        for who, month, b_number in [
            ("Cilla", P1, "0811111111"),
            ("Cilla", CURRENT, "0822222222"),
            ("Anna", CURRENT, "0833333333"),
            ("David", P1, "0844444444"),
        ]:
            CallRecord.create(
                organisation=world["org"],
                account=s[who].account,
                service=s[who],
                started_at=dt.datetime.combine(month, dt.time(12)),
                a_number=s[who].number,
                b_number=b_number,
                traffic_type="mobile",
                duration_s=60,
                price_ore=100,
            )


def exported(client, path, world, *groups, **args) -> list[dict]:
    query = [("grupp", world["groups"].get(g, g)) for g in groups] + list(args.items())
    rows = sheet_rows(client.get(path, query_string=[*query, ("export", "xlsx")]))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def call_period() -> dict:
    return {"from": P1.isoformat(), "to": dt.date.today().isoformat()}


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        ((), {"Anna": 1, "Cilla": 2, "David": 1}),
        (("Sälj",), {"Anna": 1, "Cilla": 1}),  # Cilla's call of P1 only: she moved
        (("Lager",), {"Cilla": 1}),
        (("Sälj", "Lager"), {"Anna": 1, "Cilla": 2}),  # one category: or
        (("Sälj", "K2"), {"Cilla": 1}),  # two categories: and
        (("Ekonomi",), {"David": 1}),
    ],
)
def test_call_specification_counts_each_call_in_its_month(
    client, login, world, calls, groups, expected
):
    login(client, world["admin"].username)
    rows = exported(client, "/reports/specifikation-samtal", world, *groups, **call_period())
    counted: dict[str, int] = {}
    for row in rows:
        counted[row["Användare"]] = counted.get(row["Användare"], 0) + row["Antal"]
    assert counted == expected


def test_call_statistics_by_group(client, login, world, calls):
    login(client, world["admin"].username)
    period = {"from": CURRENT.isoformat(), "to": dt.date.today().isoformat()}
    rows = exported(client, "/reports/samtalsstatistik", world, "Sälj", **period)
    assert [row["Antal samtal"] for row in rows] == [1]  # Anna's; Cilla is in Lager now
    rows = exported(client, "/reports/samtalsstatistik", world, **period)
    assert [row["Antal samtal"] for row in rows] == [2]


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        (("Lager",), {"Bertil", "Cilla"}),
        (("Sälj",), {"Anna"}),
        (("Ekonomi", "K2"), {"David"}),
        ((0,), {"Anna", "Bertil", "Cilla", "David"}),  # another organisation's: ignored
    ],
)
def test_subscriptions_report_by_group(client, login, world, groups, expected):
    login(client, world["admin"].username)
    groups = tuple(world["foreign"] if g == 0 else g for g in groups)
    rows = exported(client, "/reports/abonnemang", world, *groups)
    assert {row["Användare"] for row in rows} == expected
    # The export names each service's groups this month.
    assert all("Avdelning" in row and "Kostnadsställe" in row for row in rows)


def test_invoice_specification_by_group(client, login, world):
    login(client, world["admin"].username)
    invoice = Invoice.get(Invoice.number == "G-1")
    args = {"account": invoice.account_id, "invoice": invoice.id}
    number = {s.number: name for name, s in world["services"].items()}
    rows = exported(client, "/reports/specifikation-faktura", world, "Ekonomi", **args)
    assert [(number[row["Nummer"]], row["Belopp exkl. moms"]) for row in rows] == [("David", 50)]
    rows = exported(client, "/reports/specifikation-faktura", world, "Sälj", **args)
    assert [(number[row["Nummer"]], row["Belopp exkl. moms"]) for row in rows] == [("Cilla", 100)]


def test_the_preview_keeps_the_groups(client, login, world, calls):
    """Ändra parametrar, the Excel export and Schemalägg keep ?grupp=; the
    form shows the picker with the groups ticked; the preview names them."""
    import html

    login(client, world["admin"].username)
    salj, k2 = world["groups"]["Sälj"], world["groups"]["K2"]
    query = [*call_period().items(), ("grupp", salj), ("grupp", k2)]
    text = client.get("/reports/specifikation-samtal", query_string=query).get_data(as_text=True)
    assert "Grupper: Avdelning:Sälj, Kostnadsställe:K2" in text
    change = html.unescape(re.search(r'href="([^"]+)">Ändra parametrar', text).group(1))
    assert f"grupp={salj}" in change and f"grupp={k2}" in change and "edit=1" in change
    schedule = html.unescape(re.search(r'href="([^"]+)">Schemalägg', text).group(1))
    assert f"grupp%3D{salj}" in schedule and f"grupp%3D{k2}" in schedule
    form = client.get(change).get_data(as_text=True)
    assert f'name="grupp" value="{salj}" checked' in form
    assert f'name="grupp" value="{k2}" checked' in form
    assert f'name="grupp" value="{world["groups"]["Lager"]}">' in form
    costs = client.get(
        REPORT, query_string={"kategori": world["categories"]["Avdelning"], "grupp": k2}
    ).get_data(as_text=True)
    export = html.unescape(re.search(r'href="([^"]+)">Exportera till Excel', costs).group(1))
    assert f"grupp={k2}" in export and "export=xlsx" in export


@pytest.mark.parametrize(
    "path",
    [
        "/reports/krediterade-tjanster?edit=1",
        "/reports/avslutade-tjanster?edit=1",
        "/reports/specifikation-samtal?edit=1",
        "/reports/trafikspecifikation?edit=1",
        "/reports/trafikspecifikation-alla?edit=1",
        "/reports/samtalsstatistik?edit=1",
        "/reports/samtalsspecifikation-faktura?edit=1",
        "/reports/kostnader-per-grupp",
    ],
)
def test_every_parameter_form_offers_the_groups(client, login, world, path):
    login(client, world["admin"].username)
    text = client.get(path).get_data(as_text=True)
    assert "<legend>Avdelning</legend>" in text and "Kostnadsställe:K1" in text


@pytest.mark.parametrize(
    "path", ["/reports/abonnemang", "/reports/bestallningar", "/reports/arenden"]
)
def test_reports_without_a_form_filter_in_the_list(client, login, world, path):
    login(client, world["admin"].username)
    text = client.get(path, query_string={"grupp": world["groups"]["Sälj"]}).get_data(as_text=True)
    assert f'name="grupp" value="{world["groups"]["Sälj"]}" checked' in text
    assert "Grupper: Avdelning:Sälj" in text


# ------------------------------------------------------------- Summa per grupp


def panel(client, path, world, category, *groups, **args) -> dict[str, tuple]:
    """The Summa per grupp panel: row label → its numbers (öre for amounts)."""
    import lxml.html

    query = [("kategori", world["categories"][category])]
    query += [("grupp", world["groups"][g]) for g in groups] + list(args.items())
    response = client.get(path, query_string=query, headers={"HX-Request": "true"})
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.get_data(as_text=True))
    out = {}
    for tr in doc.xpath("//table[contains(@class, 'group-totals-table')]//tr[th[@scope='row']]"):
        label = tr.xpath("./th")[0].text_content().strip()
        cells = [td.text_content().strip() for td in tr.xpath("./td")]
        out[label] = tuple(kronor(c) if "kr" in c else int(c) for c in cells)
    return out


def test_invoice_totals_per_group_split_by_line(client, login, world):
    login(client, world["admin"].username)
    assert panel(client, "/invoices/summa-per-grupp", world, "Avdelning") == {
        "Sälj": (10500,),  # Cilla's line of P1 (then in Sälj) and Konto Ett's fee
        "Ekonomi": (12000,),
        "Lager": (23000,),  # Bertil (own) and Cilla's current line
        "Utan grupp": (0,),
        "Totalt": (45500,),
    }
    # The list's filter applies: Konto Två's invoices only.
    assert panel(
        client, "/invoices/summa-per-grupp", world, "Kostnadsställe", f_account="Konto Två"
    ) == {"K1": (0,), "K2": (42000,), "Utan grupp": (0,), "Totalt": (42000,)}


def test_invoice_totals_of_a_kontoadministrator(client, login, world):
    login(client, world["konto"].username)
    assert panel(client, "/invoices/summa-per-grupp", world, "Avdelning")["Totalt"] == (42000,)


def test_service_totals_per_group_this_month(client, login, world):
    login(client, world["admin"].username)
    assert panel(client, "/services/summa-per-grupp", world, "Avdelning") == {
        "Sälj": (1, 10000),  # Anna (Konto Ett's)
        "Ekonomi": (1, 40000),  # David
        "Lager": (2, 50000),  # Bertil (own), Cilla (changed in C)
        "Utan grupp": (0, 0),
        "Totalt": (4, 100000),
    }
    # Narrowed by the list's group filter: Lager's services by cost centre.
    assert panel(client, "/services/summa-per-grupp", world, "Kostnadsställe", "Lager") == {
        "K1": (0, 0),
        "K2": (1, 30000),  # Cilla, by Konto Två
        "Utan grupp": (1, 20000),  # Bertil
        "Totalt": (2, 50000),
    }


def test_the_list_offers_summa_per_grupp_and_loads_the_panel(client, login, world):
    login(client, world["admin"].username)
    text = client.get("/services").get_data(as_text=True)
    assert "Summa per grupp" in text and 'id="group-totals-services"' not in text
    avd = world["categories"]["Avdelning"]
    text = client.get("/services", query_string={"kategori": avd}).get_data(as_text=True)
    assert f'<option value="{avd}" selected>' in text
    assert re.search(r'hx-get="/services/summa-per-grupp\?[^"]*kategori=' + str(avd), text)
    # Another organisation's category: not offered, nothing loaded, the list still answers.
    response = client.get("/invoices", query_string={"kategori": world["foreign_category"]})
    assert response.status_code == 200
    assert 'id="group-totals-invoices"' not in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["x", "", "0", None])
def test_the_panel_refuses_a_category_not_of_the_organisation(client, login, world, value):
    login(client, world["admin"].username)
    value = world["foreign_category"] if value is None else value
    for path in ("/invoices/summa-per-grupp", "/services/summa-per-grupp"):
        assert client.get(path, query_string={"kategori": value}).status_code == 404


def test_the_panel_is_capped(app, client, login, world):
    app.config.update(GROUP_TOTALS_MAX_ROWS=3)
    login(client, world["admin"].username)
    for path in ("/invoices/summa-per-grupp", "/services/summa-per-grupp"):
        response = client.get(path, query_string={"kategori": world["categories"]["Avdelning"]})
        text = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "fler än 3 rader" in text and "group-totals-table" not in text
    app.config.update(GROUP_TOTALS_MAX_ROWS=6)
    response = client.get(
        "/invoices/summa-per-grupp", query_string={"kategori": world["categories"]["Avdelning"]}
    )
    assert "group-totals-table" in response.get_data(as_text=True)  # 6 lines: within


def test_usage_report_by_group_in_each_month(client, login, world):
    """Förbrukningsrapport: a month's usage counts by the service's group in
    that month (Cilla in Sälj in P1, in Lager now)."""
    from models import MonthlyUsage

    s = world["services"]
    with write_tx():
        for who, month, cost in [
            ("Cilla", P1, 100),
            ("Cilla", CURRENT, 200),
            ("David", CURRENT, 50),
        ]:
            MonthlyUsage.create(service=s[who], month=month, cost_ore=cost)
    login(client, world["admin"].username)

    def users(month, *groups):
        rows = exported(client, "/reports/forbrukning", world, *groups, month=f"{month:%Y-%m}")
        return sorted(row["Användare"] for row in rows)

    assert users(CURRENT) == ["Cilla", "David"]
    assert users(CURRENT, "Lager") == ["Cilla"]
    assert users(CURRENT, "Sälj") == []
    assert users(P1, "Sälj") == ["Cilla"]
    assert users(P1, "Ekonomi") == []


def test_an_invoice_without_lines_counts_whole_by_its_account(client, login, world):
    """Summa per grupp on Fakturor: an invoice without lines counts its
    amount less VAT toward its account's group in its month; Kostnader per
    grupp adds up lines only."""
    with write_tx():
        Invoice.create(
            organisation=world["org"],
            account=world["services"]["Anna"].account,
            number="G-4",
            invoice_date=CURRENT + dt.timedelta(days=1),
            due_date=CURRENT + dt.timedelta(days=30),
            period_start=CURRENT,
            amount_ore=5000,
            vat_ore=1000,
        )
    login(client, world["admin"].username)
    totals = panel(client, "/invoices/summa-per-grupp", world, "Avdelning")
    assert totals["Sälj"] == (10500 + 4000,)  # Konto Ett is in Sälj
    assert totals["Totalt"] == (45500 + 4000,)
    assert cost_table(client, "Avdelning", world=world)["Totalt"]["Totalt"] == 45500
