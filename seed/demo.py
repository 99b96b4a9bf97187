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
import secrets

from database import utcnow, write_tx
from domain.accounts import create_account
from domain.numbers import luhn_digit
from domain.passwords import hash_password
from domain.tickets import BBGRUPPEN_REQUEST_TYPES
from models import (
    Agreement,
    AgreementProduct,
    Barring,
    CallForwarding,
    CallRecord,
    CompanyProfile,
    Contact,
    Device,
    Invoice,
    InvoiceLine,
    MonitoringSample,
    MonthlyUsage,
    Order,
    OrderEvent,
    OrderLine,
    OrderVersion,
    Organisation,
    Outage,
    PhoneNumber,
    RequestType,
    Role,
    Service,
    ServiceLine,
    SimCard,
    SLADefinition,
    SLATarget,
    StaffUser,
    Ticket,
    TicketMessage,
    User,
    next_number,
)
from permissions import format_permissions
from seed.catalogue import seed_catalogue

DEMO_PASSWORD = "Teleportal-demo-2026"

# (username, what it shows) — printed by `make run` and listed in the README.
DEMO_LOGINS = [
    ("admin@a3demo.se", "Administratör (Superuser), A3 Demo Connect: ser allt"),
    (
        "konto@a3demo.se",
        "Kontoadministratör, bara 99500852 A3 Demo Connect underkonto 1 med underkonton",
    ),
    ("faktura@a3demo.se", "Administratör som bara får se fakturor"),
    ("admin@norrbygg.se", "Administratör (Superuser) för en annan kund, Norrlandsbygg AB"),
    ("staff@teleportal.se", "Operatörens personal, back office på /staff/login"),
]


FIRST_NAMES = [
    "Anna",
    "Erik",
    "Maria",
    "Lars",
    "Karin",
    "Johan",
    "Sara",
    "Per",
    "Lena",
    "Mikael",
    "Emma",
    "Anders",
    "Sofia",
    "Jonas",
    "Elin",
    "Fredrik",
    "Ida",
    "Magnus",
    "Linnea",
    "Oskar",
]
LAST_NAMES = [
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Lindberg",
    "Holm",
]
DEVICES = [
    "Apple iPhone 8 (A1905)",
    "Motorola MOTO G 5 Dual",
    "Apple iPhone 14 (A2882)",
    "Samsung Galaxy S23 (SM-S911B)",
    "Apple iPhone 15 (A3090)",
    "Doro 8100",
]


def month_start(day: dt.date, back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def next_month(day: dt.date) -> dt.date:
    return month_start(day, -1)


class DemoBuilder:
    """Builds one organisation's demo data with shared helpers."""

    def __init__(self, rng: random.Random, today: dt.date, products: dict):
        self.rng = rng
        self.today = today
        self.products = products
        self.used_numbers: set[str] = set()

    # -- identifiers

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def mobile_number(self) -> str:
        while True:
            number = "07" + self.rng.choice("023") + self.digits(7)
            if number not in self.used_numbers:
                self.used_numbers.add(number)
                return number

    def fixed_number(self, area: str = "090") -> str:
        while True:
            number = area + self.digits(10 - len(area))
            if number not in self.used_numbers:
                self.used_numbers.add(number)
                return number

    def icc(self) -> str:
        body = "894601" + self.digits(12)
        return body + luhn_digit(body)

    def imei(self) -> str:
        body = "35" + self.digits(12)
        return body + luhn_digit(body)

    def person(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    # -- services

    def service(
        self,
        org,
        account,
        kind,
        number,
        product_code,
        user_name="",
        *,
        lines=(),
        status="active",
        price_plan=None,
        started_months_ago=18,
        **fields,
    ):
        product = self.products[product_code]
        start = month_start(self.today, started_months_ago)
        binding_end = None
        if product.binding_months:
            binding_end = start + dt.timedelta(days=round(product.binding_months * 30.44))
        service = Service.create(
            organisation=org,
            account=account,
            kind=kind,
            number=number,
            user_name=user_name,
            product=product,
            price_plan=self.products[price_plan] if price_plan else None,
            status=status,
            start_date=start,
            binding_end=binding_end,
            notice_months=fields.pop("notice_months", 3 if product.binding_months else 1),
            **fields,
        )
        spec = [("start", product_code)] + list(lines)
        total = 0
        for position, (section, code) in enumerate(spec):
            item = self.products[code]
            ServiceLine.create(
                service=service,
                section=section,
                product=item,
                name=item.name,
                monthly_ore=item.monthly_ore,
                position=position,
            )
            total += item.monthly_ore
        Service.update(monthly_ore=total).where(Service.id == service.id).execute()
        service.monthly_ore = total
        return service

    def mobile(
        self,
        org,
        account,
        product_code="MOB-FAST",
        data="DATA-5",
        *,
        kind="mobile",
        status="active",
        user_name=None,
        extras=(),
        parent=None,
        fixed=False,
        **fields,
    ):
        number = self.mobile_number()
        lines = [("start", "ADD-APP"), ("data", data)] + list(extras)
        service = self.service(
            org,
            account,
            kind,
            number,
            product_code,
            user_name if user_name is not None else self.person(),
            lines=lines,
            status=status,
            price_plan="PL-FAST",
            parent=parent,
            **fields,
        )
        SimCard.create(
            service=service,
            icc=self.icc(),
            imsi="24001" + self.digits(10),
            pin=self.digits(4),
            puk=self.digits(8),
            pin_changed=self.rng.random() < 0.2,
            sim_type="esim" if self.rng.random() < 0.15 else "physical",
            activated_at=utcnow() - dt.timedelta(days=self.rng.randint(30, 600)),
        )
        if kind != "mbb":
            Device.create(service=service, imei=self.imei() + "F", model=self.rng.choice(DEVICES))
        if kind == "mobile_pbx":
            PhoneNumber.create(service=service, number=number, number_type="mobile", is_main=True)
            if fixed:
                PhoneNumber.create(
                    service=service, number=self.fixed_number(), number_type="fixed", position=1
                )
        return service

    def usage(self, service, data_code):
        """Six months of MonthlyUsage, the current month so far."""
        quota = self.products[data_code].data_mb or 0
        for back in range(6):
            month = month_start(self.today, back)
            share = self.today.day / 31 if back == 0 else 1
            used = int((quota or 3000) * self.rng.uniform(0.2, 1.0) * share)
            MonthlyUsage.create(
                service=service,
                month=month,
                data_used_mb=min(used, quota) if quota else used,
                data_quota_mb=quota,
                voice_seconds=int(self.rng.randint(3000, 40000) * share),
                calls=int(self.rng.randint(40, 400) * share),
                sms=int(self.rng.randint(5, 150) * share),
                mms=int(self.rng.randint(0, 6) * share),
            )

    def call_records(self, service, per_month: int = 40) -> list[dict]:
        """Six months of call detail records for a mobile service."""
        rows = []
        month = month_start(self.today, 5)
        now = utcnow()
        while month <= self.today:
            for _ in range(per_month):
                started = dt.datetime.combine(month, dt.time()) + dt.timedelta(
                    days=self.rng.randint(0, 27), seconds=self.rng.randint(7 * 3600, 21 * 3600)
                )
                if started > now:
                    continue
                traffic = self.rng.choices(
                    ["mobile", "national", "international", "sms", "mms", "data"],
                    weights=[40, 20, 4, 25, 2, 9],
                )[0]
                duration = (
                    self.rng.randint(8, 1800)
                    if traffic in ("mobile", "national", "international")
                    else 0
                )
                price = 0
                country = "SE"
                if traffic == "international":
                    country = self.rng.choice(["NO", "DK", "FI", "DE", "ES", "US"])
                    price = duration * 3  # 1,80 kr/min
                elif traffic == "mms":
                    price = 50
                rows.append(
                    {
                        "organisation": service.organisation_id,
                        "account": service.account_id,
                        "service": service.id,
                        "started_at": started,
                        "direction": "in" if self.rng.random() < 0.3 else "out",
                        "a_number": service.number,
                        "b_number": self.rng.choice(["070", "073", "076", "090", "08"])
                        + self.digits(7)
                        if traffic != "data"
                        else "",
                        "traffic_type": traffic,
                        "country": country,
                        "duration_s": duration,
                        "bytes": self.rng.randint(10**5, 5 * 10**8) if traffic == "data" else 0,
                        "price_ore": price,
                        "invoiced": month < month_start(self.today),
                    }
                )
            month = next_month(month)
        return rows

    def monitoring(self, service, mbit: int):
        now = utcnow().replace(minute=0, second=0, microsecond=0)
        rows = []
        for hour in range(24 * 7):
            at = now - dt.timedelta(hours=hour)
            load = 0.15 + 0.6 * max(0.0, 1 - abs(at.hour - 14) / 9) * self.rng.uniform(0.6, 1.1)
            rows.append(
                {
                    "service": service.id,
                    "at": at,
                    "rx_bps": int(mbit * 10**6 * load),
                    "tx_bps": int(mbit * 10**6 * load * 0.35),
                }
            )
        MonitoringSample.insert_many(rows).execute()

    # -- invoices

    def invoices(self, org, account, services, cdr_totals, overdue_months=()):
        """Twelve monthly invoices for the account, each billing the month before."""
        invoices = {}
        for back in range(11, -1, -1):
            issued = month_start(self.today, back).replace(day=11)
            if issued > self.today:
                continue
            period_start = month_start(issued, 1)
            period_end = issued.replace(day=1) - dt.timedelta(days=1)
            lines = []
            for service in services:
                if service.status in ("ordered",) or service.start_date > period_end:
                    continue
                if service.status == "terminated" and back < 2:
                    continue
                lines.append((service, service.product.name, service.monthly_ore))
                calls = cdr_totals.get((service.id, period_start), 0)
                if calls:
                    lines.append((service, "Samtal och meddelanden", calls))
            if not lines:
                continue
            net = sum(amount for _, _, amount in lines)
            vat = net // 4
            due = issued + dt.timedelta(days=30)
            paid = due < self.today and back not in overdue_months
            invoice = Invoice.create(
                organisation=org,
                account=account,
                number=f"6789-{next_number('invoice_number')}",
                invoice_date=issued,
                due_date=due,
                period_start=period_start,
                period_end=period_end,
                amount_ore=net + vat,
                vat_ore=vat,
                status="paid" if paid else "unpaid",
                paid_at=due - dt.timedelta(days=self.rng.randint(0, 5)) if paid else None,
                reference=account.invoice_reference,
                delivery=account.invoice_delivery,
            )
            InvoiceLine.insert_many(
                [
                    {
                        "invoice": invoice.id,
                        "service": service.id,
                        "description": text,
                        "user_name": service.user_name,
                        "invoice_text": service.invoice_text,
                        "period_start": period_start,
                        "period_end": period_end,
                        "amount_ore": amount,
                        "position": i,
                    }
                    for i, (service, text, amount) in enumerate(lines)
                ]
            ).execute()
            invoices[period_start] = invoice
        return invoices

    # -- orders and tickets

    def order(
        self,
        org,
        account,
        user,
        type_,
        status,
        lines,
        *,
        service=None,
        days_ago=10,
        version=0,
        desired_in=None,
        **fields,
    ):
        created = utcnow() - dt.timedelta(days=days_ago, hours=self.rng.randint(0, 8))
        order = Order.create(
            organisation=org,
            account=account,
            service=service,
            number=next_number("order_number"),
            version=version,
            type=type_,
            status=status,
            created_by=user,
            created_at=created,
            submitted_at=None if status == "draft" else created,
            desired_date=(self.today + dt.timedelta(days=desired_in)) if desired_in else None,
            completed_at=created + dt.timedelta(days=2)
            if status in ("completed", "cancelled", "rejected")
            else None,
            **fields,
        )
        for position, code in enumerate(lines):
            product = self.products[code]
            OrderLine.create(
                order=order,
                product=product,
                name=product.name,
                monthly_ore=product.monthly_ore,
                start_ore=product.start_ore,
                binding_months=product.binding_months,
                position=position,
            )
        flow = ["draft", "awaiting_approval", "received", "in_progress", "completed"]
        path = flow[: flow.index(status) + 1] if status in flow else ["draft", "received", status]
        if status == "rejected":
            path = ["draft", "awaiting_approval", "rejected"]
        previous = None
        for step, to_status in enumerate(path):
            OrderEvent.create(
                order=order,
                at=created + dt.timedelta(hours=step * 5),
                from_status=previous,
                to_status=to_status,
                user=user if to_status in ("draft", "awaiting_approval") else None,
                comment="Attestant: budget saknas" if to_status == "rejected" else "",
            )
            previous = to_status
        for v in range(version + 1):
            OrderVersion.create(
                order=order,
                version=v,
                created_by=user,
                created_at=created,
                snapshot=json.dumps({"lines": list(lines), "version": v}),
            )
        return order

    def ticket(
        self,
        org,
        account,
        user,
        subject,
        category,
        status,
        conversation,
        *,
        service=None,
        priority=3,
        days_ago=3,
        scheduled_for=None,
        sla_hours=None,
    ):
        created = utcnow() - dt.timedelta(days=days_ago, hours=self.rng.randint(1, 6))
        ticket = Ticket.create(
            organisation=org,
            account=account,
            service=service,
            number=next_number("ticket_number"),
            category=category,
            priority=priority,
            subject=subject,
            status=status,
            created_by=user,
            created_at=created,
            scheduled_for=scheduled_for,
            reply_token=secrets.token_urlsafe(12),
            response_due_at=created + dt.timedelta(hours=sla_hours[0]) if sla_hours else None,
            resolution_due_at=created + dt.timedelta(hours=sla_hours[1]) if sla_hours else None,
        )
        at = created
        last = None
        for who, body in conversation:
            at += dt.timedelta(hours=self.rng.randint(1, 20))
            if at > utcnow():
                at = utcnow() - dt.timedelta(minutes=self.rng.randint(5, 50))
            TicketMessage.create(
                ticket=ticket,
                body=body,
                created_at=at,
                internal=(who == "note"),
                author_user=user if who == "customer" else None,
                author_staff=self.staff if who in ("staff", "note") else None,
            )
            if who == "staff" and ticket.first_response_at is None:
                ticket.first_response_at = at
            last = at
        Ticket.update(
            last_action_at=last if len(conversation) > 1 else None,
            first_response_at=ticket.first_response_at,
            resolved_at=last if status == "done" else None,
        ).where(Ticket.id == ticket.id).execute()
        return ticket


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
    )
    return sla, superuser, staff


def make_user(org, account, contact_name, username, *, role=None, permissions=(), mobile=""):
    contact = Contact.create(
        organisation=org,
        account=account,
        name=contact_name,
        email=username,
        mobile=mobile,
        role="contact",
    )
    return User.create(
        organisation=org,
        contact=contact,
        scope_account=account,
        role=role,
        username=username,
        email=username,
        name=contact_name,
        mobile=mobile,
        password_hash=hash_password(DEMO_PASSWORD),
        permissions=format_permissions(permissions),
    )


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
    )
    for product in b.products.values():
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
    statuses = {5: "barred", 14: "terminating", 21: "terminated"}
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
    for account, code, name, mbit, addr in (
        (top, "BB-1000", "Huvudkontoret Umeå", 1000, "Gata 1, 90155 Umeå"),
        (sub12, "BB-100", "Butik Skellefteå", 100, "Storgatan 12, 93131 Skellefteå"),
        (la, "BB-100", "Kontor Stockholm", 100, "Kungsgatan 1, 11143 Stockholm"),
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

    # Orders in every status.
    b.order(
        org, sub1, kontoadmin, "new", "completed", ["NRS-FAST", "NRS-MOB"], days_ago=120, version=1
    )
    b.order(
        org,
        sub1,
        kontoadmin,
        "change",
        "completed",
        ["MOB-FAST", "DATA-5"],
        service=mobiles[6],
        days_ago=90,
    )
    b.order(
        org,
        top,
        admin,
        "new",
        "in_progress",
        ["FN-HUVUD", "FN-IVR", "FN-ACD", "FN-STAT", "VXL-MOB-FAST", "ADD-APP", "DATA-5"],
        days_ago=6,
        version=1,
        product_area="fixed",
    )
    b.order(
        org,
        top,
        admin,
        "new",
        "received",
        ["MOB-FAST", "DATA-5", "SIM-VOICE"],
        days_ago=2,
        desired_in=7,
        end_user="Ny medarbetare",
    )
    b.order(
        org,
        sub1,
        kontoadmin,
        "new",
        "awaiting_approval",
        ["MOB-FAST", "DATA-15", "HW-IPHONE"],
        days_ago=1,
    )
    b.order(org, top, admin, "new", "draft", ["MBB-50"], days_ago=0)
    b.order(org, sub2, admin, "new", "cancelled", ["HW-MOTO"], days_ago=40)
    b.order(org, sub1, kontoadmin, "new", "rejected", ["HW-IPHONE"], days_ago=20)
    b.order(
        org,
        la,
        admin,
        "termination",
        "received",
        [],
        service=mobiles[14],
        days_ago=3,
        desired_in=40,
        payload=json.dumps({"end_date": (b.today + dt.timedelta(days=40)).isoformat()}),
    )
    b.order(
        org, sub11, kontoadmin, "topup", "completed", ["TOP-3"], service=mobiles[10], days_ago=12
    )
    b.order(
        org,
        sub1,
        kontoadmin,
        "sim_swap",
        "in_progress",
        [],
        service=mobiles[9],
        days_ago=1,
        payload=json.dumps({"method": "send", "sim_type": "physical"}),
    )

    # Tickets with conversations.
    gold = (1, 4)
    b.ticket(
        org,
        top,
        admin,
        "test",
        "support",
        "done",
        [
            ("customer", "Samtal bryts efter några sekunder på 0730718285."),
            (
                "staff",
                "Hej! Vi har åtgärdat en felaktig inställning i nätet. Hör av er om problemet kvarstår.",
            ),
            ("customer", "Tack, nu fungerar det."),
        ],
        service=mobiles[0],
        priority=1,
        days_ago=20,
        sla_hours=gold,
    )
    b.ticket(org, top, admin, "Test 3", "other", "done", [("customer", "Testärende.")], days_ago=25)
    b.ticket(
        org,
        sub1,
        kontoadmin,
        "Message Delivery Failure",
        "support",
        "waiting_customer",
        [
            ("customer", "Funkar inte"),
            ("note", "Kontrollerat SMSC-loggar, inga fel hos oss."),
            ("staff", "Hej! Kan ni skicka ett exempel på ett meddelande som inte levererades?"),
        ],
        service=mobiles[6],
        priority=2,
        days_ago=2,
        sla_hours=(4, 24),
    )
    b.ticket(
        org,
        sub11,
        kontoadmin,
        "Ingen täckning i källaren",
        "fault",
        "in_progress",
        [
            ("customer", "Användaren tappar täckning i källarplanet på kontoret."),
            ("staff", "Vi har skickat ärendet vidare till vår nätgrupp."),
        ],
        service=mobiles[10],
        priority=2,
        days_ago=1,
        sla_hours=(4, 24),
    )
    b.ticket(
        org,
        top,
        admin,
        "Fråga om faktura 6789",
        "invoice",
        "waiting",
        [("customer", "Varför har fakturan för mars en extra rad för samtal?")],
        days_ago=0,
        sla_hours=(8, 72),
    )
    b.ticket(
        org,
        sub2,
        admin,
        "Byt adress på fakturan",
        "other",
        "scheduled",
        [("customer", "Från 1:a nästa månad ska fakturorna skickas till Box 3124.")],
        scheduled_for=month_start(b.today, -1),
        days_ago=1,
    )
    b.ticket(
        org,
        la,
        admin,
        "Bredbandet långsamt på kvällar",
        "support",
        "in_progress",
        [
            ("customer", "Hastigheten sjunker till 10 Mbit/s efter kl 18."),
            ("staff", "Vi ser hög last på en nod och flyttar er förbindelse ikväll."),
        ],
        priority=1,
        days_ago=0,
        sla_hours=gold,
    )
    b.ticket(
        org,
        sub12,
        kontoadmin,
        "Beställning av extra SIM",
        "order",
        "done",
        [
            ("customer", "Vi behöver två extra SIM-kort."),
            ("staff", "SIM-korten är skickade till er leveransadress."),
        ],
        days_ago=60,
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
    Outage.create(
        title="Fiberavbrott Umeå centrum",
        description="Grävskada på fiberkabel. Tekniker är på plats.",
        area="Umeå",
        postcodes="90155 90304",
        latitude=63.8258,
        longitude=20.2630,
        starts_at=now - dt.timedelta(hours=3),
        expected_end=now + dt.timedelta(hours=5),
        service_kinds="broadband capacity",
    )
    Outage.create(
        title="Planerat underhåll mobilnätet Stockholm",
        description="Uppgradering av basstationer. Kortare avbrott i tal och data kan förekomma.",
        area="Stockholm",
        postcodes="11143 11144",
        latitude=59.3326,
        longitude=18.0649,
        starts_at=now + dt.timedelta(days=4, hours=1),
        expected_end=now + dt.timedelta(days=4, hours=5),
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
        starts_at=now - dt.timedelta(days=9),
        resolved_at=now - dt.timedelta(days=8, hours=20),
        service_kinds="broadband",
    )


def seed(today: dt.date | None = None) -> None:
    """Load the demo data into an empty database."""
    today = today or dt.date.today()
    rng = random.Random(f"teleportal-{today.isoformat()}")
    with write_tx():
        products = seed_catalogue()
        sla, superuser, staff = seed_operator(products)
        builder = DemoBuilder(rng, today, products)
        builder.staff = staff
        builder.products_by_id = {p.id: p for p in products.values()}
        seed_a3(builder, sla, superuser)
        seed_norrbygg(builder, superuser)
        seed_outages(today)
