"""Large-scale data for benchmarks: the demo data plus one big customer.

"Storkoncernen Sverige AB" has an account tree of 5,011 accounts four levels
deep (koncern → 10 regioner → 100 distrikt → 4,900 enheter), 100,000
services of every kind and status and 50,000 orders (this module); 200,000
monthly invoices, the last twelve months' itemised per service, 300 credit
notes, 2,000,000 call records over six months and six months of monthly
usage of the mobile services (seed/large_billing.py); and 3,000 tickets with
SLA times (seed/large_tickets.py); groups Avdelning and Kostnadsställe by
district and region (seed/large_groups.py). Its logins, password
``Teleportal-demo-2026``:

* ``admin@large.example``  Administratör (Superuser) on the top account
* ``konto@large.example``  Kontoadministratör on region 3 (501 accounts)

Rows are written with ``executemany`` in chunks, each chunk its own
``write_tx``, with ids assigned here (the database is fresh; seed/large_rows.py),
so the whole run takes a few minutes. Randomness is seeded: the same day
gives the same data.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from database import db, is_sqlite, utcnow, write_tx
from domain.numbers import luhn_digit
from domain.passwords import hash_password
from models import (
    ALL_MODELS,
    Account,
    Agreement,
    AgreementProduct,
    CompanyProfile,
    Contact,
    Order,
    OrderLine,
    Organisation,
    Product,
    Role,
    Service,
    ServiceLine,
    SLADefinition,
    User,
)
from permissions import format_permissions
from seed import demo
from seed.large_billing import LargeBilling
from seed.large_groups import seed_large_groups
from seed.large_rows import (
    LargeService,
    Progress,
    bulk_insert,
    foreign_keys_off,
    iso,
    month_start,
    next_id,
    reserve_numbers,
    reset_id_sequences,
)
from seed.large_tickets import seed_tickets

ADMIN_USERNAME = "admin@large.example"
ACCOUNT_ADMIN_USERNAME = "konto@large.example"

REGIONS = 10
DISTRICTS_PER_REGION = 10
UNITS_PER_DISTRICT = 49
SERVICES = 100_000
ORDERS = 50_000
SCOPED_REGION = 3  # the Kontoadministratör's region (1-based)

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

    def services(self, org, tree: list[tuple]) -> list[LargeService]:
        """100,000 services, as LargeService for billing, usage and tickets."""
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
        out: list[LargeService] = []
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
                invoice_text = "Projekt" if rng.random() < 0.02 else ""
                data_mb = (spec[1][1].data_mb or 0) if data_codes else 0
                out.append(
                    LargeService(
                        service_id, accounts[i], kind, number, status, monthly, start, end,
                        product.name, user, invoice_text, data_mb,
                    )
                )  # fmt: skip
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
                    invoice_text,
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

    # -- orders

    def orders(self, org, services: list[LargeService]) -> None:
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


def seed(echo: Callable = print, today: dt.date | None = None) -> None:
    """The demo data, then the large customer, into an empty database."""
    today = today or dt.date.today()
    progress = Progress(echo)
    database = db.obj
    # A bulk load that can simply be run again: no fsync per commit, a big
    # page cache for the index inserts. Restored at the end.
    pragmas = ("synchronous", "cache_size") if is_sqlite() else ()
    saved = {name: database.execute_sql(f"PRAGMA {name}").fetchone()[0] for name in pragmas}
    if is_sqlite():
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
        builder.orders(org, services)
        billing = LargeBilling(builder, org, tree, services)
        with foreign_keys_off("call_record"):
            billing.call_records()
            billing.invoices()
        billing.usage()
        seed_tickets(builder, org, tree, services)
        seed_large_groups(today, echo)
        reset_id_sequences(ALL_MODELS)
        database.execute_sql("ANALYZE")
        progress("ANALYZE done")
    finally:
        for name, value in saved.items():
            database.execute_sql(f"PRAGMA {name} = {value}")
