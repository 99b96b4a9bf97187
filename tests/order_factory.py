"""Sent orders built directly (the wizard lives elsewhere): a mobile
subscription with its options and details, prices copied, v0 saved."""

from __future__ import annotations

import datetime as dt
import json

SUBSCRIPTION_DETAILS = {
    "end_user": "Anna Lind",
    "sim": "esim",
    "esim_email": "anna.lind@a3demo.se",
    "number_choice": "new",
    "number": "0701112233",
}


def make_order(
    creator: str,
    *,
    status: str = "received",
    account=None,
    is_quote: bool = False,
    desired_in: int = 10,
    answer: str = "",
    contact_email: str = "inkop@a3demo.se",
    extra_contact=None,
):
    from database import utcnow, write_tx
    from domain.orders.changes import snapshot
    from domain.orders.flow import save_version
    from models import next_number
    from tables.orders import Order, OrderEvent, OrderLine
    from tables.org import User

    user = User.get(User.username == creator)
    account = account or user.scope_account
    with write_tx():
        order = Order.create(
            organisation=user.organisation_id,
            account=account,
            number=next_number("order_number"),
            version=0,
            type="new",
            status=status,
            is_quote=is_quote,
            product_area="mobile",
            created_by=user,
            submitted_at=utcnow(),
            desired_date=dt.date.today() + dt.timedelta(days=desired_in),
            delivery_name="A3 Demo AB",
            delivery_street="Storgatan 1",
            delivery_postcode="90326",
            delivery_city="Umeå",
            billing_account=account,
            agreement_number="RA-2026-017",
            contact_method="email",
            contact_phone="0701234567",
            contact_email=contact_email,
            extra_contact=extra_contact,
            answer=answer,
        )
        subscription = OrderLine.create(
            order=order,
            name="Mobil Fastpris",
            monthly_ore=19900,
            start_ore=9900,
            binding_months=24,
            position=0,
            details=json.dumps(SUBSCRIPTION_DETAILS),
        )
        for position, (group, name, monthly) in enumerate(
            [("Datapaket", "Mobil Data 15GB", 4900), ("Tilläggstjänster", "Spärr betalsamtal", 0)],
            start=1,
        ):
            OrderLine.create(
                order=order,
                parent=subscription,
                option_group=group,
                name=name,
                monthly_ore=monthly,
                position=position,
            )
        OrderEvent.create(order=order, from_status="draft", to_status=status, user=user)
        save_version(order, snapshot(order), user=user)
    return order


def reload(order):
    from tables.orders import Order

    return Order.get_by_id(order.id)
