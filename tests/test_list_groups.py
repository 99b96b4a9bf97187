"""The group filter on the lists (GRP-4, ?grupp=<id>), against hand-computed
results on a small organisation made here.

Months are counted back from the current one: P is six months ago, C three.

    Avdelning: Sälj, Ekonomi, Lager        Kostnadsställe: K1, K2

    konto Ett   Avdelning:Sälj from P
    konto Två   Avdelning:Ekonomi from P, Kostnadsställe:K2 from P
    Anna  (Ett) own Kostnadsställe:K1 from P         → Sälj (the account's), K1
    Bertil (Ett) own Avdelning:Lager from P           → Lager (overrides Sälj), no Kst
    Cilla (Två) own Avdelning:Sälj P..C-1, Lager from C → changed group; K2 (account's)
    David (Två) nothing of its own                    → Ekonomi, K2
"""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest

from database import write_tx
from models import CallRecord, Group, GroupCategory, GroupMembership, Invoice, InvoiceLine

COUNT_RE = re.compile(r"(\d+) - (\d+) av (\d+) poster")
PEOPLE = ("Anna", "Bertil", "Cilla", "David")


def months_back(n: int) -> dt.date:
    month = dt.date.today().replace(day=1)
    for _ in range(n):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


CURRENT, C, P = months_back(0), months_back(3), months_back(6)
BEFORE_C = months_back(4)  # Cilla's last month in Sälj
P1 = months_back(5)  # a month in which Cilla was in Sälj


@pytest.fixture
def world(make_org, make_account, make_user, make_service):
    org = make_org(name="Gruppbolaget AB")
    one = make_account(org, company_name="Konto Ett")
    two = make_account(org, company_name="Konto Två")
    admin = make_user(org, superuser=True)
    anna = make_service(one, user_name="Anna")
    bertil = make_service(one, user_name="Bertil")
    cilla = make_service(two, user_name="Cilla")
    david = make_service(two, user_name="David")
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
        member("K1", P, service=anna)
        member("Lager", P, service=bertil)
        member("Sälj", P, BEFORE_C, service=cilla)
        member("Lager", C, service=cilla)

        other = make_org(name="Annat AB")
        foreign = Group.create(
            category=GroupCategory.create(organisation=other, name="Avdelning"), name="Sälj"
        )
    return {
        "org": org,
        "admin": admin,
        "accounts": {"Ett": one, "Två": two},
        "services": {"Anna": anna, "Bertil": bertil, "Cilla": cilla, "David": david},
        "groups": {name: group.id for name, group in g.items()},
        "foreign": foreign.id,
        "other": other,
    }


def listed(client, path, world, *groups, **args):
    query = [("grupp", world["groups"][name]) for name in groups] + list(args.items())
    response = client.get(path, query_string=query)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    return text.split("<tbody>")[1].split("</tbody>")[0], text


def total(text) -> int:
    return int(COUNT_RE.search(text).group(3))


# --------------------------------------------------------------------------- Tjänster


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        ((), {"Anna", "Bertil", "Cilla", "David"}),
        (("Sälj",), {"Anna"}),  # Cilla moved to Lager in C; Bertil overrides his account
        (("Lager",), {"Bertil", "Cilla"}),
        (("Ekonomi",), {"David"}),
        (("Sälj", "Lager"), {"Anna", "Bertil", "Cilla"}),  # one category: or
        (("Sälj", "K1"), {"Anna"}),  # two categories: and
        (("Lager", "K2"), {"Cilla"}),
        (("Lager", "K1"), set()),
        (("Sälj", "Ekonomi", "K2"), {"David"}),
        (("K2",), {"Cilla", "David"}),  # inherited from Konto Två
    ],
)
def test_services_by_group(client, login, world, groups, expected):
    login(client, world["admin"].username)
    rows, text = listed(client, "/services", world, *groups)
    assert {name for name in PEOPLE if name in rows} == expected
    assert total(text) == len(expected)


def test_the_filter_shows_and_is_reset(client, login, world):
    login(client, world["admin"].username)
    _, text = listed(client, "/services", world, "Sälj")
    assert "Avdelning:Sälj" in text and "Kostnadsställe:K2" in text
    assert f'name="grupp" value="{world["groups"]["Sälj"]}" checked' in text
    assert f'name="grupp" value="{world["groups"]["Lager"]}">' in text
    assert "aktiv filtrering" in text
    reset = re.search(r'href="([^"]+)" hx-get="[^"]+">Nollställ filtrering', text).group(1)
    assert "grupp" not in reset
    # Another organisation's groups are not offered.
    assert f'type="checkbox" name="grupp" value="{world["foreign"]}"' not in text


def test_another_organisations_group_has_no_effect(client, login, world):
    login(client, world["admin"].username)
    response = client.get("/services", query_string={"grupp": world["foreign"]})
    text = response.get_data(as_text=True)
    assert total(text) == 4 and "aktiv filtrering" not in text
    # Mixed with an own group, only the own one counts.
    query = [("grupp", world["foreign"]), ("grupp", world["groups"]["Ekonomi"])]
    assert total(client.get("/services", query_string=query).get_data(as_text=True)) == 1


@pytest.mark.parametrize(
    "value", ["abc", "-1", "0", "99999999999999999999999", "", "²", "1e3", " 1"]
)
def test_a_bad_group_value_is_ignored(client, login, world, value):
    login(client, world["admin"].username)
    response = client.get("/services", query_string={"grupp": value})
    assert response.status_code == 200 and total(response.get_data(as_text=True)) == 4


def test_the_other_organisation_cannot_use_our_groups(
    client, login, world, make_user, make_service
):
    other_admin = make_user(world["other"], superuser=True)
    make_service(world["other"].top_account(), user_name="Erik")
    login(client, other_admin.username)
    response = client.get("/services", query_string={"grupp": world["groups"]["Sälj"]})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    # Our group id narrows nothing: their one service shows, the notice does not.
    assert total(text) == 1 and "Erik" in text and "aktiv filtrering" not in text
    # Their own group is offered, ours are not.
    assert f'type="checkbox" name="grupp" value="{world["foreign"]}"' in text
    assert f'type="checkbox" name="grupp" value="{world["groups"]["Sälj"]}"' not in text


# --------------------------------------------------------------------------- Konton


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        (("Sälj",), {"Konto Ett"}),
        (("Sälj", "Ekonomi"), {"Konto Ett", "Konto Två"}),
        (("Ekonomi", "K2"), {"Konto Två"}),
        (("Sälj", "K2"), set()),
        (("Lager",), set()),  # only services are in Lager, not accounts
    ],
)
def test_accounts_by_group(client, login, world, groups, expected):
    login(client, world["admin"].username)
    rows, text = listed(client, "/accounts", world, *groups)
    assert {name for name in ("Konto Ett", "Konto Två") if name in rows} == expected
    assert total(text) == len(expected)


# --------------------------------------------------------------------------- Fakturor


@pytest.fixture
def invoices(world):
    """Konto Två's invoice of P1 (Cilla 100 kr, David 50 kr) and of the
    current month (Cilla 200 kr, David 70 kr); Konto Ett's of P1 (Bertil
    30 kr) and one without lines (current month, 40 kr excl. VAT)."""
    s, a = world["services"], world["accounts"]
    made = {}
    with write_tx():
        for number, account, month, lines in [
            ("G-1", a["Två"], P1, [("Cilla", 10000), ("David", 5000)]),
            ("G-2", a["Två"], CURRENT, [("Cilla", 20000), ("David", 7000)]),
            ("G-3", a["Ett"], P1, [("Bertil", 3000)]),
            ("G-4", a["Ett"], CURRENT, []),
        ]:
            net = sum(amount for _, amount in lines) or 4000
            invoice = Invoice.create(
                organisation=world["org"],
                account=account,
                number=number,
                invoice_date=month + dt.timedelta(days=27),
                due_date=month + dt.timedelta(days=57),
                period_start=month,
                amount_ore=net * 5 // 4,
                vat_ore=net // 4,
            )
            for position, (who, amount) in enumerate(lines):
                InvoiceLine.create(
                    invoice=invoice,
                    service=s[who],
                    description="Abonnemang",
                    period_start=month,
                    amount_ore=amount,
                    position=position,
                )
            made[number] = invoice
    return made


@pytest.mark.parametrize(
    ("groups", "expected", "kronor"),
    [
        (("Sälj",), {"G-1", "G-4"}, "140,00"),  # Cilla in P1; G-4 by Konto Ett
        (("Lager",), {"G-2", "G-3"}, "230,00"),  # Cilla now, Bertil
        (("Sälj", "Lager"), {"G-1", "G-2", "G-3", "G-4"}, "370,00"),
        (("Ekonomi", "K2"), {"G-1", "G-2"}, "120,00"),  # David's lines
        (("Lager", "K2"), {"G-2"}, "200,00"),  # Cilla's current line only
        (("Sälj", "K2"), {"G-1"}, "100,00"),  # Cilla's line of P1
        (("K1",), set(), "0,00"),  # Anna has no invoice lines
    ],
)
def test_invoices_by_group(client, login, world, invoices, groups, expected, kronor):
    login(client, world["admin"].username)
    rows, text = listed(client, "/invoices", world, *groups)
    assert {number for number in invoices if number in rows} == expected
    assert total(text) == len(expected)
    summary = re.search(r"Summa för valda grupper: <strong>([^<]+)</strong>", text).group(1)
    assert summary.replace("\xa0", " ").startswith(kronor)


def test_invoices_unfiltered_show_no_group_total(client, login, world, invoices):
    login(client, world["admin"].username)
    _, text = listed(client, "/invoices", world)
    assert total(text) == 4 and "Summa för valda grupper" not in text


# --------------------------------------------------------------------------- Samtal


@pytest.fixture
def calls(world):
    """Calls at noon on the 10th: Cilla in P1 and now, Anna now, David in P1."""
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
                started_at=dt.datetime.combine(month.replace(day=10), dt.time(12)),
                a_number=s[who].number,
                b_number=b_number,
                traffic_type="mobile",
            )


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        (("Sälj",), {"0811111111", "0833333333"}),  # Cilla's call of P1, Anna's
        (("Lager",), {"0822222222"}),
        (("Sälj", "Lager"), {"0811111111", "0822222222", "0833333333"}),
        (("Sälj", "K2"), {"0811111111"}),
        (("Ekonomi", "K2"), {"0844444444"}),
        (("Sälj", "K1"), {"0833333333"}),
    ],
)
def test_calls_by_group(client, login, world, calls, groups, expected):
    login(client, world["admin"].username)
    rows, text = listed(client, "/calls", world, *groups)
    cells = re.findall(r'data-label="B-nummer" class="nowrap">([^<]*)<', rows)
    assert {re.sub(r"\D", "", cell) for cell in cells} == expected
    assert total(text) == len(expected)


# --------------------------------------------------------------------------- exports


def sheet_rows(response):
    """The sheet's rows, each as long as the header (read-only mode leaves
    out empty cells at a row's end)."""
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    width = len(rows[0])
    return [tuple(row) + (None,) * (width - len(row)) for row in rows]


def test_service_export_carries_the_group_columns(client, login, world):
    login(client, world["admin"].username)
    rows = sheet_rows(client.get("/services", query_string={"export": "xlsx"}))
    header = rows[0]
    assert header[-2:] == ("Avdelning", "Kostnadsställe")
    by_person = {row[header.index("Användare")]: row[-2:] for row in rows[1:]}
    assert by_person == {
        "Anna": ("Sälj", "K1"),
        "Bertil": ("Lager", None),
        "Cilla": ("Lager", "K2"),
        "David": ("Ekonomi", "K2"),
    }


def test_filtered_export_holds_the_filtered_rows(client, login, world):
    login(client, world["admin"].username)
    query = [("export", "xlsx"), ("grupp", world["groups"]["Sälj"])]
    query.append(("grupp", world["groups"]["Lager"]))
    rows = sheet_rows(client.get("/services", query_string=query))
    assert sorted(row[-2] for row in rows[1:]) == ["Lager", "Lager", "Sälj"]


def test_account_and_call_exports_carry_the_group_columns(client, login, world, calls):
    login(client, world["admin"].username)
    rows = sheet_rows(client.get("/accounts", query_string={"export": "xlsx"}))
    assert rows[0][-2:] == ("Avdelning", "Kostnadsställe")
    assert sorted((row[-2] or "", row[-1] or "") for row in rows[1:] if row[-2] or row[-1]) == [
        ("Ekonomi", "K2"),
        ("Sälj", ""),
    ]
    rows = sheet_rows(client.get("/calls", query_string={"export": "xlsx"}))
    assert rows[0][-2:] == ("Avdelning", "Kostnadsställe")
    # The call's month decides: Cilla was in Sälj in P1, in Lager now.
    assert sorted(row[-2:] for row in rows[1:]) == [
        ("Ekonomi", "K2"),
        ("Lager", "K2"),
        ("Sälj", "K1"),
        ("Sälj", "K2"),
    ]


# --------------------------------------------------------------------------- Beställningar, Ärenden


@pytest.mark.parametrize("path", ["/orders", "/tickets", "/invoices", "/accounts", "/calls"])
def test_every_list_offers_the_groups_and_takes_the_filter(client, login, world, path):
    login(client, world["admin"].username)
    response = client.get(path, query_string={"grupp": world["groups"]["Sälj"]})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Avdelning:Sälj" in text and "aktiv filtrering" in text
    # The htmx fragment carries the control too.
    fragment = client.get(
        path, query_string={"grupp": world["groups"]["Sälj"]}, headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert "<html" not in fragment and "Avdelning:Sälj" in fragment


@pytest.fixture
def orders_and_tickets(world):
    """An order and a ticket each, numbered 9100n/9200n, created at noon on
    the 10th: 1 Konto Ett without a service in P1, 2 Cilla in P1, 3 Cilla
    now, 4 Bertil now."""
    from models import Order, Ticket

    s, a = world["services"], world["accounts"]
    with write_tx():
        for n, account, service, month in [
            (1, a["Ett"], None, P1),
            (2, a["Två"], s["Cilla"], P1),
            (3, a["Två"], s["Cilla"], CURRENT),
            (4, a["Ett"], s["Bertil"], CURRENT),
        ]:
            created = dt.datetime.combine(month.replace(day=10), dt.time(12))
            Order.create(
                organisation=world["org"],
                account=account,
                service=service,
                number=91000 + n,
                status="received",
                created_at=created,
            )
            Ticket.create(
                organisation=world["org"],
                account=account,
                service=service,
                number=92000 + n,
                subject=f"Ärende {n}",
                status="waiting",
                created_at=created,
                reply_token=f"token-{n}-{world['org'].id}",
            )


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        (("Sälj",), {1, 2}),  # Konto Ett's order; Cilla's of P1
        (("Lager",), {3, 4}),
        (("Sälj", "Lager"), {1, 2, 3, 4}),
        (("Sälj", "K2"), {2}),
        (("Lager", "K2"), {3}),
        (("Ekonomi",), set()),  # Cilla's own membership overrides Konto Två's
    ],
)
@pytest.mark.parametrize(("path", "base"), [("/orders", 91000), ("/tickets", 92000)])
def test_orders_and_tickets_by_creation_month(
    client, login, world, orders_and_tickets, path, base, groups, expected
):
    login(client, world["admin"].username)
    rows, text = listed(client, path, world, *groups)
    assert {n for n in (1, 2, 3, 4) if str(base + n) in rows} == expected
    assert total(text) == len(expected)


def test_a_removed_group_is_not_offered_but_still_filters(client, login, world):
    """Removing a group ends its memberships and keeps them (domain/groups.py):
    it leaves the Grupper control, while a link or saved filter naming it
    still finds the rows of the months it had members."""
    with write_tx():
        Group.update(removed_at=dt.datetime(2026, 1, 1)).where(
            Group.id == world["groups"]["K1"]
        ).execute()
    login(client, world["admin"].username)
    rows, text = listed(client, "/services", world, "K1")
    assert "Kostnadsställe:K1" not in text and "Kostnadsställe:K2" in text
    assert "Anna" in rows and total(text) == 1
