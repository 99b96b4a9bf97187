"""Helpers that build demo data: identifiers, services with their SIM cards
and usage, call records, monitoring samples, invoices, orders and tickets.
Used by seed/demo.py (and seed/large.py for names and months)."""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets

from database import utcnow
from domain.numbers import luhn_digit
from domain.orders.changes import snapshot
from domain.passwords import hash_password
from models import (
    Contact,
    Device,
    Invoice,
    InvoiceLine,
    MonitoringSample,
    MonthlyUsage,
    Order,
    OrderApproval,
    OrderEvent,
    OrderLine,
    OrderVersion,
    PhoneNumber,
    Service,
    ServiceLine,
    SimCard,
    Ticket,
    TicketMessage,
    User,
    next_number,
)
from permissions import format_permissions

DEMO_PASSWORD = "Teleportal-demo-2026"

FIRST_NAMES = ["Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Sara", "Per", "Lena", "Mikael", "Emma", "Anders", "Sofia", "Jonas", "Elin", "Fredrik", "Ida", "Magnus", "Linnea", "Oskar"]  # fmt: skip
LAST_NAMES = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Lindberg", "Holm"]  # fmt: skip
DEVICES = ["Apple iPhone 8 (A1905)", "Motorola MOTO G 5 Dual", "Apple iPhone 14 (A2882)", "Samsung Galaxy S23 (SM-S911B)", "Apple iPhone 15 (A3090)", "Doro 8100"]  # fmt: skip


def month_start(day: dt.date, back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def next_month(day: dt.date) -> dt.date:
    return month_start(day, -1)


def billing_ocr(customer_number: str, issued: dt.date) -> str:
    """An OCR reference as a billing system makes one: customer number and
    billing month, a length digit and a Luhn check digit ("OCR med
    längdsiffra")."""
    digits = f"{customer_number}{issued:%y%m}"
    digits += str((len(digits) + 2) % 10)
    return digits + luhn_digit(digits)


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
        """The last twelve monthly invoices for the account, issued on the
        11th, each billing the month before.

        ``overdue_months`` counts among the invoices already due, newest
        first: 1 leaves the newest of them unpaid, so it is overdue on any
        day of the month (an invoice falls due on the 10th of the next).
        """
        invoices = {}
        issue_dates = [month_start(self.today, back).replace(day=11) for back in range(13)]
        issue_dates = [day for day in issue_dates if day <= self.today][:12]
        already_due = [day for day in issue_dates if day + dt.timedelta(days=30) < self.today]
        for back in range(len(issue_dates) - 1, -1, -1):
            issued = issue_dates[back]
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
            paid = issued in already_due and already_due.index(issued) + 1 not in overdue_months
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
                # The billing system has given OCR numbers for half a year;
                # older invoices are paid with the one derived from the number.
                ocr=billing_ocr(account.customer_number, issued) if back < 6 else "",
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
        elif status == "declined":
            path = ["draft", "received", "answered", "declined"]
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
                snapshot=json.dumps(snapshot(order), ensure_ascii=False, default=str),
            )
        return order

    def approvals(self, order, steps) -> None:
        """The order's approval steps: (approver, status, comment) in order."""
        for position, (approver, status, comment) in enumerate(steps, start=1):
            decided = status != "pending"
            OrderApproval.create(
                order=order,
                position=position,
                approver=approver,
                status=status,
                decided_at=order.created_at + dt.timedelta(hours=position * 3) if decided else None,
                comment=comment,
            )

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
