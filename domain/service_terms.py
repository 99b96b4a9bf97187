"""Contract terms and prices of services: dates (notice, binding, moves),
prices under the organisation's agreement, the options a service's product
offers and what a service holds now (its SIM card, data package, add-ons,
pending orders).

The bottom of the service layers, importing none of them: service_terms →
service_rules → service_actions → service_changes → provisioning →
domain/orders."""

from __future__ import annotations

import calendar
import datetime as dt

from domain.settings import config_value
from tables.catalogue import OptionGroup, OptionGroupItem, Product
from tables.orders import Order
from tables.org import AgreementProduct, PriceListItem
from tables.services import ServiceLine, SimCard

# An order handed to the backend and not yet carried out, refused or withdrawn.
PENDING_STATUSES = ("received", "in_progress")


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def first_of_next_month(day: dt.date) -> dt.date:
    return add_months(first_of_month(day), 1)


def last_of_month(day: dt.date) -> dt.date:
    return first_of_next_month(day) - dt.timedelta(days=1)


def earliest_move_date(today: dt.date | None = None) -> dt.date:
    """The operator's rule for when a moved service is billed on the new account
    (``SERVICE_MOVE_EARLIEST``: ``next_month`` (default), ``today`` or a
    number of days from today)."""
    today = today or dt.date.today()
    rule = config_value("SERVICE_MOVE_EARLIEST", "next_month").strip()
    if rule == "today":
        return today
    if rule.isdigit():
        return today + dt.timedelta(days=int(rule))
    return first_of_next_month(today)


def notice_end(service, today: dt.date | None = None) -> dt.date:
    """The day the notice period given today runs out."""
    today = today or dt.date.today()
    return add_months(today, service.notice_months or 0)


def billed_until(service, end_date: dt.date, today: dt.date | None = None) -> dt.date:
    """A notice period (or binding) running past the technical end is billed."""
    dates = [end_date, notice_end(service, today)]
    if service.binding_end:
        dates.append(service.binding_end)
    return max(dates)


def prices(organisation, product) -> tuple[int, int, int]:
    """(monthly, start, binding months) under the organisation's agreement."""
    agreement = organisation.current_agreement()
    if agreement is not None and agreement.price_list_id:
        item = PriceListItem.get_or_none(
            (PriceListItem.price_list == agreement.price_list_id)
            & (PriceListItem.product == product.id)
        )
        if item is not None:
            return item.monthly_ore, item.start_ore, item.binding_months
    return product.monthly_ore, product.start_ore, product.binding_months


def orderable(organisation, products: list) -> list:
    """The products the organisation's agreement lets it order (all when the
    agreement lists none)."""
    agreement = organisation.current_agreement()
    if agreement is None:
        return products
    allowed = {
        p
        for (p,) in AgreementProduct.select(AgreementProduct.product)
        .where(AgreementProduct.agreement == agreement.id)
        .tuples()
    }
    return [p for p in products if p.id in allowed] if allowed else products


def _option_products(service, kind: str) -> list:
    query = (
        Product.select()
        .join(OptionGroupItem, on=(OptionGroupItem.product == Product.id))
        .join(OptionGroup, on=(OptionGroupItem.group == OptionGroup.id))
        .where(
            (OptionGroup.product == service.product_id)
            & (OptionGroup.kind == kind)
            & (Product.active == True)  # noqa: E712
        )
        .order_by(OptionGroup.position, OptionGroupItem.position)
    )
    return orderable(service.organisation, list(query))


def change_options(service) -> dict[str, list]:
    return {
        "price_plan": _option_products(service, "price_plan"),
        "data_package": _option_products(service, "data_package"),
    }


def addon_options(service) -> list:
    return _option_products(service, "addon")


def topup_products(service) -> list:
    query = (
        Product.select()
        .where((Product.kind == "topup") & (Product.active == True))  # noqa: E712
        .order_by(Product.monthly_ore, Product.name)
    )
    return orderable(service.organisation, list(query))


def current_data_line(service):
    return (
        ServiceLine.select()
        .where((ServiceLine.service == service.id) & (ServiceLine.section == "data"))
        .order_by(ServiceLine.position)
        .first()
    )


def active_sim(service):
    return (
        SimCard.select()
        .where((SimCard.service == service.id) & (SimCard.status.in_(("active", "blocked"))))
        .order_by(SimCard.id.desc())
        .first()
    )


def pending_orders(service):
    return Order.select().where((Order.service == service.id) & Order.status.in_(PENDING_STATUSES))


def current_addon_codes(service) -> list[str]:
    return [
        code
        for (code,) in ServiceLine.select(Product.code)
        .join(Product, on=(ServiceLine.product == Product.id))
        .where((ServiceLine.service == service.id) & (ServiceLine.section == "addon"))
        .tuples()
    ]
