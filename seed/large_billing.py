"""The large customer's billing (seed/large.py): monthly invoices, their
lines, credit notes, call records and monthly usage.

* **Invoices**: 200,000, one per account and month, newest months first
  (some 40 months back). The newest twelve months' invoices (about 60,000) are
  itemised as billing gives them, like the demo's (seed/builder.py): per
  billed service its monthly fee (the product's name), per mobile service
  its call charges ("Samtal och meddelanden", the sum of its call records'
  prices that month; before the call records' six months a draw from those
  sums), and an invoice fee without a service ("Fakturaavgift"). Older
  invoices keep three summary lines (Månadsavgifter, Samtal och
  meddelanden, Fakturaavgift): itemising all 40 months would be some seven
  million lines for nothing the reports read (they look a year back). An
  invoice's amount is its lines plus 25 % VAT.
* **Credit notes**: 300 over the last twelve months, each crediting the
  largest monthly fee line of an itemised invoice (in full, half or a
  quarter), ten days after the invoice, as seed/reports.py does for the demo.
* **Call records**: 2,000,000 over six months for the mobile services,
  month by month; a month's are invoiced once its invoices are out (the
  11th of the next) and point at the account's invoice.
* **Monthly usage**: the last six months of every billed mobile service,
  its cost the monthly fee (the current month's by the day so far) plus the
  month's call charges (seed/reports.py's rule).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from database import utcnow
from models import CallRecord, CreditNote, CreditNoteLine, Invoice, InvoiceLine, MonthlyUsage
from seed.large_rows import (
    MOBILE_KINDS,
    BulkWriter,
    LargeService,
    bulk_insert,
    iso,
    month_start,
    next_id,
    reserve_numbers,
)

INVOICES = 200_000
INVOICE_MONTHS = 41  # the current month's are not issued yet before the 11th
ITEMISED_MONTHS = 12
CALL_RECORDS = 2_000_000
CDR_MONTHS = 6
USAGE_MONTHS = 6
CREDIT_NOTES = 300

TRAFFIC_WEIGHTS = {"mobile": 40, "national": 20, "international": 4, "sms": 25, "mms": 2, "data": 9}
VOICE = frozenset(("mobile", "national", "international"))
INVOICE_FEE = {"letter": 4900, "email": 2900, "efaktura": 2900}
CALLS_TEXT = "Samtal och meddelanden"
# (share of the line credited, why)
CREDIT_REASONS = [
    (1.0, "Dubbeldebitering av månadsavgift"),
    (0.5, "Kompensation för driftstörning"),
    (1.0, "Tjänsten avslutad före perioden – felaktig debitering"),
    (0.25, "Goodwill efter reklamation"),
    (1.0, "Felaktigt pris enligt avtal"),
]


def billed_in(service: LargeService, first: dt.date, last: dt.date) -> bool:
    """Whether the service was billed for the period ``first``–``last``."""
    return service.start <= last and (service.end is None or service.end >= first)


class LargeBilling:
    def __init__(self, builder, org, tree: list[tuple], services: list[LargeService]):
        self.today = builder.today
        self.rng = builder.rng
        self.progress = builder.progress
        self.org = org
        self.tree = tree
        self.services = [s for s in services if s.status != "ordered"]
        self.by_account: dict[int, list[LargeService]] = defaultdict(list)
        for service in self.services:
            self.by_account[service.account].append(service)
        self.delivery = {n[0]: self.rng.choice(("email", "efaktura", "letter")) for n in tree}
        # (service id, month) -> the month's call charges (öre), from the call records
        self.charges: dict[tuple, int] = {}
        self.plan, self.billed = self._plan()

    def _plan(self) -> tuple[list[tuple], dict]:
        """The invoices' ids before any is written, so the call records can
        point at theirs: [(id, account id, issued)], {(account id, period start): id}."""
        first_id = next_id(Invoice)
        plan: list[tuple] = []
        for back in range(INVOICE_MONTHS):
            issued = month_start(self.today, back).replace(day=11)
            if issued > self.today:
                continue
            for account_id, *_ in self.tree:
                if len(plan) == INVOICES:
                    break
                plan.append((first_id + len(plan), account_id, issued))
        billed = {(account, month_start(issued, 1)): id_ for id_, account, issued in plan}
        return plan, billed

    # -- call records

    def call_records(self) -> None:
        """Six months of CDRs for the mobile services, imported month by month
        (so ids follow time, as with the operator's real imports). Written
        before the invoices they point at (foreign keys off meanwhile, the ids
        are planned), because the invoices' call charges are their sums."""
        rng = self.rng
        org_id = self.org.id
        mobile = [s for s in self.services if s.kind in MOBILE_KINDS]
        traffic_types = list(TRAFFIC_WEIGHTS)
        traffic_weights = list(TRAFFIC_WEIGHTS.values())
        countries = ["NO", "DK", "FI", "DE", "ES", "US"]
        prefixes = ["070", "073", "076", "090", "08"]
        now = utcnow()
        per_month = CALL_RECORDS // CDR_MONTHS
        months = [month_start(self.today, back) for back in range(CDR_MONTHS - 1, -1, -1)]
        charges = self.charges
        billed = self.billed
        billed_months = {month for _, month in billed}

        def rows():
            produced = 0
            for m, month in enumerate(months):
                n = per_month if m < CDR_MONTHS - 1 else CALL_RECORDS - produced
                produced += n
                start = dt.datetime.combine(month, dt.time())
                end = min(dt.datetime.combine(month_start(month, -1), dt.time()), now)
                span = int((end - start).total_seconds())
                offsets = sorted(rng.randrange(span) for _ in range(n))
                chosen = rng.choices(mobile, k=n)
                traffic = rng.choices(traffic_types, traffic_weights, k=n)
                # a month's calls are invoiced once its invoices are out (on the 11th)
                invoiced = month in billed_months
                random_ = rng.random
                for i in range(n):
                    service_id, account_id, kind, number, *_ = chosen[i]
                    kind_of = "data" if kind == "mbb" else traffic[i]
                    started = start + dt.timedelta(seconds=offsets[i])
                    duration = int(8 + random_() * 1800) if kind_of in VOICE else 0
                    price, country = 0, "SE"
                    if kind_of == "international":
                        country = countries[int(random_() * 6)]
                        price = duration * 3
                    elif kind_of == "mms":
                        price = 50
                    key = (service_id, month)
                    charges[key] = charges.get(key, 0) + price
                    yield (
                        org_id,
                        account_id,
                        service_id,
                        started.isoformat(" "),
                        "in" if random_() < 0.3 else "out",
                        number,
                        ""
                        if kind_of == "data"
                        else prefixes[int(random_() * 5)] + f"{int(random_() * 10**7):07d}",
                        kind_of,
                        country,
                        duration,
                        int(10**5 + random_() * 5 * 10**8) if kind_of == "data" else 0,
                        price,
                        invoiced,
                        billed.get((account_id, month)) if invoiced else None,
                    )
                self.progress(f"call records for {month:%Y-%m} generated")

        # Call records name invoices written after them (invoices() needs
        # the calls' charges): seed/large.py holds the foreign keys off.
        count = bulk_insert(
            CallRecord,
            [
                "organisation", "account", "service", "started_at", "direction",
                "a_number", "b_number", "traffic_type", "country", "duration_s",
                "bytes", "price_ore", "invoiced", "invoice",
            ],
            rows(),
            chunk=100_000,
        )  # fmt: skip
        self.progress(f"{count:,} call records")

    # -- invoices, their lines and credit notes

    def invoices(self) -> None:
        rng = self.rng
        today = self.today
        issue_days = sorted({issued for _, _, issued in self.plan}, reverse=True)
        itemised = set(issue_days[:ITEMISED_MONTHS])
        cdr_months = {month for _, month in self.charges}
        drawn = list(self.charges.values()) or [0]
        year_ago = today - dt.timedelta(days=365)
        creditable = [
            id_
            for id_, _, issued in self.plan
            if issued in itemised and year_ago <= issued <= today - dt.timedelta(days=10)
        ]
        to_credit = set(rng.sample(creditable, min(CREDIT_NOTES, len(creditable))))
        credited: list[tuple] = []  # (invoice row, line id, service id, text, amount)

        first_number = reserve_numbers("invoice_number", len(self.plan))
        created = iso(utcnow())
        invoice_writer = BulkWriter(
            Invoice,
            [
                "id", "organisation", "account", "number", "invoice_date", "due_date",
                "period_start", "period_end", "amount_ore", "vat_ore", "status", "paid_at",
                "reference", "delivery", "created_at",
            ],
        )  # fmt: skip
        line_writer = BulkWriter(
            InvoiceLine,
            [
                "id", "invoice", "service", "description", "user_name", "invoice_text",
                "period_start", "period_end", "amount_ore", "position",
            ],
            before=invoice_writer,
        )  # fmt: skip
        line_id = next_id(InvoiceLine)
        org_id = self.org.id
        for n, (invoice_id, account_id, issued) in enumerate(self.plan):
            period_start = month_start(issued, 1)
            period_end = issued.replace(day=1) - dt.timedelta(days=1)
            start_text, end_text = iso(period_start), iso(period_end)
            services = [
                s
                for s in self.by_account.get(account_id, ())
                if billed_in(s, period_start, period_end)
            ]
            lines: list[tuple] = []  # (service id, text, user, invoice text, amount)
            if issued in itemised:
                for s in services:
                    lines.append((s.id, s.product_name, s.user_name, s.invoice_text, s.monthly_ore))
                    if s.kind in MOBILE_KINDS:
                        if period_start in cdr_months:
                            calls = self.charges.get((s.id, period_start), 0)
                        else:
                            calls = drawn[int(rng.random() * len(drawn))]
                        lines.append((s.id, CALLS_TEXT, s.user_name, s.invoice_text, calls))
            else:
                fees = sum(s.monthly_ore for s in services)
                lines.append((None, "Månadsavgifter", "", "", fees))
                lines.append((None, CALLS_TEXT, "", "", rng.randint(0, 40_000)))
            delivery = self.delivery[account_id]
            lines.append((None, "Fakturaavgift", "", "", INVOICE_FEE[delivery]))
            net = sum(line[4] for line in lines)
            vat = net // 4
            due = issued + dt.timedelta(days=30)
            overdue = due < today and rng.random() < (0.3 if issued >= issue_days[2] else 0.01)
            paid = due < today and not overdue
            number = f"6789-{first_number + n}"
            # the invoice first: a full chunk of lines flushes the invoices before it
            invoice_writer.add(
                (
                    invoice_id,
                    org_id,
                    account_id,
                    number,
                    iso(issued),
                    iso(due),
                    start_text,
                    end_text,
                    net + vat,
                    vat,
                    "paid" if paid else "unpaid",
                    iso(due - dt.timedelta(days=rng.randint(0, 5))) if paid else None,
                    f"Ref {account_id % 500}",
                    delivery,
                    created,
                )
            )
            largest = None
            for position, (service_id, text, user, invoice_text, amount) in enumerate(lines):
                line_writer.add(
                    (line_id, invoice_id, service_id, text, user, invoice_text,
                     start_text, end_text, amount, position)
                )  # fmt: skip
                if service_id and text != CALLS_TEXT and (largest is None or amount > largest[3]):
                    largest = (line_id, service_id, text, amount)
                line_id += 1
            if invoice_id in to_credit and largest and largest[3] > 0:
                credited.append(((invoice_id, account_id, number, issued), *largest))
        count = invoice_writer.close()
        self.progress(f"{count:,} invoices ({len(itemised)} months itemised)")
        lines_count = line_writer.close()
        self.progress(f"{lines_count:,} invoice lines")
        self.credit_notes(credited)

    def credit_notes(self, credited: list[tuple]) -> None:
        rng = self.rng
        org_id = self.org.id
        first_id = next_id(CreditNote)
        notes, lines = [], []
        for n, (
            (invoice_id, account_id, number, issued),
            line_id,
            service_id,
            text,
            amount,
        ) in enumerate(credited):
            share, reason = rng.choice(CREDIT_REASONS)
            credit = round(amount * share)
            note_id = first_id + n
            notes.append(
                (note_id, org_id, account_id, invoice_id, f"KR-{number.split('-')[-1]}-1",
                 iso(issued + dt.timedelta(days=10)), round(credit * 125 / 100), reason)
            )  # fmt: skip
            lines.append((note_id, line_id, service_id, f"Kreditering: {text}", credit))
        bulk_insert(
            CreditNote,
            ["id", "organisation", "account", "invoice", "number", "issued_on", "amount_ore",
             "reason"],
            notes,
        )  # fmt: skip
        bulk_insert(
            CreditNoteLine,
            ["credit_note", "invoice_line", "service", "description", "amount_ore"],
            lines,
        )
        self.progress(f"{len(notes):,} credit notes")

    # -- monthly usage

    def usage(self) -> None:
        """MonthlyUsage of the billed mobile services for the last six
        months, the current month so far (as seed/builder.py's ``usage``)."""
        rng = self.rng
        random_ = rng.random
        today = self.today
        months = [month_start(today, back) for back in range(USAGE_MONTHS)]

        def rows():
            for s in self.services:
                if s.kind not in MOBILE_KINDS:
                    continue
                voice = s.kind != "mbb"
                for back, month in enumerate(months):
                    after = month_start(month, -1)
                    if not billed_in(s, month, after - dt.timedelta(days=1)):
                        continue
                    share = today.day / 31 if back == 0 else 1
                    quota = s.data_mb
                    used = int((quota or 3000) * (0.2 + 0.8 * random_()) * share)
                    fee = s.monthly_ore
                    if back == 0:
                        fee = fee * today.day // (after - month).days
                    yield (
                        s.id,
                        iso(month),
                        min(used, quota) if quota else used,
                        quota,
                        int((3000 + random_() * 37000) * share) if voice else 0,
                        int((40 + random_() * 360) * share) if voice else 0,
                        int((5 + random_() * 145) * share) if voice else 0,
                        int(random_() * 7 * share) if voice else 0,
                        fee + self.charges.get((s.id, month), 0),
                    )

        count = bulk_insert(
            MonthlyUsage,
            ["service", "month", "data_used_mb", "data_quota_mb", "voice_seconds", "calls",
             "sms", "mms", "cost_ore"],
            rows(),
        )  # fmt: skip
        self.progress(f"{count:,} monthly usage rows")
