"""An order placed in one go (the JSON API's ``POST /api/v1/orders``): the
wizard's own steps — :func:`drafts.start`, :func:`drafts.add_product`,
:func:`drafts.configure`, :func:`drafts.save_finish` and
:func:`sending.send` — run in one transaction, so the same catalogue,
agreement, permission and field checks apply and an invalid request writes
nothing. The wizard's field names (``l<line id>-<key>``, ``group-<id>``) are
given back as the request's (``lines/<index>/details/<key>``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from database import write_tx
from domain.orders import drafts, pool, sending
from domain.orders.drafts import DraftError
from tables.catalogue import Product
from tables.orders import Order

# The per-line keys of Slutför beställningen an order may send (drafts.LINE_FIELDS).
LINE_KEYS = tuple(key for keys in drafts.LINE_FIELDS.values() for key in keys)


@dataclass
class LineRequest:
    product: str  # product code
    quantity: int = 1
    options: list[str] | None = None  # option product codes; None: the defaults
    details: dict = field(default_factory=dict)


@dataclass
class OrderRequest:
    account_id: int
    lines: list[LineRequest]
    quote: bool = False
    form: dict = field(default_factory=dict)  # drafts.ORDER_FIELDS, as typed


def place(user, request: OrderRequest) -> list[Order]:
    """Create and send the order; the orders it became (one per product
    area). Raises :class:`DraftError` naming the request's fields; nothing
    is written then."""
    with write_tx():
        try:
            draft = drafts.start(user, request.account_id, request.quote)
        except DraftError as error:
            raise DraftError(_rename(error.errors, {})) from None
        catalogue = drafts.catalogue_for(draft, user)
        form: dict = {"billing_account": str(draft.account_id), **request.form}
        by_line: dict[int, int] = {}
        taken: set[str] = set()
        for index, wanted in enumerate(request.lines):
            product = Product.get_or_none(Product.code == wanted.product)
            try:
                line = drafts.add_product(user, draft, product.id if product else None)
            except DraftError as error:
                raise DraftError({f"lines/{index}/product": error.errors["product"]}) from None
            by_line[line.id] = index
            picked = _picked(catalogue, line, wanted, index)
            try:
                drafts.configure(user, draft, line, picked, wanted.quantity)
            except DraftError as error:
                raise DraftError(_rename(error.errors, by_line, index)) from None
            details = {k: v for k, v in wanted.details.items() if k in LINE_KEYS}
            if "number" in line.product.finish_keys:
                _free_number(details, taken)
            for key, value in details.items():
                form[f"l{line.id}-{key}"] = "1" if value is True else value
        drafts.save_finish(draft, form)
        try:
            return sending.send(Order.get_by_id(draft.id), user)
        except DraftError as error:
            raise DraftError(_rename(error.errors, by_line)) from None


def _picked(catalogue, line, wanted: LineRequest, index: int) -> dict[int, list]:
    """The configuration as drafts.configure takes it: option group id →
    item ids, from the option products' codes (the defaults when none)."""
    offers = catalogue.option_groups(line.product)
    if wanted.options is None:
        return {o.group.id: [c.item.id for c in o.choices if c.item.is_default] for o in offers}
    picked: dict[int, list] = {o.group.id: [] for o in offers}
    for code in wanted.options:
        found = [(o, c) for o in offers for c in o.choices if c.product.code == code]
        if not found:
            raise DraftError(
                {f"lines/{index}/options": f"{code} är inget tillval till {line.name}."}
            )
        offer, choice = found[0]
        picked[offer.group.id].append(choice.item.id)
    return picked


def _free_number(details: dict, taken: set[str]) -> None:
    """A new number not named: the first free one, as the wizard's list offers."""
    if (details.get("number_choice") or "new") != "new" or details.get("number"):
        taken.add(str(details.get("number") or ""))
        return
    free = [n for n in pool.free_numbers("mobile", limit=len(taken) + 1) if n not in taken]
    if free:
        details["number"] = free[0]
        taken.add(free[0])


RENAMED = {"account": "account_id", "billing_account": "billing_account_id"}
RENAMED["extra_contact"] = "extra_contact_id"
_LINE_KEY = re.compile(r"^l(\d+)-(.+)$")


def _rename(errors: dict, by_line: dict[int, int], index: int | None = None) -> dict:
    out = {}
    for key, message in errors.items():
        match = _LINE_KEY.match(key)
        if match and int(match.group(1)) in by_line:
            name, sub = f"lines/{by_line[int(match.group(1))]}", match.group(2)
            key = (
                f"{name}/{sub}"
                if sub in ("product", "quantity", "options")
                else f"{name}/details/{sub}"
            )
        elif key.startswith("group-") and index is not None:
            key = f"lines/{index}/options"
        elif key == "quantity" and index is not None:
            key = f"lines/{index}/quantity"
        else:
            key = RENAMED.get(key, key)
        out[key] = message
    return out
