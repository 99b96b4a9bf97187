"""Demo data: "A3 Demo Connect" (modelled on the Bredband2 manual) and a
second customer, "Norrlandsbygg AB", that proves tenant isolation.

Everything is dated relative to today, so the demo always shows six months
of usage and twelve months of invoices. Randomness is seeded: the same day
gives the same data.
"""

from __future__ import annotations

import datetime as dt
import json
import random

from database import utcnow, write_tx
from domain.accounts import create_account
from domain.passwords import hash_password
from domain.request_types import BBGRUPPEN_REQUEST_TYPES
from models import (
    Agreement,
    AgreementProduct,
    ApproverChainEntry,
    Barring,
    CallForwarding,
    CallRecord,
    CompanyProfile,
    Contact,
    Organisation,
    Outage,
    OutageUpdate,
    PhoneNumber,
    PriceList,
    PriceListItem,
    RequestType,
    Role,
    Service,
    SLADefinition,
    SLATarget,
    StaffUser,
)
from permissions import format_permissions
from seed.builder import (  # noqa: F401 - large.py uses the names and months
    DEMO_PASSWORD,
    FIRST_NAMES,
    LAST_NAMES,
    DemoBuilder,
    make_user,
    month_start,
    next_month,
)
from seed.catalogue import seed_catalogue, seed_ordering
from seed.coverage import seed_coverage
from seed.demo_groups import seed_a3_groups
from seed.demo_orders import seed_a3_orders
from seed.demo_tickets import seed_a3_requests, seed_a3_tickets
from seed.reports import seed_credit_notes, seed_usage_costs
from seed.switchboard import seed_switchboard

# (username, what it shows) — printed by `make run` and listed in the README.
DEMO_LOGINS = [
    ("admin@a3demo.se", "Administratör (Superuser), A3 Demo Connect: ser allt"),
    (
        "konto@a3demo.se",
        "Kontoadministratör, bara 99500852 A3 Demo Connect underkonto 1 med underkonton",
    ),
    ("faktura@a3demo.se", "Administratör som bara får se fakturor"),
    ("attest@a3demo.se", "Ordergodkännare, steg 2 av 2 för Mobiltelefoni (steg 1: Anna Lind)"),
    ("admin@norrbygg.se", "Administratör (Superuser) för en annan kund, Norrlandsbygg AB"),
    ("staff@teleportal.se", "Operatörens administratör, hela back office på /staff/login"),
    ("support@teleportal.se", "Operatörens support: ärenden, driftinformation, visa som kund"),
    ("order@teleportal.se", "Operatörens orderdesk: beställningar och tjänsteändringar"),
]

# The operator's other demo staff (one role each; staff@teleportal.se is Administratör).
DEMO_STAFF = [
    ("support@teleportal.se", "Sven Support", "support"),
    ("order@teleportal.se", "Olga Orderdesk", "orders"),
    ("faktura@teleportal.se", "Filip Fakturering", "billing"),
]


def seed_operator(products) -> tuple:
    sla = SLADefinition.create(name="SLA Guld")
    for priority, response, resolution in ((1, 60, 240), (2, 240, 1440), (3, 480, 4320)):
        SLATarget.create(
            sla=sla, priority=priority, response_minutes=response, resolution_minutes=resolution
        )
    superuser = Role.create(name="Superuser", is_superuser=True)
    Role.create(
        name="Ekonomi",
        permissions=format_permissions({"accounts.view", "invoices.view", "reports.view"}),
    )
    Role.create(
        name="Tekniker",
        permissions=format_permissions(
            {
                "accounts.view",
                "services.view",
                "services.addons",
                "services.hardware",
                "tickets.view",
                "tickets.manage",
                "faults.create",
            }
        ),
    )
    for position, (key, label, fields) in enumerate(BBGRUPPEN_REQUEST_TYPES):
        RequestType.create(
            key=key, label=label, position=position, enabled=True, fields=json.dumps(fields)
        )
    staff = StaffUser.create(
        username="staff@teleportal.se",
        email="staff@teleportal.se",
        name="Sara Handläggare",
        password_hash=hash_password(DEMO_PASSWORD),
        is_admin=True,
        roles="admin",
        require_2fa=False,  # a demo login; staff invited at /staff/users must enrol
    )
    for username, name, roles in DEMO_STAFF:
        StaffUser.create(
            username=username,
            email=username,
            name=name,
            password_hash=hash_password(DEMO_PASSWORD),
            roles=roles,
        )
    return sla, superuser, staff


# Ordered only as an offert by A3 (Ny beställning marks them "Utanför avtalet").
OUTSIDE_A3_AGREEMENT = {"KAP-1G", "HOST-VPS"}
# A3's negotiated prices where they differ from list price: code → (monthly kr, start kr).
A3_PRICES = {
    "MOB-FAST": (129, 0),
    "DATA-10": (225, 0),
    "BB-100": (549, 0),
    "HW-IPHONE": (0, 8990),
}


def a3_price_list(b: DemoBuilder) -> PriceList:
    price_list = PriceList.create(name="A3 Ramavtal 2023", description="Avtalspriser")
    for code, (monthly, start) in A3_PRICES.items():
        product = b.products[code]
        PriceListItem.create(
            price_list=price_list,
            product=product,
            monthly_ore=monthly * 100,
            start_ore=start * 100,
            binding_months=product.binding_months,
        )
    return price_list


def seed_a3(b: DemoBuilder, sla, superuser):
    org = Organisation.create(name="A3 Demo Connect", org_number="5566290549")
    CompanyProfile.create(
        organisation=org,
        notify_email=True,
        delivery_name="A3 Demo Connect",
        delivery_street="Gata 1",
        delivery_postcode="90155",
        delivery_city="Umeå",
    )
    agreement = Agreement.create(
        organisation=org,
        number="RA-2023-0147",
        name="Ramavtal Företag",
        start_date=dt.date(2023, 1, 1),
        sla=sla,
        notice_months=3,
        price_list=a3_price_list(b),
    )
    for code, product in b.products.items():
        if code not in OUTSIDE_A3_AGREEMENT:
            AgreementProduct.create(agreement=agreement, product=product)

    common = {"street": "Gata 1", "postcode": "90155", "city": "Umeå"}
    invoice_address = {
        "invoice_name": "A3 FÖRETAG AB",
        "invoice_street": "Box",
        "invoice_street_number": "3124",
        "invoice_postcode": "90304",
        "invoice_city": "Umeå",
    }
    top = create_account(
        org,
        None,
        "99012615",
        company_name="A3 Demo Connect",
        alias="M2M",
        invoice_reference="LEVERANSLEDNING",
        invoice_email="faktura@a3demo.se",
        **common,
        **invoice_address,
    )
    sub1 = create_account(
        org,
        top,
        "99500852",
        company_name="A3 Demo Connect underkonto 1",
        invoice_reference="Testreferens",
        **common,
        **invoice_address,
    )
    sub11 = create_account(
        org, sub1, "23080667", company_name="A3 Demo Connect underkonto 1.1", **common
    )
    sub12 = create_account(
        org,
        sub1,
        "23080670",
        company_name="A3 Demo Connect underkonto 1.2",
        street="Storgatan 12",
        postcode="93131",
        city="Skellefteå",
    )
    sub2 = create_account(
        org,
        top,
        "23080671",
        company_name="A3 Demo Connect underkonto 2",
        invoice_delivery="letter",
        **common,
        **invoice_address,
    )
    la = create_account(
        org,
        top,
        "23081096",
        company_name="A3 Demo Connect LA",
        street="Kungsgatan 1",
        postcode="11143",
        city="Stockholm",
    )
    sthlm = create_account(
        org,
        top,
        "23085441",
        company_name="A3 Demo Connect",
        alias="Stockholmskontoret",
        street="Kungsgatan 1",
        postcode="11143",
        city="Stockholm",
        active=False,
    )
    accounts = [top, sub1, sub11, sub12, sub2, la, sthlm]

    Contact.create(
        organisation=org,
        account=top,
        name="Berit Ekonom",
        email="ekonomi@a3demo.se",
        phone="090123456",
        role="finance",
        notify_billing=True,
    )
    Contact.create(
        organisation=org,
        account=sub1,
        name="Tommy Frost",
        mobile="0701788960",
        email="tommy.frost@a3demo.se",
        role="technical",
        notify_technical=True,
        notify_outage=True,
    )

    admin = make_user(org, top, "Anna Lind", "admin@a3demo.se", role=superuser, mobile="0701234567")
    kontoadmin = make_user(
        org,
        sub1,
        "Karl Berg",
        "konto@a3demo.se",
        mobile="0707654321",
        permissions={
            "accounts.view",
            "services.view",
            "services.addons",
            "orders.create",
            "orders.manage",
            "invoices.view",
            "reports.view",
            "tickets.view",
            "tickets.manage",
        },
    )
    make_user(org, top, "Eva Ek", "faktura@a3demo.se", permissions={"invoices.view"})
    attestant = make_user(
        org,
        top,
        "Per Holm",
        "attest@a3demo.se",
        permissions={
            "accounts.view",
            "services.view",
            "orders.create",
            "orders.manage",
            "orders.approve",
            "invoices.view",
        },
    )
    # Ordergodkännare (ORD-4): Mobiltelefoni goes to Anna Lind, then Per Holm.
    for position, approver in enumerate((admin, attestant), start=1):
        ApproverChainEntry.create(
            organisation=org, product_area="mobile", position=position, user=approver
        )

    # Services: ~40 of every kind across the tree.
    services = {a.id: [] for a in accounts}

    def add(account, service):
        services[account.id].append(service)
        return service

    pbx = add(
        top,
        b.service(
            org,
            top,
            "cloud_pbx",
            "VXL-100234",
            "VXL-MOLN",
            "Växel Umeå",
            lines=[("addon", "FN-HUVUD"), ("addon", "FN-IVR"), ("addon", "FN-STAT")],
        ),
    )
    PhoneNumber.create(service=pbx, number="0906953200", number_type="fixed", is_main=True)
    for i in range(1, 4):
        PhoneNumber.create(service=pbx, number=f"09069532{i:02d}", number_type="fixed", position=i)
    mobiles = []
    plan = [
        (top, "mobile", "MOB-FAST", "DATA-10"),
        (top, "mobile", "MOB-FAST", "DATA-5"),
        (top, "mobile_pbx", "VXL-MOB-RORL", "DATA-5"),
        (top, "mobile_pbx", "VXL-MOB-FAST", "DATA-10"),
        (top, "mobile_pbx", "VXL-MOB-FAST", "DATA-15"),
        (top, "mobile", "MOB-FAST", "DATA-RORL"),
        (sub1, "mobile", "MOB-FAST", "DATA-5"),
        (sub1, "mobile", "MOB-FAST", "DATA-10"),
        (sub1, "mobile_pbx", "VXL-MOB-FAST", "DATA-10"),
        (sub1, "mobile", "MOB-FAST", "DATA-15"),
        (sub11, "mobile", "MOB-FAST", "DATA-5"),
        (sub11, "mobile", "MOB-FAST", "DATA-5"),
        (sub11, "mobile_pbx", "VXL-MOB-RORL", "DATA-5"),
        (sub12, "mobile", "MOB-FAST", "DATA-10"),
        (sub12, "mobile", "MOB-FAST", "DATA-5"),
        (sub2, "mobile", "MOB-FAST", "DATA-10"),
        (sub2, "mobile", "MOB-FAST", "DATA-15"),
        (sub2, "mobile_pbx", "VXL-MOB-FAST", "DATA-5"),
        (la, "mobile", "MOB-FAST", "DATA-5"),
        (la, "mobile", "MOB-FAST", "DATA-10"),
        (la, "mobile_pbx", "VXL-MOB-FAST", "DATA-5"),
        (sthlm, "mobile", "MOB-FAST", "DATA-5"),
    ]
    statuses = {5: "barred", 11: "barred", 14: "terminating", 21: "terminated"}
    for i, (account, kind, code, data) in enumerate(plan):
        extras = [("addon", "ADD-VM")] if i % 3 == 0 else []
        if kind == "mobile_pbx" and i % 2:
            extras.append(("handset", "HS-SOFT"))
        service = add(
            account,
            b.mobile(
                org,
                account,
                code,
                data,
                kind=kind,
                status=statuses.get(i, "active"),
                extras=extras,
                parent=pbx if kind == "mobile_pbx" else None,
                fixed=(kind == "mobile_pbx" and i % 2 == 0),
                end_date=b.today + dt.timedelta(days=40)
                if i == 14
                else (b.today - dt.timedelta(days=50) if i == 21 else None),
                invoice_text="Projekt Norr" if i == 7 else "",
            ),
        )
        b.usage(service, data)
        mobiles.append(service)
    Service.update(user_name="Mobil växel användare").where(Service.id == mobiles[2].id).execute()
    Service.update(user_name="TommyFrost").where(Service.id == mobiles[8].id).execute()
    Barring.create(service=mobiles[1], kind="international")
    Barring.create(service=mobiles[1], kind="premium")
    Barring.create(service=mobiles[6], kind="roaming")
    CallForwarding.create(service=mobiles[7], kind="busy", target="0906953200")
    seed_switchboard(
        pbx, [m for m in mobiles if m.kind == "mobile_pbx" and m.status == "active"], b.today
    )
    CallForwarding.create(
        service=mobiles[7], kind="no_answer", target="0906953200", ring_seconds=20
    )
    add(
        top,
        b.service(
            org,
            top,
            "mobile",
            b.mobile_number(),
            "MOB-FAST",
            "Ny medarbetare",
            lines=[("data", "DATA-5")],
            status="ordered",
            started_months_ago=0,
        ),
    )

    for account, code, data in (
        (top, "MBB-50", "DATA-15"),
        (sub1, "MBB-50", "DATA-15"),
        (sub2, "MBB-50", "DATA-15"),
        (la, "MBB-50", "DATA-15"),
    ):
        service = add(account, b.mobile(org, account, code, data, kind="mbb", user_name="Router"))
        b.usage(service, data)
    for account, code, name, mbit, addr, postcode in (
        (top, "BB-1000", "Huvudkontoret Umeå", 1000, "Gata 1, 90155 Umeå", "90155"),
        (sub12, "BB-100", "Butik Skellefteå", 100, "Storgatan 12, 93131 Skellefteå", "93131"),
        (la, "BB-100", "Kontor Stockholm", 100, "Kungsgatan 1, 11143 Stockholm", "11143"),
    ):
        service = add(
            account,
            b.service(
                org,
                account,
                "broadband",
                f"BB-{b.digits(6)}",
                code,
                name,
                bandwidth=f"{mbit}/{mbit} Mbit/s",
                address=addr,
                postcode=postcode,
            ),
        )
        b.monitoring(service, mbit)
    cap = add(
        top,
        b.service(
            org,
            top,
            "capacity",
            f"KAP-{b.digits(6)}",
            "KAP-1G",
            "Förbindelse Umeå-Stockholm",
            bandwidth="1 Gbit/s",
            address="Gata 1, 90155 Umeå - Kungsgatan 1, 11143 Stockholm",
            postcode="90155",
        ),
    )
    b.monitoring(cap, 1000)
    add(
        sub2,
        b.service(
            org,
            sub2,
            "capacity",
            f"KAP-{b.digits(6)}",
            "KAP-1G",
            "Reservväg",
            bandwidth="1 Gbit/s",
            hidden=True,
        ),
    )
    sip = add(top, b.service(org, top, "sip_trunk", "SIP-447120", "SIP-10", "Trunk Umeå"))
    PhoneNumber.create(service=sip, number="0906953100", number_type="fixed", is_main=True)
    for i in range(1, 6):
        PhoneNumber.create(service=sip, number=f"09069531{i:02d}", number_type="fixed", position=i)
    nrs = add(sub1, b.service(org, sub1, "number_series", "NRS-2852640", "NRS-FAST", "TELEFONI"))
    PhoneNumber.create(
        service=nrs, number="0906953000", range_end="0906953099", number_type="fixed"
    )
    nrm = add(sub1, b.service(org, sub1, "number_series", "NRS-2852641", "NRS-MOB", "TELEFONI"))
    PhoneNumber.create(
        service=nrm, number="0702852600", range_end="0702852699", number_type="mobile"
    )
    add(top, b.service(org, top, "hosting", "HOST-a3demo.se", "HOST-WEB", "a3demo.se"))
    add(la, b.service(org, la, "hosting", "VPS-STHLM-01", "HOST-VPS", "Intranät"))

    # Six months of call records and twelve months of invoices.
    cdr_rows, totals = [], {}
    for service in mobiles:
        rows = b.call_records(service)
        cdr_rows += rows
        for row in rows:
            key = (row["service"], month_start(row["started_at"].date()))
            totals[key] = totals.get(key, 0) + row["price_ore"]
    for account in accounts:
        for service in services[account.id]:
            service.product = b.products_by_id[service.product_id]
        overdue = (1,) if account in (sub1, la) else ()
        invoices = b.invoices(org, account, services[account.id], totals, overdue)
        for row in cdr_rows:
            if row["account"] == account.id and row["invoiced"]:
                invoice = invoices.get(month_start(row["started_at"].date()))
                row["invoice"] = invoice.id if invoice else None
    for row in cdr_rows:
        row.setdefault("invoice", None)
    for start in range(0, len(cdr_rows), 500):
        CallRecord.insert_many(cdr_rows[start : start + 500]).execute()

    seed_a3_orders(
        b,
        org,
        {"top": top, "sub1": sub1, "sub11": sub11, "sub2": sub2, "la": la},
        admin,
        kontoadmin,
        attestant,
        mobiles,
    )

    # Tickets with conversations.
    seed_a3_tickets(
        b,
        org,
        {"top": top, "sub1": sub1, "sub11": sub11, "sub12": sub12, "sub2": sub2, "la": la},
        admin,
        kontoadmin,
        mobiles,
    )
    return org


def seed_norrbygg(b: DemoBuilder, superuser):
    org = Organisation.create(name="Norrlandsbygg AB", org_number="5562345677")
    CompanyProfile.create(
        organisation=org,
        notify_email=False,
        delivery_name="Norrlandsbygg AB",
        delivery_street="Verkstadsgatan 4",
        delivery_postcode="93137",
        delivery_city="Skellefteå",
    )
    top = create_account(
        org,
        None,
        "99013377",
        company_name="Norrlandsbygg AB",
        street="Verkstadsgatan 4",
        postcode="93137",
        city="Skellefteå",
        invoice_reference="Ekonomi",
    )
    site = create_account(
        org,
        top,
        "23086012",
        company_name="Norrlandsbygg Bygg Luleå",
        street="Storgatan 40",
        postcode="97231",
        city="Luleå",
    )
    admin = make_user(org, top, "Nils Norr", "admin@norrbygg.se", role=superuser)
    services = {top.id: [], site.id: []}
    for account in (top, top, site, site, site):
        service = b.mobile(org, account, "MOB-FAST", "DATA-10")
        b.usage(service, "DATA-10")
        services[account.id].append(service)
    services[top.id].append(
        b.service(
            org,
            top,
            "broadband",
            f"BB-{b.digits(6)}",
            "BB-100",
            "Kontor Skellefteå",
            bandwidth="100/100 Mbit/s",
        )
    )
    rows, totals = [], {}
    for service in services[top.id] + services[site.id]:
        if service.kind == "mobile":
            rows += b.call_records(service, per_month=10)
        service.product = b.products_by_id[service.product_id]
    for row in rows:
        row["invoice"] = None
        key = (row["service"], month_start(row["started_at"].date()))
        totals[key] = totals.get(key, 0) + row["price_ore"]
    CallRecord.insert_many(rows).execute()
    for account in (top, site):
        b.invoices(org, account, services[account.id], totals, overdue_months=(2,))
    b.order(org, top, admin, "new", "received", ["MOB-FAST", "DATA-10"], days_ago=1)
    b.ticket(
        org,
        site,
        admin,
        "Norrbygg: trasigt SIM",
        "support",
        "waiting",
        [("customer", "SIM-kortet i arbetsledarens telefon fungerar inte.")],
        days_ago=0,
    )
    return org


def seed_outages(today: dt.date):
    now = utcnow().replace(second=0, microsecond=0)
    umea = Outage.create(
        title="Fiberavbrott Umeå centrum",
        description="Grävskada på fiberkabel. Tekniker är på plats.",
        area="Umeå",
        postcodes="90155 90304",
        latitude=63.8258,
        longitude=20.2630,
        radius_km=8,
        starts_at=now - dt.timedelta(hours=3),
        expected_end=now + dt.timedelta(hours=5),
        service_kinds="broadband capacity",
    )
    OutageUpdate.create(
        outage=umea,
        at=now - dt.timedelta(hours=1),
        text="Skarvning pågår. Beräknad tid för åtgärd är oförändrad.",
    )
    Outage.create(
        title="Planerat underhåll mobilnätet Stockholm",
        kind="maintenance",
        description="Uppgradering av basstationer. Kortare avbrott i tal och data kan förekomma.",
        area="Stockholm",
        postcodes="11143 11144",
        latitude=59.3326,
        longitude=18.0649,
        radius_km=15,
        starts_at=now + dt.timedelta(days=4, hours=1),
        expected_end=now + dt.timedelta(days=4, hours=5),
        service_kinds="mobile mobile_pbx mbb",
    )
    Outage.create(
        title="Störning i mobilnätet Kiruna",
        description="En basstation är ur drift. Samtal och data kan avbrytas i Kiruna tätort.",
        area="Kiruna",
        postcodes="98131 98132",
        latitude=67.8558,
        longitude=20.2253,
        radius_km=12,
        starts_at=now - dt.timedelta(minutes=50),
        expected_end=now + dt.timedelta(hours=2),
        service_kinds="mobile mobile_pbx mbb",
    )
    Outage.create(
        title="Störning i växeltjänsten",
        description="Inkommande samtal till molnväxlar kunde inte kopplas fram.",
        area="Hela Sverige",
        starts_at=now - dt.timedelta(days=3, hours=2),
        expected_end=now - dt.timedelta(days=3),
        resolved_at=now - dt.timedelta(days=3, hours=1),
        service_kinds="cloud_pbx mobile_pbx",
    )
    Outage.create(
        title="Avbrott i bredband Luleå",
        description="Strömavbrott i nod.",
        area="Luleå",
        postcodes="97231",
        latitude=65.5840,
        longitude=22.1540,
        radius_km=5,
        starts_at=now - dt.timedelta(days=9),
        resolved_at=now - dt.timedelta(days=8, hours=20),
        service_kinds="broadband",
    )


def seed(today: dt.date | None = None) -> None:
    """Load the demo data into an empty database."""
    today = today or dt.date.today()
    # The same data every day (only the dates move with today), so a test that
    # passes today does not fail tomorrow on another draw of the demo data.
    rng = random.Random("teleportal-demo")
    with write_tx():
        products = seed_catalogue()
        seed_ordering()
        sla, superuser, staff = seed_operator(products)
        builder = DemoBuilder(rng, today, products)
        builder.staff = staff
        builder.products_by_id = {p.id: p for p in products.values()}
        seed_a3(builder, sla, superuser)
        seed_a3_groups(today)
        seed_norrbygg(builder, superuser)
        seed_credit_notes()
        seed_usage_costs()
        seed_outages(today)
        seed_coverage()
        seed_a3_requests(builder)
