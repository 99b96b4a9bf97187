"""What an organisation's agreement lets a user order, and at what price
(SPEC §10c, ORD-2).

An *Order* offers the products of the organisation's current agreement
(ramavtal); an *Offert* offers the whole active catalogue and marks what is
outside the agreement. An organisation without a current agreement can only
send offerter. A product with a ``permission`` is shown only to users holding
it ("behörighetsstyrt vad du ser och kan beställa"). Prices come from the
agreement's price list where it names the product, otherwise the list price;
every total is computed here, on the server, never taken from a form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from domain.text import N_, T_
from tables.catalogue import OptionGroup, OptionGroupItem, Product, ProductCategory
from tables.org import Agreement, AgreementProduct, Organisation, PriceListItem

# Product kinds that are ordered on their own (the rest configure a subscription).
ORDERABLE_KINDS = ("subscription", "hardware", "function")


@dataclass(frozen=True)
class Price:
    monthly_ore: int = 0
    start_ore: int = 0
    binding_months: int = 0

    def times(self, quantity: int) -> Price:
        return Price(self.monthly_ore * quantity, self.start_ore * quantity, self.binding_months)

    def __add__(self, other: Price) -> Price:
        return Price(
            self.monthly_ore + other.monthly_ore,
            self.start_ore + other.start_ore,
            max(self.binding_months, other.binding_months),
        )


ZERO = Price()


def list_price(product: Product) -> Price:
    return Price(product.monthly_ore, product.start_ore, product.binding_months)


def current_agreement(organisation, today: dt.date | None = None) -> Agreement | None:
    """The agreement in force on ``today`` (start ≤ today ≤ end), if any."""
    org_id = getattr(organisation, "id", organisation)
    return Organisation(id=org_id).current_agreement(today)


def order_refusal(organisation, today: dt.date | None = None) -> str:
    """Why the organisation cannot send an Order (no current agreement),
    naming the agreement that ended when there is one."""
    org_id = getattr(organisation, "id", organisation)
    today = today or dt.date.today()
    ended = (
        Agreement.select()
        .where((Agreement.organisation == org_id) & (Agreement.end_date < today))
        .order_by(Agreement.end_date.desc())
        .first()
    )
    if ended is not None:
        return T_(
            "Avtal %(number)s (%(name)s) upphörde %(date)s, "
            "så inga nya order kan läggas enligt det. Du kan skicka en offert.",
            number=ended.number,
            name=ended.name,
            date=ended.end_date.isoformat(),
        )
    return N_("Organisationen har inget gällande avtal. Du kan bara skicka en offert.")


@dataclass
class OptionChoice:
    """One item of an option group as the wizard offers it."""

    item: OptionGroupItem
    product: Product
    price: Price
    in_agreement: bool


@dataclass
class GroupOffer:
    group: OptionGroup
    choices: list[OptionChoice]

    def choice(self, item_id: int) -> OptionChoice | None:
        return next((c for c in self.choices if c.item.id == item_id), None)


class Catalogue:
    """What ``user`` may order for ``organisation`` now (an Order or an Offert)."""

    def __init__(self, user, organisation, *, is_quote: bool, today: dt.date | None = None):
        self.user = user
        self.is_quote = is_quote
        self.organisation_id = getattr(organisation, "id", organisation)
        self.today = today or dt.date.today()
        self.agreement = current_agreement(organisation, today)
        self.agreed: set[int] = set()
        self.prices: dict[int, Price] = {}
        if self.agreement is not None:
            self.agreed = {
                pid
                for (pid,) in AgreementProduct.select(AgreementProduct.product)
                .where(AgreementProduct.agreement == self.agreement.id)
                .tuples()
            }
            if self.agreement.price_list_id:
                rows = PriceListItem.select().where(
                    PriceListItem.price_list == self.agreement.price_list_id
                )
                self.prices = {
                    r.product_id: Price(r.monthly_ore, r.start_ore, r.binding_months) for r in rows
                }

    # -- what is offered

    @property
    def agreement_number(self) -> str:
        return self.agreement.number if self.agreement else ""

    @property
    def may_order(self) -> bool:
        """An Order needs a current agreement; an Offert does not."""
        return self.is_quote or self.agreement is not None

    @property
    def refusal(self) -> str:
        """Why an Order cannot be sent now (an Offert always can)."""
        return order_refusal(self.organisation_id, self.today)

    def in_agreement(self, product: Product) -> bool:
        return product.id in self.agreed

    def visible(self, product: Product) -> bool:
        return product.active and (not product.permission or self.user.has(product.permission))

    def offered(self, product: Product) -> bool:
        if not self.visible(product) or not self.may_order:
            return False
        return self.is_quote or self.in_agreement(product)

    def price(self, product: Product) -> Price:
        """The agreement's price where its price list names the product, else list price."""
        if self.in_agreement(product) and product.id in self.prices:
            return self.prices[product.id]
        return list_price(product)

    def _orderable(self):
        return (
            Product.select(Product, ProductCategory)
            .join(ProductCategory)
            .where(Product.active & ProductCategory.active & Product.kind.in_(ORDERABLE_KINDS))
            .order_by(ProductCategory.position, Product.name)
        )

    def products(self) -> list[Product]:
        return [p for p in self._orderable() if self.offered(p)]

    def sections(self, query: str = "") -> list[tuple[str, list[tuple[ProductCategory, int]]]]:
        """Product categories with something to offer, grouped by section
        (Hårdvara, Mobiltjänster, Växel, Bredband …), filtered by ``query``."""
        needle = query.strip().casefold()
        counts: dict[int, int] = {}
        categories: dict[int, ProductCategory] = {}
        for product in self.products():
            counts[product.category_id] = counts.get(product.category_id, 0) + 1
            categories[product.category_id] = product.category
        grouped: dict[str, list] = {}
        for cid, category in sorted(categories.items(), key=lambda kv: kv[1].position):
            text = f"{category.section} {category.name}".casefold()
            if needle and needle not in text:
                continue
            grouped.setdefault(category.section, []).append((category, counts[cid]))
        return list(grouped.items())

    def category(self, category_id: int) -> ProductCategory | None:
        found = [p.category for p in self.products() if p.category_id == category_id]
        return found[0] if found else None

    def products_in(self, category_id: int) -> list[Product]:
        return [p for p in self.products() if p.category_id == category_id]

    def product(self, product_id) -> Product | None:
        """An orderable product offered here, by id (None when not: tampered,
        outside the agreement in an Order, without permission, inactive)."""
        product = self._orderable().where(Product.id == product_id).first()
        return product if product is not None and self.offered(product) else None

    def option_groups(self, product: Product) -> list[GroupOffer]:
        groups = list(product.option_groups.order_by(OptionGroup.position))
        items = (
            OptionGroupItem.select(OptionGroupItem, Product)
            .join(Product)
            .where(OptionGroupItem.group.in_([g.id for g in groups]))
            .order_by(OptionGroupItem.position)
        )
        by_group: dict[int, list[OptionChoice]] = {g.id: [] for g in groups}
        for item in items:
            if self.offered(item.product):
                by_group[item.group_id].append(
                    OptionChoice(
                        item,
                        item.product,
                        self.price(item.product),
                        self.in_agreement(item.product),
                    )
                )
        return [GroupOffer(g, by_group[g.id]) for g in groups]


def line_price(
    catalogue: Catalogue, product: Product, options: list[Product], quantity: int
) -> Price:
    """One product line with its chosen options, times its quantity."""
    total = catalogue.price(product)
    for option in options:
        total = total + catalogue.price(option)
    return total.times(max(quantity, 0))


def sum_prices(prices) -> Price:
    total = ZERO
    for price in prices:
        total = total + price
    return total
