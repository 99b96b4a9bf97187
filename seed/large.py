"""Large-scale data for benchmarks: the demo data plus one big customer.

"Storkoncernen Sverige AB" has an account tree of 5,011 accounts four levels
deep (koncern → 10 regioner → 100 distrikt → 4,900 enheter), 100,000
services of every kind and status, 2,000,000 call records over six months
and 200,000 monthly invoices (two lines each). Its logins, password
``Teleportal-demo-2026``:

* ``admin@large.example``  Administratör (Superuser) on the top account
* ``konto@large.example``  Kontoadministratör on region 3 (501 accounts)

Rows are written with ``executemany`` in chunks, each chunk its own
``write_tx``, with ids assigned here (the database is fresh), so the whole
run takes a few minutes. Randomness is seeded: the same day gives the same
data.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterable, Sequence

from database import db, utcnow, write_tx
from domain.numbers import luhn_digit
from domain.passwords import hash_password
from models import (
    Account,
    Agreement,
    AgreementProduct,
    CallRecord,
    CompanyProfile,
    Contact,
    Invoice,
    InvoiceLine,
    Order,
    OrderLine,
    Organisation,
    Product,
    Role,
    Service,
    ServiceLine,
    SLADefinition,
    User,
    next_number,
)
from models import Sequence as NumberSequence
from permissions import format_permissions
from seed import demo

ADMIN_USERNAME = "admin@large.example"
ACCOUNT_ADMIN_USERNAME = "konto@large.example"

REGIONS = 10
DISTRICTS_PER_REGION = 10
UNITS_PER_DISTRICT = 49
SERVICES = 100_000
CALL_RECORDS = 2_000_000
INVOICES = 200_000
ORDERS = 50_000
INVOICE_MONTHS = 40
CDR_MONTHS = 6
SCOPED_REGION = 3  # the Kontoadministratör's region (1-based)
CHUNK = 50_000

REGION_NAMES = [
    "Norr",
    "Mitt",
    "Öst",
    "Väst",
    "Syd",
    "Stockholm",
    "Göteborg",
    "Malmö",
    "Bergslagen",
    "Gotland",
]
CITIES = [
    ("Umeå", "90325"),
    ("Luleå", "97231"),
    ("Sundsvall", "85230"),
    ("Uppsala", "75320"),
    ("Stockholm", "11143"),
    ("Göteborg", "41103"),
    ("Malmö", "21120"),
    ("Örebro", "70210"),
    ("Linköping", "58223"),
    ("Visby", "62155"),
    ("Karlstad", "65224"),
    ("Växjö", "35230"),
]
STREETS = ["Storgatan", "Kungsgatan", "Drottninggatan", "Järnvägsgatan", "Industrivägen"]
MORE_FIRST_NAMES = [
    "Alice",
    "Hugo",
    "Maja",
    "William",
    "Ella",
    "Noah",
    "Wilma",
    "Liam",
    "Astrid",
    "Nils",
    "Ebba",
    "Axel",
    "Saga",
    "Viktor",
    "Alva",
    "Gustav",
    "Tove",
    "Isak",
    "Klara",
    "Olle",
]
MORE_LAST_NAMES = [
    "Lindqvist",
    "Berg",
    "Sandberg",
    "Forsberg",
    "Sjöberg",
    "Wallin",
    "Engström",
    "Danielsson",
    "Håkansson",
    "Lundgren",
    "Björk",
    "Bergström",
    "Lindgren",
    "Axelsson",
    "Hedlund",
    "Nyström",
]

# kind: (weight, subscription products, data packages or None)
KIND_PLAN = {
    "mobile": (58, ["MOB-FAST"], ["DATA-5", "DATA-10", "DATA-15", "DATA-RORL"]),
    "mobile_pbx": (15, ["VXL-MOB-FAST", "VXL-MOB-RORL"], ["DATA-5", "DATA-10"]),
    "mbb": (10, ["MBB-50"], None),
    "broadband": (6, ["BB-100", "BB-1000"], None),
    "capacity": (2, ["KAP-1G"], None),
    "cloud_pbx": (2, ["VXL-MOLN"], None),
    "sip_trunk": (2, ["SIP-10"], None),
    "number_series": (2, ["NRS-FAST", "NRS-MOB"], None),
    "hosting": (3, ["HOST-WEB", "HOST-VPS"], None),
}
NUMBER_PREFIX = {
    "broadband": "BB",
    "capacity": "KAP",
    "cloud_pbx": "VXL",
    "sip_trunk": "SIP",
    "number_series": "NRS",
    "hosting": "HOST",
}
STATUS_WEIGHTS = {"active": 78, "barred": 4, "terminating": 3, "terminated": 12, "ordered": 3}
TRAFFIC_WEIGHTS = {"mobile": 40, "national": 20, "international": 4, "sms": 25, "mms": 2, "data": 9}
VOICE = frozenset(("mobile", "national", "international"))


# --------------------------------------------------------------------------- writing


def bulk_insert(model, columns: Sequence[str], rows: Iterable[tuple], chunk: int = CHUNK) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) with executemany.

    Fields left out get their model default, like ``Model.create`` would
    give them. Each chunk commits in its own ``write_tx``.
    """
    fields = model._meta.fields
    defaults = []
    for name, field in fields.items():
        if name in columns or field.default is None:
            continue
        value = field.default() if callable(field.default) else field.default
        defaults.append((name, field.db_value(value)))
    names = [fields[c].column_name for c in columns] + [fields[n].column_name for n, _ in defaults]
    tail = tuple(v for _, v in defaults)
    sql = 'INSERT INTO "{}" ({}) VALUES ({})'.format(
        model._meta.table_name,
        ", ".join(f'"{n}"' for n in names),
        ", ".join("?" * len(names)),
    )
    count = 0
    batch: list[tuple] = []
    for row in rows:
        batch.append(row + tail)
        if len(batch) >= chunk:
            count += _flush(sql, batch)
            batch = []
    if batch:
        count += _flush(sql, batch)
    return count


def _flush(sql: str, batch: list[tuple]) -> int:
    with write_tx():
        db.obj.cursor().executemany(sql, batch)
    return len(batch)


def reserve_numbers(name: str, count: int) -> int:
    """Take ``count`` consecutive numbers of a sequence; returns the first."""
    with write_tx():
        first = next_number(name)
        NumberSequence.update(value=NumberSequence.value + (count - 1)).where(
            NumberSequence.name == name
        ).execute()
    return first


def next_id(model) -> int:
    return (model.select(model.id).order_by(model.id.desc()).scalar() or 0) + 1


def month_start(day: dt.date, back: int = 0) -> dt.date:
    return demo.month_start(day, back)


def iso(value: dt.date | None) -> str | None:
    """Dates and timestamps as the text Peewee stores in SQLite."""
    if value is None:
        return None
    return value.isoformat(" ") if isinstance(value, dt.datetime) else value.isoformat()


class Progress:
    def __init__(self, echo: Callable):
        self.echo = echo
        self.started = time.perf_counter()

    def __call__(self, text: str) -> None:
        self.echo(f"[{time.perf_counter() - self.started:6.1f} s] {text}")


# --------------------------------------------------------------------------- the builder


class LargeBuilder:
    def __init__(self, today: dt.date, progress: Progress):
        self.today = today
        self.rng = random.Random(f"teleportal-large-{today.isoformat()}")
        self.progress = progress
        self.products = {p.code: p for p in Product.select()}
        self.first_names = demo.FIRST_NAMES + MORE_FIRST_NAMES
        self.last_names = demo.LAST_NAMES + MORE_LAST_NAMES

    # -- organisation, accounts, users

    def organisation(self) -> Organisation:
        body = "556912345"
        with write_tx():
            org = Organisation.create(
                name="Storkoncernen Sverige AB", org_number=body + luhn_digit(body)
            )
            CompanyProfile.create(
                organisation=org,
                delivery_name="Storkoncernen Sverige AB",
                delivery_street="Kungsgatan 1",
                delivery_postcode="11143",
                delivery_city="Stockholm",
            )
            agreement = Agreement.create(
                organisation=org,
                number="RA-2024-9001",
                name="Ramavtal Koncern",
                start_date=dt.date(2024, 1, 1),
                notice_months=3,
                # The demo's SLA Guld, so that the SLA report is offered here too.
                sla=SLADefinition.select().order_by(SLADefinition.id).first(),
            )
            AgreementProduct.insert_many(
                [{"agreement": agreement, "product": p} for p in self.products.values()]
            ).execute()
        return org

    def accounts(self, org: Organisation) -> list[tuple]:
        """The tree, breadth first: (id, parent id, path, depth, name)."""
        total = 1 + REGIONS * (1 + DISTRICTS_PER_REGION * (1 + UNITS_PER_DISTRICT))
        first_number = reserve_numbers("customer_number", total)
        next_account = next_id(Account)
        tree: list[tuple] = []

        def add(parent, name):
            nonlocal next_account
            account_id = next_account
            next_account += 1
            path = f"{parent[2] if parent else '/'}{account_id}/"
            node = (
                account_id,
                parent[0] if parent else None,
                path,
                parent[3] + 1 if parent else 0,
                name,
            )
            tree.append(node)
            return node

        top = add(None, org.name)
        regions = [add(top, f"Storkoncernen Region {REGION_NAMES[r]}") for r in range(REGIONS)]
        districts = []
        for r, region in enumerate(regions):
            for d in range(DISTRICTS_PER_REGION):
                districts.append(add(region, f"Storkoncernen {REGION_NAMES[r]} distrikt {d + 1}"))
        for d, district in enumerate(districts):
            for u in range(UNITS_PER_DISTRICT):
                city = CITIES[(d + u) % len(CITIES)][0]
                add(district, f"Storkoncernen enhet {d + 1}.{u + 1} {city}")

        created = iso(utcnow())
        rng = self.rng

        def rows():
            for i, (account_id, parent_id, path, depth, name) in enumerate(tree):
                city, postcode = CITIES[i % len(CITIES)]
                street = f"{rng.choice(STREETS)} {rng.randint(1, 80)}"
                yield (
                    account_id,
                    org.id,
                    parent_id,
                    path,
                    depth,
                    str(first_number + i),
                    org.org_number,
                    name,
                    f"Enhet {i}" if depth == 3 and i % 7 == 0 else "",
                    street,
                    postcode,
                    city,
                    f"Ref {i % 500}",
                    name.upper()[:40],
                    street,
                    postcode,
                    city,
                    rng.choice(("email", "email", "efaktura", "letter")),
                    f"faktura{i}@large.example",
                    created,
                )

        bulk_insert(
            Account,
            [
                "id",
                "organisation",
                "parent",
                "path",
                "depth",
                "customer_number",
                "org_number",
                "company_name",
                "alias",
                "street",
                "postcode",
                "city",
                "invoice_reference",
                "invoice_name",
                "invoice_street",
                "invoice_postcode",
                "invoice_city",
                "invoice_delivery",
                "invoice_email",
                "created_at",
            ],
            rows(),
        )
        self.progress(f"{len(tree):,} accounts, {max(n[3] for n in tree) + 1} levels")
        return tree

    def users(self, org, tree: list[tuple]) -> None:
        superuser = Role.get(Role.is_superuser == True)  # noqa: E712
        top_id = tree[0][0]
        region_id = [n for n in tree if n[3] == 1][SCOPED_REGION - 1][0]
        password = hash_password(demo.DEMO_PASSWORD)
        people = [
            (top_id, "Agnes Storm", ADMIN_USERNAME, superuser, ()),
            (
                region_id,
                "Rolf Region",
                ACCOUNT_ADMIN_USERNAME,
                None,
                {
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
            ),
        ]
        with write_tx():
            for account_id, name, username, role, permissions in people:
                contact = Contact.create(
                    organisation=org, account=account_id, name=name, email=username
                )
                User.create(
                    organisation=org,
                    contact=contact,
                    scope_account=account_id,
                    role=role,
                    username=username,
                    email=username,
                    name=name,
                    password_hash=password,
                    permissions=format_permissions(permissions),
                )
        self.progress(f"users {ADMIN_USERNAME} and {ACCOUNT_ADMIN_USERNAME}")

    # -- services

    def services(self, org, tree: list[tuple]) -> list[tuple]:
        """100,000 services; returns (id, account id, kind, number, status, monthly, start)."""
        rng = self.rng
        weights = [{0: 40, 1: 8, 2: 3}.get(depth, 1) for (_, _, _, depth, _) in tree]
        accounts = rng.choices([n[0] for n in tree], weights=weights, k=SERVICES)
        kinds = rng.choices(list(KIND_PLAN), [w for w, _, _ in KIND_PLAN.values()], k=SERVICES)
        statuses = rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()), k=SERVICES)
        mobile_numbers = iter(rng.sample(range(3 * 10**7), SERVICES))
        products = self.products
        plan_id = products["PL-FAST"].id
        first_id = next_id(Service)
        created = iso(utcnow())
        out: list[tuple] = []
        lines: list[tuple] = []

        def rows():
            for i in range(SERVICES):
                service_id = first_id + i
                kind, status = kinds[i], statuses[i]
                _, codes, data_codes = KIND_PLAN[kind]
                product = products[rng.choice(codes)]
                spec = [("start", product)]
                if data_codes:
                    spec.append(("data", products[rng.choice(data_codes)]))
                    if rng.random() < 0.2:
                        spec.append(("addon", products["ADD-TWIN"]))
                monthly = sum(p.monthly_ore for _, p in spec)
                for position, (section, item) in enumerate(spec):
                    lines.append(
                        (service_id, section, item.id, item.name, item.monthly_ore, position)
                    )
                mobile = data_codes is not None or kind == "mbb"
                if mobile:
                    n = next(mobile_numbers)
                    number = f"07{'036'[n // 10**7]}{n % 10**7:07d}"
                    user = (
                        "Router"
                        if kind == "mbb"
                        else f"{rng.choice(self.first_names)} {rng.choice(self.last_names)}"
                    )
                else:
                    number = f"{NUMBER_PREFIX[kind]}-{service_id:07d}"
                    user = rng.choice(CITIES)[0] + " " + rng.choice(("kontor", "lager", "butik"))
                start = month_start(self.today, rng.randint(0, 60) if status != "ordered" else 0)
                binding = (
                    start + dt.timedelta(days=round(product.binding_months * 30.44))
                    if product.binding_months
                    else None
                )
                end = None
                if status == "terminated":
                    end = self.today - dt.timedelta(days=rng.randint(1, 400))
                elif status == "terminating":
                    end = self.today + dt.timedelta(days=rng.randint(10, 90))
                out.append((service_id, accounts[i], kind, number, status, monthly, start))
                yield (
                    service_id,
                    org.id,
                    accounts[i],
                    kind,
                    number,
                    user,
                    product.id,
                    plan_id if data_codes else None,
                    status,
                    monthly,
                    rng.random() < 0.005,
                    iso(start),
                    iso(binding),
                    3 if product.binding_months else 1,
                    iso(end),
                    "Projekt" if rng.random() < 0.02 else "",
                    f"{rng.randint(10, 1000)}/{rng.randint(10, 1000)} Mbit/s"
                    if kind in ("broadband", "capacity")
                    else "",
                    created,
                )

        bulk_insert(
            Service,
            [
                "id",
                "organisation",
                "account",
                "kind",
                "number",
                "user_name",
                "product",
                "price_plan",
                "status",
                "monthly_ore",
                "hidden",
                "start_date",
                "binding_end",
                "notice_months",
                "end_date",
                "invoice_text",
                "bandwidth",
                "created_at",
            ],
            rows(),
        )
        self.progress(f"{len(out):,} services")
        bulk_insert(
            ServiceLine, ["service", "section", "product", "name", "monthly_ore", "position"], lines
        )
        self.progress(f"{len(lines):,} service specification lines")
        return out

    # -- invoices

    def invoices(self, org, tree: list[tuple], services: list[tuple]) -> dict:
        """Monthly invoices, newest months first, until there are 200,000.

        Returns {(account id, billed month): invoice id} for the call records.
        """
        rng = self.rng
        monthly: dict[int, int] = {}
        for _, account_id, _, _, status, fee, _ in services:
            if status != "ordered":
                monthly[account_id] = monthly.get(account_id, 0) + fee
        delivery = {n[0]: rng.choice(("email", "efaktura", "letter")) for n in tree}
        first_number = reserve_numbers("invoice_number", INVOICES)
        first_id = next_id(Invoice)
        created = iso(utcnow())
        billed: dict[tuple, int] = {}
        lines: list[tuple] = []

        def rows():
            count = 0
            for back in range(INVOICE_MONTHS):
                issued = month_start(self.today, back).replace(day=11)
                if issued > self.today:
                    continue
                period_start = month_start(issued, 1)
                period_end = issued.replace(day=1) - dt.timedelta(days=1)
                due = issued + dt.timedelta(days=30)
                for account_id, *_ in tree:
                    if count == INVOICES:
                        return
                    invoice_id = first_id + count
                    fees = monthly.get(account_id, 0) or 9900
                    calls = rng.randint(0, 40_000)
                    net = fees + calls
                    vat = net // 4
                    overdue = due < self.today and rng.random() < (0.3 if back < 3 else 0.01)
                    paid = due < self.today and not overdue
                    period = (iso(period_start), iso(period_end))
                    lines.append((invoice_id, "Månadsavgifter", *period, fees, 0))
                    lines.append((invoice_id, "Samtal och meddelanden", *period, calls, 1))
                    billed[(account_id, period_start)] = invoice_id
                    yield (
                        invoice_id,
                        org.id,
                        account_id,
                        f"6789-{first_number + count}",
                        iso(issued),
                        iso(due),
                        iso(period_start),
                        iso(period_end),
                        net + vat,
                        vat,
                        "paid" if paid else "unpaid",
                        iso(due - dt.timedelta(days=rng.randint(0, 5))) if paid else None,
                        f"Ref {account_id % 500}",
                        delivery[account_id],
                        created,
                    )
                    count += 1

        count = bulk_insert(
            Invoice,
            [
                "id",
                "organisation",
                "account",
                "number",
                "invoice_date",
                "due_date",
                "period_start",
                "period_end",
                "amount_ore",
                "vat_ore",
                "status",
                "paid_at",
                "reference",
                "delivery",
                "created_at",
            ],
            rows(),
        )
        self.progress(f"{count:,} invoices")
        bulk_insert(
            InvoiceLine,
            ["invoice", "description", "period_start", "period_end", "amount_ore", "position"],
            lines,
        )
        self.progress(f"{len(lines):,} invoice lines")
        return billed

    # -- orders

    def orders(self, org, services: list[tuple]) -> None:
        """Orders over the last two years: most are service actions (a service
        of the order's account), a fifth Nybeställningar with a product line;
        a few each still waiting, received or in progress."""
        rng = self.rng
        users = [u for (u,) in User.select(User.id).where(User.organisation == org).tuples()]
        products = [p for p in self.products.values() if p.kind == "subscription"]
        action_types = ["change", "sim_swap", "barring", "forwarding", "termination", "addon"]
        first_number = reserve_numbers("order_number", ORDERS)
        first_id = next_id(Order)
        now = utcnow()
        lines: list[tuple] = []

        def rows():
            for n in range(ORDERS):
                order_id = first_id + n
                service_id, account_id, kind, *_ = rng.choice(services)
                created = now - dt.timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
                age_days = (now - created).days
                if age_days < 3:
                    status = rng.choice(("awaiting_approval", "received", "in_progress"))
                else:
                    status = rng.choices(("completed", "cancelled", "rejected"), (90, 7, 3))[0]
                new = rng.random() < 0.2
                if new:
                    product = rng.choice(products)
                    lines.append(
                        (order_id, product.id, product.name, product.monthly_ore,
                         product.start_ore, product.binding_months, 0)
                    )  # fmt: skip
                done = created + dt.timedelta(days=rng.randint(0, 3))
                yield (
                    order_id,
                    org.id,
                    account_id,
                    None if new else service_id,
                    first_number + n,
                    0,
                    "new" if new else rng.choice(action_types),
                    status,
                    "mobile" if kind in ("mobile", "mobile_pbx", "mbb") else "data",
                    rng.choice(users),
                    iso(created),
                    iso(created),
                    iso(done) if status == "completed" else None,
                )

        count = bulk_insert(
            Order,
            [
                "id", "organisation", "account", "service", "number", "version", "type",
                "status", "product_area", "created_by", "created_at", "submitted_at",
                "completed_at",
            ],
            rows(),
        )  # fmt: skip
        self.progress(f"{count:,} orders")
        bulk_insert(
            OrderLine,
            ["order", "product", "name", "monthly_ore", "start_ore", "binding_months", "position"],
            lines,
        )
        self.progress(f"{len(lines):,} order lines")

    # -- call records

    def call_records(self, org, services: list[tuple], billed: dict) -> None:
        """Six months of CDRs for the mobile services, imported month by month
        (so ids follow time, as with the operator's real imports)."""
        rng = self.rng
        mobile = [
            s for s in services if s[2] in ("mobile", "mobile_pbx", "mbb") and s[4] != "ordered"
        ]
        traffic_types = list(TRAFFIC_WEIGHTS)
        traffic_weights = list(TRAFFIC_WEIGHTS.values())
        countries = ["NO", "DK", "FI", "DE", "ES", "US"]
        prefixes = ["070", "073", "076", "090", "08"]
        now = utcnow()
        this_month = month_start(self.today)
        per_month = CALL_RECORDS // CDR_MONTHS
        months = [month_start(self.today, back) for back in range(CDR_MONTHS - 1, -1, -1)]

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
                invoiced = month < this_month
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
                    yield (
                        org.id,
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

        count = bulk_insert(
            CallRecord,
            [
                "organisation",
                "account",
                "service",
                "started_at",
                "direction",
                "a_number",
                "b_number",
                "traffic_type",
                "country",
                "duration_s",
                "bytes",
                "price_ore",
                "invoiced",
                "invoice",
            ],
            rows(),
            chunk=100_000,
        )
        self.progress(f"{count:,} call records")


def seed(echo: Callable = print, today: dt.date | None = None) -> None:
    """The demo data, then the large customer, into an empty database."""
    today = today or dt.date.today()
    progress = Progress(echo)
    database = db.obj
    # A bulk load that can simply be run again: no fsync per commit, a big
    # page cache for the index inserts. Restored at the end.
    saved = {
        name: database.execute_sql(f"PRAGMA {name}").fetchone()[0]
        for name in ("synchronous", "cache_size")
    }
    database.execute_sql("PRAGMA synchronous = OFF")
    database.execute_sql("PRAGMA cache_size = -1000000")
    try:
        demo.seed(today)
        progress("demo data (A3 Demo Connect, Norrlandsbygg AB)")
        builder = LargeBuilder(today, progress)
        org = builder.organisation()
        tree = builder.accounts(org)
        builder.users(org, tree)
        services = builder.services(org, tree)
        billed = builder.invoices(org, tree, services)
        builder.orders(org, services)
        builder.call_records(org, services, billed)
        database.execute_sql("ANALYZE")
        progress("ANALYZE done")
    finally:
        for name, value in saved.items():
            database.execute_sql(f"PRAGMA {name} = {value}")
