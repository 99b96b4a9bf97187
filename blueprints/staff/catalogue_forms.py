"""The back office's catalogue forms (ORD-3): category, product, option
group and option item. Prices are typed in kronor ("139" or "139,00") and
kept in öre."""

from __future__ import annotations

import hashlib
import json

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from peewee import fn
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from domain.formats import amount
from permissions import PERMISSIONS
from tables.catalogue import FINISH_FIELDS, PRODUCT_KINDS, Product, ProductCategory
from tables.orders import PRODUCT_AREAS
from tables.services import SERVICE_KINDS
from web.forms import FlaskForm, select_choices
from web.i18n import tr
from web.listcolumns import parse_kronor


def product_stamp(product: Product) -> str:
    """A short fingerprint of the product's stored fields."""
    data = {f: getattr(product, f) for f in Product._meta.sorted_field_names}
    raw = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


class KronorField(StringField):
    """An amount in kronor, its ``data`` in öre (None while not valid)."""

    def process_data(self, value):
        self.data = value
        self.raw = amount(value) if isinstance(value, int) else ""

    def process_formdata(self, valuelist):
        self.raw = (valuelist[0] if valuelist else "").strip()
        try:
            self.data = parse_kronor(self.raw) if self.raw else 0
        except ValueError:
            self.data = None
            raise ValueError(_("Ange beloppet i kronor, till exempel 139 eller 139,50.")) from None
        if self.data < 0:
            self.data = None
            raise ValueError(_("Beloppet kan inte vara negativt."))

    def _value(self):
        return self.raw


def _labelled(labels: dict) -> list:
    """(key, label) choices whose labels are translated when shown."""
    return [(key, _l(label)) for key, label in labels.items()]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _whole(label: str, low: int, high: int, required: bool = True):
    first = InputRequired(_l("Ange ett heltal.")) if required else Optional()
    return IntegerField(
        label,
        validators=[
            first,
            NumberRange(
                low, high, _l("Ange ett heltal mellan %(low)s och %(high)s.", low=low, high=high)
            ),
        ],
    )


class CategoryForm(FlaskForm):
    name = StringField(
        _l("Namn"), validators=[Length(1, 80, _l("Ange ett namn (högst 80 tecken)."))]
    )
    section = StringField(
        _l("Avsnitt"), validators=[Length(1, 40, _l("Ange ett avsnitt, t.ex. Mobiltjänster."))]
    )
    active = BooleanField(_l("Aktiv (visas i Ny beställning)"), default=True)

    def __init__(self, *args, category: ProductCategory | None = None, **kwargs):
        super().__init__(*args, obj=category, **kwargs)
        self.category = category

    def validate_name(self, field):
        """One name per section (a second click on Spara makes no twin)."""
        same = ProductCategory.select().where(
            (fn.LOWER(ProductCategory.name) == field.data.strip().lower())
            & (fn.LOWER(ProductCategory.section) == (self.section.data or "").strip().lower())
        )
        if self.category is not None:
            same = same.where(ProductCategory.id != self.category.id)
        if same.exists():
            raise ValidationError(_("Avsnittet har redan en kategori med det namnet."))


class ProductForm(FlaskForm):
    code = StringField(
        _l("Produktkod"), validators=[Length(1, 40, _l("Ange en kod (högst 40 tecken)."))]
    )
    name = StringField(
        _l("Namn"), validators=[Length(1, 120, _l("Ange ett namn (högst 120 tecken)."))]
    )
    category = SelectField(_l("Kategori"), coerce=str)
    kind = SelectField(_l("Typ"), choices=select_choices(_labelled(PRODUCT_KINDS)))
    service_kind = SelectField(
        _l("Tjänstetyp"),
        choices=select_choices(
            [("", _l("Ingen (skapar ingen tjänst)")), *_labelled(SERVICE_KINDS)]
        ),
    )
    monthly_ore = KronorField(_l("Månadskostnad (kr)"))
    start_ore = KronorField(_l("Startkostnad (kr)"))
    binding_months = _whole(_l("Bindningstid (månader)"), 0, 60)
    data_mb = _whole(_l("Data (MB)"), 0, 10_000_000, required=False)
    description = TextAreaField(_l("Beskrivning"), validators=[Length(max=2000)])
    active = BooleanField(_l("Aktiv (erbjuds i Ny beställning)"), default=True)
    product_area = SelectField(
        _l("Godkännandeområde"),
        choices=select_choices([("", _l("Inget")), *_labelled(PRODUCT_AREAS)]),
    )
    max_quantity = _whole(_l("Högsta antal per orderrad"), 1, 1000)
    instructions = TextAreaField(_l("Beställningsinstruktioner"), validators=[Length(max=4000)])
    finish_fields = CheckboxesField(
        _l("Uppgifter i Slutför beställningen"), choices=select_choices(_labelled(FINISH_FIELDS))
    )
    # What the product was when the form was loaded (a stale form is refused).
    stamp = HiddenField()
    permission = SelectField(
        _l("Synlig för"),
        choices=select_choices(
            [("", _l("Alla som får beställa"))]
            + [
                (key, _l("Endast med behörigheten %(label)s", label=_l(label)))
                for key, label, _unused in PERMISSIONS
            ]
        ),
    )

    def __init__(self, *args, product: Product | None = None, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.product = product
        self.category.choices = select_choices(
            [("", _("Ingen kategori"))]
            + [(str(c.id), f"{c.section} – {c.name}") for c in categories]
        )

    def validate_code(self, field):
        code = field.data.strip()
        taken = Product.select().where(Product.code == code)
        if self.product is not None:
            taken = taken.where(Product.id != self.product.id)
        if taken.exists():
            raise ValidationError(_("Koden används redan av en annan produkt."))

    def validate_service_kind(self, field):
        if self.kind.data == "subscription" and not field.data:
            raise ValidationError(_("Ett abonnemang måste ange vilken tjänst det skapar."))

    def validate_stamp(self, field):
        if self.product is not None and field.data != product_stamp(self.product):
            raise ValidationError(
                _(
                    "Produkten har ändrats av någon annan sedan du öppnade den. "
                    "Ladda om sidan och gör ändringen igen."
                )
            )

    def values(self) -> dict:
        """The form as Product fields."""
        return {
            "code": self.code.data.strip(),
            "name": self.name.data.strip(),
            "category": int(self.category.data) if self.category.data else None,
            "kind": self.kind.data,
            "service_kind": self.service_kind.data or None,
            "monthly_ore": self.monthly_ore.data,
            "start_ore": self.start_ore.data,
            "binding_months": self.binding_months.data,
            "data_mb": self.data_mb.data,
            "description": self.description.data.strip(),
            "active": self.active.data,
            "product_area": self.product_area.data,
            "max_quantity": self.max_quantity.data,
            "instructions": self.instructions.data.strip(),
            "finish_fields": ",".join(
                k for k in FINISH_FIELDS if k in (self.finish_fields.data or [])
            ),
            "permission": self.permission.data,
        }


GROUP_KINDS = {k: v for k, v in PRODUCT_KINDS.items() if k not in ("subscription", "topup")}


class GroupForm(FlaskForm):
    name = StringField(
        _l("Namn"), validators=[Length(1, 80, _l("Ange ett namn, t.ex. Datapaket."))]
    )
    kind = SelectField(_l("Typ"), choices=select_choices(_labelled(GROUP_KINDS)))
    optional = BooleanField(_l("Valfritt (kunden får avstå)"))
    multiple = BooleanField(_l("Flera val"))


class ItemForm(FlaskForm):
    product = SelectField(_l("Produkt"), coerce=str)
    is_default = BooleanField(_l("Förval"))

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.product.choices = select_choices(
            [("", _("Välj produkt"))]
            + [(str(p.id), f"{p.name} ({tr(PRODUCT_KINDS.get(p.kind, p.kind))})") for p in products]
        )

    def validate_product(self, field):
        if not field.data:
            raise ValidationError(_("Välj en produkt."))
