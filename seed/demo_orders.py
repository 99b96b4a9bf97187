"""The demo's orders (SPEC §6): every status, the approval chain waiting at
each step and one rejected, and quotes answered and declined, on A3 Demo
Connect's accounts."""

from __future__ import annotations

import datetime as dt
import json

from seed.builder import DemoBuilder


def seed_a3_orders(
    b: DemoBuilder, org, accounts: dict, admin, kontoadmin, attestant, mobiles
) -> None:
    """``accounts``: top, sub1, sub11, sub2 and la (the LA account)."""
    top, sub1, sub11, sub2, la = (accounts[k] for k in ("top", "sub1", "sub11", "sub2", "la"))
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
    # Waiting for each approver of the chain, and one the first approver rejected.
    at_first = b.order(
        org,
        sub1,
        kontoadmin,
        "new",
        "awaiting_approval",
        ["MOB-FAST", "DATA-15", "HW-IPHONE"],
        days_ago=1,
        end_user="Sara Nyström",
    )
    b.approvals(at_first, [(admin, "pending", ""), (attestant, "pending", "")])
    at_second = b.order(
        org,
        sub11,
        kontoadmin,
        "new",
        "awaiting_approval",
        ["MOB-FAST", "DATA-10"],
        days_ago=2,
        desired_in=10,
        end_user="Olle Sjöberg",
    )
    b.approvals(at_second, [(admin, "approved", "Ok, ersätter Olles gamla abonnemang."),
                            (attestant, "pending", "")])  # fmt: skip
    b.order(org, top, admin, "new", "draft", ["MBB-50"], days_ago=0)
    b.order(org, sub2, admin, "new", "cancelled", ["HW-MOTO"], days_ago=40)
    rejected = b.order(org, sub1, kontoadmin, "new", "rejected", ["HW-IPHONE"], days_ago=20)
    b.approvals(
        rejected, [(admin, "rejected", "Attestant: budget saknas"), (attestant, "pending", "")]
    )
    # Offerter: one answered by the operator with a price, one declined.
    answer = (
        "Kapacitetstjänst 1 Gbit/s till Umeå-kontoret: 8 900 kr/mån, startavgift 15 000 kr, 36 mån."
    )
    b.order(
        org, top, admin, "new", "answered", ["KAP-1G"], days_ago=8, is_quote=True,
        product_area="data", answer=answer,
    )  # fmt: skip
    b.order(
        org, sub2, admin, "new", "declined", ["HOST-VPS"], days_ago=30, is_quote=True,
        product_area="data", answer="Virtuell server 4 GB: 690 kr/mån, ingen startavgift.",
    )  # fmt: skip
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
