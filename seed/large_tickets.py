"""The large customer's tickets (seed/large.py): 3,000 over the last twelve
months, spread over the accounts like the services (most on the units), with
the demo's categories, priorities and statuses (seed/demo.py), each with the
customer's first message and, once answered, the operator's reply.

The SLA clocks are the agreement's (SLA Guld, domain/ticket_sla.py): a sent
ticket enters the queue when it is created (``queued_at``), its response and
resolution due times are its priority's targets from then, and the first
response and resolution come at times drawn so that some nine in ten meet
them. Tickets created in the last days are still open; of the older ones
one in twenty is left open past its due times. Tickets are not in the row
tally (tables/tally.py), so nothing else has to follow them.
"""

from __future__ import annotations

import datetime as dt

from database import utcnow
from models import (
    Agreement,
    SLATarget,
    StaffUser,
    Ticket,
    TicketMessage,
    User,
)
from seed.large_rows import LargeService, bulk_insert, iso, next_id, reserve_numbers

TICKETS = 3_000
TICKET_DAYS = 365

# category: (weight, [subjects], whether it concerns a service)
CATEGORIES = {
    "support": (35, ["Samtal bryts", "Kan inte skicka SMS", "Röstbrevlådan svarar inte",
                     "Bredbandet långsamt på kvällar", "Problem med vidarekoppling"], True),
    "fault": (25, ["Ingen täckning i källaren", "Ingen förbindelse", "Tjänsten nere",
                   "Kan inte ringa utomlands", "Brus i linjen"], True),
    "invoice": (15, ["Fråga om faktura", "Fel belopp på fakturan", "Byt fakturaadress",
                     "Saknar specifikation"], False),
    "order": (15, ["Beställning av extra SIM", "Nytt abonnemang", "Flytt av bredband",
                   "Utökad datamängd"], False),
    "other": (10, ["Fråga om avtalet", "Byt kontaktperson", "Övrigt"], False),
}  # fmt: skip
PRIORITIES = {1: 10, 2: 30, 3: 60}
STALE_STATUSES = ("waiting", "in_progress", "waiting_customer", "waiting_customer")
OPEN_STATUSES = {"waiting": 35, "in_progress": 40, "waiting_customer": 20, "scheduled": 5}
AREA = {
    "mobile": "mobile",
    "mobile_pbx": "mobile",
    "mbb": "mobile",
    "cloud_pbx": "fixed",
    "sip_trunk": "fixed",
    "number_series": "fixed",
}


def seed_tickets(builder, org, tree: list[tuple], services: list[LargeService]) -> None:
    rng = builder.rng
    random_ = rng.random
    now = utcnow()
    agreement = Agreement.get(Agreement.organisation == org.id)
    targets = {
        t.priority: (t.response_minutes, t.resolution_minutes)
        for t in SLATarget.select().where(SLATarget.sla == agreement.sla_id)
    }
    users = list(User.select(User.id, User.scope_account).where(User.organisation == org.id))
    admin = next(u for u in users if u.scope_account_id == tree[0][0])
    region = {u.scope_account_id: u.id for u in users if u.id != admin.id}
    paths = {n[0]: n[2] for n in tree}
    staff = StaffUser.select(StaffUser.id).order_by(StaffUser.id).scalar()
    live = [s for s in services if s.status not in ("ordered", "terminated")]
    categories = list(CATEGORIES)
    category_weights = [w for w, _, _ in CATEGORIES.values()]
    first_number = reserve_numbers("ticket_number", TICKETS)
    first_id = next_id(Ticket)
    tickets, messages = [], []
    for n in range(TICKETS):
        ticket_id = first_id + n
        category = rng.choices(categories, category_weights)[0]
        _, subjects, on_service = CATEGORIES[category]
        service = rng.choice(live)
        account = service.account
        if not on_service:
            service = None
        priority = rng.choices(list(PRIORITIES), list(PRIORITIES.values()))[0]
        if category not in ("support", "fault"):
            priority = 3
        created = now - dt.timedelta(minutes=int(random_() ** 1.3 * TICKET_DAYS * 24 * 60))
        age = now - created
        response, resolution = targets.get(priority, (None, None))
        # how long the answers took, against the targets: most in time
        respond = dt.timedelta(minutes=int((response or 480) * rng.uniform(0.1, 1.15)))
        resolve = dt.timedelta(minutes=int((resolution or 4320) * rng.uniform(0.2, 1.12)))
        resolve = max(resolve, respond + dt.timedelta(minutes=5))
        if age > resolve + dt.timedelta(days=2):
            # a few are left open long after their due times (the SLA report's Nej)
            status = "done" if random_() < 0.95 else rng.choice(STALE_STATUSES)
        else:
            status = rng.choices(list(OPEN_STATUSES), list(OPEN_STATUSES.values()))[0]
        scheduled_for = None
        queued = created
        if status == "scheduled":
            scheduled_for = (now + dt.timedelta(days=rng.randint(3, 30))).date()
            queued = None
        first_response = (
            created + respond
            if status in ("done", "in_progress", "waiting_customer") and created + respond < now
            else None
        )
        resolved = created + resolve if status == "done" else None
        last_action = resolved or first_response
        owner = admin.id
        for scope_account, user_id in region.items():
            if f"/{scope_account}/" in paths[account] and random_() < 0.5:
                owner = user_id
        subject = rng.choice(subjects)
        area = AREA.get(service.kind, "data") if category == "fault" else None
        tickets.append(
            (
                ticket_id,
                org.id,
                account,
                service.id if service else None,
                first_number + n,
                category,
                area,
                priority,
                subject,
                status,
                owner,
                iso(created),
                iso(last_action),
                iso(scheduled_for),
                iso(queued),
                staff if status in ("in_progress", "done") else None,
                iso(queued + dt.timedelta(minutes=response)) if queued and response else None,
                iso(queued + dt.timedelta(minutes=resolution)) if queued and resolution else None,
                iso(first_response),
                iso(resolved),
                f"large-{first_number + n}-{rng.getrandbits(40):010x}",
            )
        )
        what = f" på {service.number}" if service else ""
        messages.append(
            (ticket_id, owner, None, f"{subject}{what}. Kan ni hjälpa oss?", iso(created))
        )
        if first_response:
            reply = (
                "Hej! Vi har åtgärdat felet. Hör av er om problemet kvarstår."
                if status == "done"
                else "Hej! Vi tittar på ärendet och återkommer."
            )
            messages.append((ticket_id, None, staff, reply, iso(first_response)))
    bulk_insert(
        Ticket,
        [
            "id", "organisation", "account", "service", "number", "category", "product_area",
            "priority", "subject", "status", "created_by", "created_at", "last_action_at",
            "scheduled_for", "queued_at", "assigned_to", "response_due_at",
            "resolution_due_at", "first_response_at", "resolved_at", "reply_token",
        ],
        tickets,
    )  # fmt: skip
    bulk_insert(
        TicketMessage,
        ["ticket", "author_user", "author_staff", "body", "created_at"],
        messages,
    )
    builder.progress(f"{len(tickets):,} tickets, {len(messages):,} ticket messages")
