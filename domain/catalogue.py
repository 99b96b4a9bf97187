"""The product catalogue as operator staff maintain it (ORD-3, issue 17 item 3).

What the order wizard offers is read in domain/orders/pricing.py; this module
changes the catalogue: the order of categories, option groups and items, and
whether a product may be deleted. A product that anything refers to — a
service, an order line, a price list, an agreement, an option group item — is
in use: it can be retired (``active`` off: the wizard no longer offers it,
the places that use it still show it) but never deleted.
Call the writing functions inside ``write_tx``.
"""

from __future__ import annotations

from peewee import fn

from domain import audit
from domain.text import N_, T_
from tables.catalogue import OptionGroup, OptionGroupItem, Product, ProductCategory
from tables.orders import OrderLine
from tables.org import AgreementProduct, PriceListItem
from tables.services import Service, ServiceAddon, ServiceLine, TopUp

# What refers to a product, in the words the delete button explains with.
USES = [
    (N_("tjänster"), Service, (Service.product, Service.price_plan)),
    (N_("tjänsterader"), ServiceLine, (ServiceLine.product,)),
    (N_("tilläggstjänster på tjänster"), ServiceAddon, (ServiceAddon.product,)),
    (N_("påfyllningar"), TopUp, (TopUp.product,)),
    (N_("orderrader"), OrderLine, (OrderLine.product,)),
    (N_("prislistor"), PriceListItem, (PriceListItem.product,)),
    (N_("avtal"), AgreementProduct, (AgreementProduct.product,)),
    (N_("tillval i andra produkter"), OptionGroupItem, (OptionGroupItem.product,)),
]


def uses(product: Product) -> list[tuple[str, int]]:
    """Where ``product`` is used: (what, how many) for each kind of use."""
    found = []
    for label, model, fields in USES:
        condition = None
        for field in fields:
            part = field == product.id
            condition = part if condition is None else condition | part
        count = model.select().where(condition).count()
        if count:
            found.append((label, count))
    return found


def use_text(found: list[tuple[str, int]]) -> str:
    return ", ".join(f"{count} {label}" for label, count in found)


class InUse(Exception):
    """The product is used and can only be retired."""


def delete_product(product: Product) -> None:
    found = uses(product)
    if found:
        raise InUse(
            T_(
                "%(name)s används (%(uses)s) och kan inte tas bort. "
                "Avaktivera produkten i stället: den erbjuds då inte längre i Ny beställning "
                "men visas fortfarande där den används.",
                name=product.name,
                uses=use_text(found),
            )
        )
    audit.record(
        "catalogue.product_deleted",
        product,
        summary=f"Produkten {product.code} {product.name} borttagen",
        before={"code": product.code, "name": product.name, "kind": product.kind},
        organisation=audit.STAFF_ONLY,
    )
    groups = OptionGroup.select(OptionGroup.id).where(OptionGroup.product == product.id)
    OptionGroupItem.delete().where(OptionGroupItem.group.in_(groups)).execute()
    OptionGroup.delete().where(OptionGroup.product == product.id).execute()
    Product.delete().where(Product.id == product.id).execute()


def next_position(query, field) -> int:
    highest = query.select(fn.MAX(field)).scalar()
    return (highest or 0) + 10


def move(model, obj, siblings, direction: str) -> bool:
    """Swap ``obj`` with its neighbour among ``siblings`` (ordered by position,
    then id) in ``direction`` "up" or "down"; positions are renumbered 10, 20 …
    so that equal positions (seeded data) move too. False at the end."""
    rows = list(siblings.order_by(model.position, model.id))
    ids = [row.id for row in rows]
    if obj.id not in ids:
        return False
    index = ids.index(obj.id)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(rows):
        return False
    rows[index], rows[other] = rows[other], rows[index]
    for position, row in enumerate(rows, start=1):
        if row.position != position * 10:
            model.update(position=position * 10).where(model.id == row.id).execute()
    return True


def move_category(category: ProductCategory, direction: str) -> bool:
    moved = move(ProductCategory, category, ProductCategory.select(), direction)
    if moved:
        audit.record(
            "catalogue.category_moved",
            category,
            summary=f"Kategorin {category.name} flyttad {'upp' if direction == 'up' else 'ner'}",
            organisation=audit.STAFF_ONLY,
        )
    return moved


def move_group(group: OptionGroup, direction: str) -> bool:
    siblings = OptionGroup.select().where(OptionGroup.product == group.product_id)
    return move(OptionGroup, group, siblings, direction)


def move_item(item: OptionGroupItem, direction: str) -> bool:
    siblings = OptionGroupItem.select().where(OptionGroupItem.group == item.group_id)
    return move(OptionGroupItem, item, siblings, direction)


def set_default(item: OptionGroupItem, is_default: bool) -> None:
    """Mark ``item`` as its group's default; a group that takes one choice
    has at most one default, so the others lose theirs."""
    group = item.group
    if is_default and not group.multiple:
        OptionGroupItem.update(is_default=False).where(
            (OptionGroupItem.group == group.id) & (OptionGroupItem.id != item.id)
        ).execute()
    OptionGroupItem.update(is_default=is_default).where(OptionGroupItem.id == item.id).execute()
