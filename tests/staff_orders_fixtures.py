"""Orders as the wizard sends them (docs/ORDERS.md), built straight in the
tables for the staff processing tests."""

from __future__ import annotations

import datetime as dt
import json

from database import utcnow, write_tx
from models import (
    Account,
    Order,
    OrderEvent,
    OrderLine,
    Organisation,
    PoolNumber,
    Product,
    User,
    next_number,
)
from tests.conftest import ADMIN, OTHER_ORG_ADMIN

# A valid ICC (Luhn) and free pool numbers no demo service has.
OWN_ICC = "8946010000000000004"
POOL = ("0739990001", "0739990002", "0739990003")


def product(code: str) -> Product:
    return Product.get(Product.code == code)


def demo_org(username: str = ADMIN) -> tuple[Organisation, Account, User]:
    user = User.get(User.username == username)
    org = user.organisation
    top = Account.select().where(Account.organisation == org.id).order_by(Account.path).first()
    return org, top, user


def seed_pool(*numbers: str, status: str = "free") -> None:
    with write_tx():
        for number in numbers:
            PoolNumber.get_or_create(number=number, defaults={"kind": "mobile", "status": status})


def barring_product() -> Product:
    """A Tilläggstjänst that is a barring (fulfilment: BAR-<KIND>)."""
    with write_tx():
        item, _ = Product.get_or_create(
            code="BAR-INTERNATIONAL",
            defaults={"name": "Spärr utlandssamtal", "kind": "addon"},
        )
    return item


def make_order(
    lines: list[dict],
    *,
    status: str = "received",
    is_quote: bool = False,
    desired: dt.date | None = None,
    username: str = ADMIN,
    reserve: tuple[str, ...] = (),
    **fields,
) -> Order:
    """A sent order. Each line: {"code", "details", "options": [(group, code)],
    "quantity", "monthly", "start", "binding"}; ``reserve`` are pool numbers
    the order reserved when sent."""
    org, account, user = demo_org(username)
    fields.setdefault("type", "new")
    with write_tx():
        order = Order.create(
            organisation=org,
            account=account,
            number=next_number("order_number"),
            version=0,
            status=status,
            is_quote=is_quote,
            created_by=user,
            submitted_at=utcnow(),
            desired_date=desired,
            delivery_name="A3 Demo Connect",
            delivery_street="Gata 1",
            delivery_postcode="90155",
            delivery_city="Umeå",
            **fields,
        )
        position = 0
        for spec in lines:
            item = product(spec["code"])
            top = OrderLine.create(
                order=order,
                product=item,
                name=item.name,
                quantity=spec.get("quantity", 1),
                monthly_ore=spec.get("monthly", item.monthly_ore),
                start_ore=spec.get("start", item.start_ore),
                binding_months=spec.get("binding", item.binding_months),
                details=json.dumps(spec.get("details", {})),
                position=position,
            )
            position += 1
            for group, code in spec.get("options", ()):
                option = product(code)
                OrderLine.create(
                    order=order,
                    parent=top,
                    product=option,
                    name=option.name,
                    option_group=group,
                    monthly_ore=option.monthly_ore,
                    start_ore=option.start_ore,
                    binding_months=option.binding_months,
                    position=position,
                )
                position += 1
        OrderEvent.create(order=order, from_status=None, to_status=status, user=user)
        for number in reserve:
            PoolNumber.update(status="reserved", order=order.id).where(
                PoolNumber.number == number
            ).execute()
    return order


def mobile_line(number: str = POOL[0], sim: str = "new", **details) -> dict:
    return {
        "code": "MOB-FAST",
        "details": {
            "end_user": "Anna Lind",
            "sim": sim,
            "number_choice": "new",
            "number": number,
            **details,
        },
        "options": [
            ("Prislista", "PL-UTLAND"),
            ("Datapaket", "DATA-10"),
            ("Tilläggstjänster", "ADD-TWIN"),
            ("Handtag", "HS-DESK"),
            ("SIM-kortstyp", "SIM-ESIM" if sim == "esim" else "SIM-VOICE"),
            ("Ingår alltid", "ADD-APP"),
        ],
    }


def other_org_order(**kw) -> Order:
    return make_order([{"code": "HW-MOTO", "quantity": 2}], username=OTHER_ORG_ADMIN, **kw)
