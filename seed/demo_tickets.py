"""The demo's tickets (SPEC §9): conversations in every status, with SLA
times where the agreement gives them, on A3 Demo Connect's accounts."""

from __future__ import annotations

import json
import random

from domain.charges import charge_completed
from models import Organisation, PriceListRequestPrice, RequestType, Ticket, User
from seed.builder import DemoBuilder, month_start


def seed_a3_tickets(b: DemoBuilder, org, accounts: dict, admin, kontoadmin, mobiles) -> None:
    """``accounts``: top, sub1, sub11, sub12, sub2 and la (the LA account)."""
    top, sub1, sub11, sub12, sub2, la = (
        accounts[k] for k in ("top", "sub1", "sub11", "sub12", "sub2", "la")
    )
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


# A3's price per request for the billable request types (kronor).
A3_REQUEST_PRICES = {"lost_tag_reactivate": 150, "tag_order": 250, "log_extract": 495}


def seed_a3_requests(b: DemoBuilder) -> None:
    """A3's price list prices three request types (BBGRUPPEN bills requests
    "enligt gällande avtal och gällande prislista"), and two billable
    requests: one completed, so billing has a charge to collect, and one
    waiting for staff. Made last, with their own random draws, so the rest
    of the demo stays as it was."""
    org = Organisation.get(Organisation.name == "A3 Demo Connect")
    price_list = org.current_agreement().price_list
    for key, kronor in A3_REQUEST_PRICES.items():
        PriceListRequestPrice.create(
            price_list=price_list,
            request_type=RequestType.get(RequestType.key == key),
            price_ore=kronor * 100,
        )
    top = org.top_account()
    admin = User.get(User.username == "admin@a3demo.se")
    shared_rng, b.rng = b.rng, random.Random("teleportal-demo-requests")
    done = b.ticket(
        org,
        top,
        admin,
        "Återaktivera tagg 0047112",
        "request",
        "done",
        [
            ("customer", "Taggen är återfunnen, återaktivera den."),
            ("staff", "Taggen 0047112 är aktiv igen."),
        ],
        days_ago=4,
    )
    waiting = b.ticket(
        org,
        top,
        admin,
        "Beställning av taggar",
        "request",
        "waiting",
        [("customer", "Vi behöver 20 nya taggar till kontoret.")],
        days_ago=1,
    )
    for ticket, key, fields in (
        (done, "lost_tag_reactivate", {"tag": "0047112", "property": "Gata 1, Umeå"}),
        (waiting, "tag_order", {"quantity": "20", "delivery": "Skickas", "where": "Gata 1"}),
    ):
        request_type = RequestType.get(RequestType.key == key)
        Ticket.update(request_type=request_type, extra_fields=json.dumps(fields)).where(
            Ticket.id == ticket.id
        ).execute()
        ticket.request_type = request_type
    charge_completed(done, staff=b.staff)
    b.rng = shared_rng
