"""Operator staff processing an order (ORD-5): Påbörja, Slutför, Avbryt, and
answering an offert with a price.

Every step is one :func:`domain.orders.flow.set_status` with the statuses
it may come from, so two staff acting at once act once (the second gets
:class:`~domain.orders.flow.OrderConflict`). Slutför (:func:`complete`)
creates the real services with everything the order chose, in the same
transaction as the status change:

* a subscription line becomes a :class:`~tables.services.Service` of the
  product's ``service_kind``: its number (``details.number``, from the pool
  or ported), SIM card (the customer's own by ICC, a new physical card or an
  eSIM, each with a generated ICC when new), price plan, and the
  Tjänstespecifikation built from the chosen options at the prices the order
  carries (Datapaket, Tilläggstjänster, Handtag, Ingår alltid); binding runs
  from the activation date. It is *Beställd* until its desired activation
  date (``services apply-due`` makes it *Aktiv*), or *Aktiv* at once when
  that date is today or past. Each is handed to the provisioning backend
  (:func:`domain.provisioning.provision_new`), which may refuse it.
* a Tilläggstjänst whose product code is ``BAR-<KIND>`` (a kind of
  :data:`~tables.services.BARRING_KINDS`, e.g. ``BAR-INTERNATIONAL``) is an
  active barring from the start ("om du redan från början vill ha aktiverade
  spärrar"); other add-ons are add-on lines with a ServiceAddon period.
* broadband becomes a Beställd service at its installation address.
* hardware is shipped: its order line's ``details`` gains ``shipment``
  (``{"status": "sent", "date", "quantity", "to"}``); it creates no service.

The created service is stored on its order line (``OrderLine.service``).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets

from database import utcnow
from domain import audit, provisioning
from domain.numbers import luhn_digit, normalise_phone, valid_icc
from domain.orders import flow, notices, pool
from domain.service_terms import add_months
from domain.text import N_, T_
from tables.orders import Order, OrderLine
from tables.services import (
    BARRING_KINDS,
    Barring,
    Service,
    ServiceAddon,
    ServiceLine,
    SimCard,
)

# Statuses staff act from.
START_FROM = ("received",)
COMPLETE_FROM = ("in_progress",)
CANCEL_FROM = ("received", "in_progress")
ANSWER_FROM = ("received",)

# Service numbers of kinds without a phone number (the seeds' "BB-123456").
NUMBER_PREFIX = {
    "broadband": "BB",
    "capacity": "KAP",
    "cloud_pbx": "VXL",
    "sip_trunk": "SIP",
    "number_series": "NRS",
    "hosting": "HOST",
}
PHONE_KINDS = ("mobile", "mobile_pbx", "mbb")

# The Tjänstespecifikation section each kind of option goes into.
SECTIONS = {
    "price_plan": "start",
    "included": "start",
    "sim_type": "start",
    "data_package": "data",
    "handset": "handset",
    "addon": "addon",
}


class FulfilmentError(Exception):
    """The order cannot be completed as it stands; the message is for staff."""


def is_service_action(order: Order) -> bool:
    """A change asked for from a service page (handled in Ändringar)."""
    return bool(order.service_id) or "op" in provisioning.payload_of(order)


def awaits_answer(order: Order) -> bool:
    """An offert that reached the operator and has no answer yet."""
    return order.is_quote and order.status in ANSWER_FROM and not order.answer


def details_of(line: OrderLine) -> dict:
    try:
        value = json.loads(line.details or "{}")
    except ValueError:
        value = {}
    return value if isinstance(value, dict) else {}


# ----------------------------------------------------------------- the steps


def start(order: Order, staff, comment: str = "") -> None:
    """Påbörja: Mottagen → Pågår (inside ``write_tx``)."""
    if awaits_answer(order):
        raise FulfilmentError(N_("Offerten ska besvaras med ett pris innan den kan påbörjas."))
    flow.set_status(order, "in_progress", staff=staff, comment=comment, expect=START_FROM)
    notices.notify_status(order)


def cancel(order: Order, staff, reason: str) -> None:
    """Avbryt with a reason the customer sees; the order's numbers go back
    to the pool (inside ``write_tx``)."""
    reason = (reason or "").strip()
    if not reason:
        raise FulfilmentError(N_("Ange orsaken; kunden får se den."))
    flow.set_status(
        order,
        "cancelled",
        staff=staff,
        comment=reason,
        expect=CANCEL_FROM,
        answer=reason,
        completed_at=utcnow(),
    )
    pool.release(order)
    notices.notify_status(order)


def answer(order: Order, staff, prices: dict[int, tuple[int, int]], text: str) -> None:
    """Besvara an offert: each line's (monthly, start) price in öre and a
    text for the customer; Mottagen → Besvarad (inside ``write_tx``)."""
    text = (text or "").strip()
    if not order.is_quote:
        raise FulfilmentError(N_("Bara en offert besvaras med ett pris."))
    if not text:
        raise FulfilmentError(N_("Skriv ett svar till kunden."))
    lines = {line.id: line for line in order.lines}
    if set(prices) - set(lines):
        raise FulfilmentError(N_("Priset gäller en rad som inte finns i offerten."))
    if any(amount < 0 for pair in prices.values() for amount in pair):
        raise FulfilmentError(N_("Priser kan inte vara negativa."))
    flow.set_status(order, "answered", staff=staff, comment=text, expect=ANSWER_FROM, answer=text)
    before, after = {}, {}
    for line_id, (monthly, start_price) in prices.items():
        line = lines[line_id]
        before[line.name] = [line.monthly_ore, line.start_ore]
        after[line.name] = [monthly, start_price]
        OrderLine.update(monthly_ore=monthly, start_ore=start_price).where(
            OrderLine.id == line_id
        ).execute()
    audit.record(
        "order.answered",
        order,
        summary=f"Offert {order.number} besvarad",
        before=before,
        after=after,
        organisation=order.organisation_id,
        actor=staff,
    )
    notices.notify_status(order)


def complete(order: Order, staff, comment: str = "", *, today: dt.date | None = None) -> list:
    """Slutför: create the order's services and mark it Slutförd (inside
    ``write_tx``). Returns the services created."""
    today = today or dt.date.today()
    if is_service_action(order):
        raise FulfilmentError(N_("Ändringar av tjänster slutförs under Ändringar."))
    flow.set_status(
        order,
        "completed",
        staff=staff,
        comment=comment,
        expect=COMPLETE_FROM,
        completed_at=utcnow(),
    )
    activation = order.desired_date if order.desired_date and order.desired_date > today else today
    created = []
    top = (
        OrderLine.select()
        .where((OrderLine.order == order.id) & OrderLine.parent.is_null())
        .order_by(OrderLine.position, OrderLine.id)
    )
    for line in top:
        kind = line.product.kind if line.product_id else ""
        if kind == "subscription":
            created.append(_create_service(order, line, activation, today, staff))
        elif kind == "hardware":
            _ship(order, line, today)
    pool.mark_used(order)
    notices.notify_status(order)
    return created


# ----------------------------------------------------------------- services


def _service_number(order: Order, line: OrderLine, kind: str, details: dict) -> str:
    if kind in PHONE_KINDS:
        number = normalise_phone(details.get("number") or "")
        if not number:
            raise FulfilmentError(
                T_("%(product)s: beställningen saknar ett giltigt nummer.", product=line.name)
            )
        taken = Service.select().where(
            (Service.number == number) & (Service.status != "terminated")
        )
        if taken.exists():
            raise FulfilmentError(
                T_(
                    "%(product)s: numret %(number)s används redan av en tjänst.",
                    product=line.name,
                    number=number,
                )
            )
        return number
    return f"{NUMBER_PREFIX.get(kind, 'TJ')}-{order.number}-{line.position + 1}"


def _new_icc() -> str:
    while True:
        body = "894601" + "".join(secrets.choice("0123456789") for _ in range(12))
        icc = body + luhn_digit(body)
        if not SimCard.select().where(SimCard.icc == icc).exists():
            return icc


def _digits(n: int) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(n))


def _sim_card(order: Order, service: Service, details: dict) -> SimCard:
    """The service's SIM card; activated with the service (provisioning.activate)."""
    choice = details.get("sim") or "new"
    fields = {
        "service": service.id,
        "organisation": order.organisation_id,
        "status": "active",
        "activated_at": None,
    }
    if choice == "own":
        icc = (details.get("icc") or "").replace(" ", "")
        if not valid_icc(icc):
            raise FulfilmentError(N_("Kundens SIM-kort har inget giltigt ICC-nummer."))
        card = SimCard.get_or_none(SimCard.icc == icc)
        if card is not None:
            if (
                card.service_id
                or card.status != "stock"
                or card.organisation_id
                not in (
                    None,
                    order.organisation_id,
                )
            ):
                raise FulfilmentError(T_("SIM-kortet %(icc)s används redan.", icc=icc))
            SimCard.update(**fields).where(SimCard.id == card.id).execute()
            return SimCard.get_by_id(card.id)
        return SimCard.create(icc=icc, imsi="", pin="", puk="", sim_type="physical", **fields)
    return SimCard.create(
        icc=_new_icc(),
        imsi="24001" + _digits(10),
        pin=_digits(4),
        puk=_digits(8),
        sim_type="esim" if choice == "esim" else "physical",
        **fields,
    )


def _address(details: dict) -> tuple[str, str]:
    address = details.get("address") or {}
    street = (address.get("street") or "").strip()
    postcode = (address.get("postcode") or "").replace(" ", "")
    city = (address.get("city") or "").strip()
    text = ", ".join(p for p in (street, f"{postcode} {city}".strip()) if p)
    return text, postcode


def _create_service(order, line, activation: dt.date, today: dt.date, staff) -> Service:
    product = line.product
    kind = product.service_kind or "mobile"
    details = details_of(line)
    options = list(
        OrderLine.select()
        .where(OrderLine.parent == line.id)
        .order_by(OrderLine.position, OrderLine.id)
    )
    plan = next(
        (o.product for o in options if o.product_id and o.product.kind == "price_plan"), None
    )
    agreement = order.organisation.current_agreement()
    binding = max([line.binding_months] + [o.binding_months for o in options])
    fields = {}
    if kind == "broadband":
        fields["address"], fields["postcode"] = _address(details)
        if details.get("technology"):
            fields["bandwidth"] = details["technology"]
    service = Service.create(
        organisation=order.organisation_id,
        account=order.account_id,
        kind=kind,
        number=_service_number(order, line, kind, details),
        user_name=(details.get("end_user") or "").strip()[:100],
        product=product,
        price_plan=plan,
        status="ordered",
        agreement=agreement,
        start_date=activation,
        binding_end=add_months(activation, binding) if binding else None,
        notice_months=agreement.notice_months if agreement else (3 if binding else 1),
        **fields,
    )
    spec = [("start", line.product, line.name, line.monthly_ore)]
    for option in options:
        item = option.product
        kind_of = item.kind if item is not None else ""
        if kind_of == "addon" and _barring_kind(item):
            Barring.get_or_create(service=service.id, kind=_barring_kind(item))
            continue
        if kind_of in ("price_plan", "sim_type") and not option.monthly_ore:
            continue  # shown as the service's Prislista / its SIM card
        spec.append((SECTIONS.get(kind_of, "addon"), item, option.name, option.monthly_ore))
        if kind_of == "addon":
            ServiceAddon.create(service=service.id, product=item, start_date=activation)
    if kind == "mbb" and details.get("mbb_public_ip"):
        spec.append(("addon", None, "Publik IP-adress", 0))
    for position, (section, item, name, monthly) in enumerate(spec):
        ServiceLine.create(
            service=service.id,
            section=section,
            product=item,
            name=name,
            monthly_ore=monthly,
            position=position,
        )
    service.monthly_ore = sum(monthly for *_, monthly in spec)
    Service.update(monthly_ore=service.monthly_ore).where(Service.id == service.id).execute()
    if kind in ("mobile", "mobile_pbx", "mbb"):
        sim = _sim_card(order, service, details)
    else:
        sim = None
    OrderLine.update(service=service.id).where(OrderLine.id == line.id).execute()
    if activation <= today:
        # what services apply-due does on a later date: Aktiv, the SIM's start, the quota
        provisioning.activate(service, staff, today=today)
    payload = {
        "line": line.id,
        "kind": kind,
        "number": service.number,
        "icc": sim.icc if sim else None,
        "sim_type": sim.sim_type if sim else None,
        "activation": activation.isoformat(),
        "details": details,
    }
    provisioning.provision_new(order, service, payload)
    audit.record(
        "service.created",
        service,
        summary=f"Tjänsten {service.number} skapad från order {order.label} "
        f"({service.status_label}, aktiveras {activation.isoformat()})",
        after={"status": service.status, "product": product.code, "start_date": activation},
        organisation=order.organisation_id,
        actor=staff,
    )
    return service


def _barring_kind(product) -> str | None:
    """``BAR-INTERNATIONAL`` → ``international`` (a Tilläggstjänst that is a barring)."""
    code = product.code or ""
    if code.upper().startswith("BAR-"):
        kind = code[4:].lower()
        return kind if kind in BARRING_KINDS else None
    return None


def _ship(order: Order, line: OrderLine, today: dt.date) -> None:
    """Hardware: the line records its shipment to the delivery address."""
    details = details_of(line)
    to = ", ".join(
        p
        for p in (
            order.delivery_name,
            order.delivery_street,
            f"{order.delivery_postcode} {order.delivery_city}".strip(),
        )
        if p
    )
    details["shipment"] = {
        "status": "sent",
        "date": today.isoformat(),
        "quantity": line.quantity,
        "to": to,
    }
    OrderLine.update(details=json.dumps(details, ensure_ascii=False)).where(
        OrderLine.id == line.id
    ).execute()
