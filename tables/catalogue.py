"""Product catalogue (ORD-3): categories, products, option groups."""

from peewee import (
    BooleanField,
    CharField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from database import BaseModel
from domain.text import N_

# What a product is. Subscriptions create services; the rest configure them.
PRODUCT_KINDS = {
    "subscription": N_("Abonnemang"),
    "price_plan": N_("Prislista"),
    "data_package": N_("Datapaket"),
    "addon": N_("Tilläggstjänst"),
    "handset": N_("Handtag"),
    "sim_type": N_("SIM-kortstyp"),
    "included": N_("Ingår alltid"),
    "hardware": N_("Hårdvara"),
    "topup": N_("Påfyllning"),
    "function": N_("Växelfunktion"),
}


# The parts of Slutför beställningen a product may ask for (Product.finish_fields).
FINISH_FIELDS = {
    "end_user": N_("Slutanvändare/Alias"),
    "sim": N_("SIM-kort"),
    "number": N_("Mobilnummer"),
    "mbb": N_("MBB Publik IP och Kontaktnummer MBB"),
    "address": N_("Installationsadress"),
    "quantity": N_("Antal"),
    "delivery": N_("Leveransadress"),
}


class ProductCategory(BaseModel):
    name = CharField()
    section = CharField()  # Hårdvara, Mobiltjänster, Växel, Bredband …
    position = IntegerField(default=0)
    active = BooleanField(default=True)


class Product(BaseModel):
    category = ForeignKeyField(ProductCategory, null=True, backref="products")
    code = CharField(unique=True)
    name = CharField()
    kind = CharField(index=True)
    service_kind = CharField(null=True)  # for subscriptions: the Service.kind created
    monthly_ore = IntegerField(default=0)
    start_ore = IntegerField(default=0)
    binding_months = IntegerField(default=0)
    data_mb = IntegerField(null=True)  # data packages and top-ups
    rank = IntegerField(default=0)  # orders packages: higher is an upgrade
    description = TextField(default="")
    active = BooleanField(default=True)
    # Ny beställning (ORD-2, issue 14)
    product_area = CharField(default="")  # mobile, fixed, data: whose approval chain (ORD-4)
    max_quantity = IntegerField(default=1)  # how many one order line may hold
    instructions = TextField(default="")  # Beställningsinstruktioner, shown in the wizard
    # What Slutför beställningen asks for, comma-separated FINISH_FIELDS keys
    finish_fields = CharField(default="")
    permission = CharField(default="")  # needed to see and order it, e.g. services.hardware

    @property
    def finish_keys(self) -> tuple[str, ...]:
        return tuple(k for k in self.finish_fields.split(",") if k)


class OptionGroup(BaseModel):
    """A configuration step of a subscription product (Prislista, Datapaket …)."""

    product = ForeignKeyField(Product, backref="option_groups", on_delete="CASCADE")
    name = CharField()
    kind = CharField()  # price_plan, data_package, addon, handset, sim_type, included
    optional = BooleanField(default=False)
    multiple = BooleanField(default=False)
    position = IntegerField(default=0)


class OptionGroupItem(BaseModel):
    group = ForeignKeyField(OptionGroup, backref="items", on_delete="CASCADE")
    product = ForeignKeyField(Product)
    is_default = BooleanField(default=False)
    position = IntegerField(default=0)
