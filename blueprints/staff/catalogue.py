"""Produkter (/staff/catalogue, ORD-3): categories in the order Ny beställning
shows them, products (a list view and a form), and each product's option
groups and their items. Administratör only. A product in use is retired
(active off), never deleted (domain/catalogue.py)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import IntegrityError

from blueprints.staff import bp
from blueprints.staff.catalogue_forms import (
    GROUP_KINDS,
    CategoryForm,
    GroupForm,
    ItemForm,
    ProductForm,
    product_stamp,
)
from database import write_tx
from domain import audit
from domain import catalogue as domain
from tables.catalogue import (
    FINISH_FIELDS,
    PRODUCT_KINDS,
    OptionGroup,
    OptionGroupItem,
    Product,
    ProductCategory,
)
from web.auth import staff_required
from web.forms import FlaskForm
from web.i18n import N_, error_text, tr
from web.listcolumns import ChoiceFilter, Column, choice_column, kronor_column, text_column
from web.listview import ListView

ACTIVE_CHOICES = {"yes": N_("Aktiv"), "no": N_("Avaktiverad")}


class CategoryFilter(ChoiceFilter):
    """Kategori: the catalogue's categories, read when the list is shown."""

    def __init__(self):
        self.default = None
        self._condition = None

    @property
    def choices(self) -> dict[str, str]:
        rows = ProductCategory.select().order_by(ProductCategory.position, ProductCategory.id)
        return {str(c.id): f"{c.section} – {c.name}" for c in rows}

    def condition(self, expr, value):
        return Product.category.in_([int(v) for v in value])


def products_query(user):
    return Product.select()


PRODUCT_LIST = ListView(
    name="staff-products",
    model=Product,
    query=products_query,
    joins=[(ProductCategory, Product.category)],
    row_template="partials/staff/_product_rows.html",
    default_sort=("code", "asc"),
    export_title="Produkter",
    bulk_actions=[],
    columns=[
        text_column("code", N_("Kod"), Product.code),
        text_column("name", N_("Namn"), Product.name),
        Column("category", N_("Kategori"), sort=ProductCategory.name, filter=CategoryFilter()),
        choice_column("kind", N_("Typ"), Product.kind, PRODUCT_KINDS),
        kronor_column("monthly", N_("Månadskostnad"), Product.monthly_ore),
        kronor_column("start", N_("Startkostnad"), Product.start_ore),
        Column(
            "active",
            N_("Status"),
            sort=Product.active,
            filter=ChoiceFilter(
                ACTIVE_CHOICES,
                condition=lambda v: Product.active.in_([x == "yes" for x in v]),
            ),
        ),
    ],
    essential=("code", "name", "active"),
)


class ActionForm(FlaskForm):
    """Buttons that only post (move, delete): CSRF only."""


def get_or_404(model, object_id):
    found = model.get_or_none(model.id == object_id)
    if found is None:
        abort(404)
    return found


def product_data(product: Product) -> dict:
    return {
        name: getattr(product, name)
        for name in ("code", "name", "kind", "monthly_ore", "start_ore", "active", "permission")
    }


# -- the index: categories and products


@bp.route("/catalogue", endpoint="catalogue")
@staff_required("admin")
def catalogue_index():
    categories = list(
        ProductCategory.select().order_by(ProductCategory.position, ProductCategory.id)
    )
    return PRODUCT_LIST.respond(
        current_user,
        "staff/catalogue/index.html",
        categories=categories,
        action_form=ActionForm(),
        kinds=PRODUCT_KINDS,
    )


@bp.route("/catalogue/categories/new", methods=["GET", "POST"])
@staff_required("admin")
def catalogue_category_new():
    return _category_form(None)


@bp.route("/catalogue/categories/<int:category_id>", methods=["GET", "POST"])
@staff_required("admin")
def catalogue_category_edit(category_id):
    return _category_form(get_or_404(ProductCategory, category_id))


def _category_form(category: ProductCategory | None):
    form = CategoryForm(category=category)
    if form.validate_on_submit():
        values = {
            "name": form.name.data.strip(),
            "section": form.section.data.strip(),
            "active": form.active.data,
        }
        with write_tx():
            if category is None:
                position = domain.next_position(ProductCategory, ProductCategory.position)
                category = ProductCategory.create(position=position, **values)
                action, summary = "catalogue.category_created", "skapad"
            else:
                ProductCategory.update(**values).where(ProductCategory.id == category.id).execute()
                action, summary = "catalogue.category_changed", "ändrad"
            audit.record(
                action,
                category,
                summary=f"Produktkategorin {values['name']} {summary}",
                after=values,
                organisation=audit.STAFF_ONLY,
            )
        flash(_("Kategorin %(name)s är sparad.", name=values["name"]), "success")
        return redirect(url_for("staff.catalogue"), code=303)
    return render_template("staff/catalogue/category.html", form=form, category=category)


@bp.post("/catalogue/categories/<int:category_id>/move")
@staff_required("admin")
def catalogue_category_move(category_id):
    category = get_or_404(ProductCategory, category_id)
    if ActionForm().validate_on_submit():
        with write_tx():
            domain.move_category(category, request.form.get("direction", ""))
    return redirect(url_for("staff.catalogue") + "#categories", code=303)


# -- products


def _categories():
    return ProductCategory.select().order_by(ProductCategory.position, ProductCategory.id)


@bp.route("/catalogue/products/new", methods=["GET", "POST"])
@staff_required("admin")
def catalogue_product_new():
    form = ProductForm(categories=_categories())
    if request.method == "GET":
        form.category.data = request.args.get("category", "")
    if form.validate_on_submit():
        values = form.values()
        try:
            with write_tx():
                product = Product.create(**values)
                audit.record(
                    "catalogue.product_created",
                    product,
                    summary=f"Produkten {product.code} {product.name} skapad",
                    after=product_data(product),
                    organisation=audit.STAFF_ONLY,
                )
        except IntegrityError:  # the same code sent twice at once (double submit)
            form.code.errors = [_("Koden används redan av en annan produkt.")]
        else:
            flash(_("Produkten %(name)s är skapad.", name=product.name), "success")
            return redirect(url_for("staff.catalogue_product", product_id=product.id), code=303)
    return render_template("staff/catalogue/product.html", form=form, product=None)


@bp.route("/catalogue/products/<int:product_id>", methods=["GET", "POST"])
@staff_required("admin")
def catalogue_product(product_id):
    product = get_or_404(Product, product_id)
    form = ProductForm(obj=product, product=product, categories=_categories())
    if request.method == "GET":
        form.category.data = str(product.category_id or "")
        form.finish_fields.data = list(product.finish_keys)
        form.stamp.data = product_stamp(product)
    if form.validate_on_submit():
        values = form.values()
        before = product_data(product)
        try:
            with write_tx():
                Product.update(**values).where(Product.id == product.id).execute()
                product = Product.get_by_id(product.id)
                audit.record(
                    "catalogue.product_changed",
                    product,
                    summary=f"Produkten {product.code} {product.name} ändrad"
                    + ("" if product.active or not before["active"] else " (avaktiverad)"),
                    before=before,
                    after=product_data(product),
                    organisation=audit.STAFF_ONLY,
                )
        except IntegrityError:  # another product took the code meanwhile
            form.code.errors = [_("Koden används redan av en annan produkt.")]
            return _product_page(product, form)
        flash(_("Produkten %(name)s är sparad.", name=product.name), "success")
        return redirect(url_for("staff.catalogue_product", product_id=product.id), code=303)
    return _product_page(product, form)


def _product_page(product, form, group_form=None, item_forms=None, status=200):
    groups = list(product.option_groups.order_by(OptionGroup.position, OptionGroup.id))
    items = (
        OptionGroupItem.select(OptionGroupItem, Product)
        .join(Product)
        .where(OptionGroupItem.group.in_([g.id for g in groups]))
        .order_by(OptionGroupItem.position, OptionGroupItem.id)
    )
    by_group = {g.id: [] for g in groups}
    for item in items:
        by_group[item.group_id].append(item)
    options = list(
        Product.select()
        .where(Product.kind != "subscription", Product.id != product.id)
        .order_by(Product.kind, Product.name)
    )
    item_forms = item_forms or {}
    for g in groups:
        item_forms.setdefault(g.id, ItemForm(products=options, prefix=f"g{g.id}", formdata=None))
    found = domain.uses(product)
    return (
        render_template(
            "staff/catalogue/product.html",
            form=form,
            product=product,
            groups=groups,
            items=by_group,
            group_form=group_form or GroupForm(formdata=None),
            edit_forms={g.id: GroupForm(obj=g, prefix=f"e{g.id}", formdata=None) for g in groups},
            item_forms=item_forms,
            action_form=ActionForm(),
            uses=found,
            use_text=", ".join(f"{count} {tr(label)}" for label, count in found),
            kinds=PRODUCT_KINDS,
            group_kinds=GROUP_KINDS,
            finish_labels=FINISH_FIELDS,
        ),
        status,
    )


@bp.post("/catalogue/products/<int:product_id>/delete")
@staff_required("admin")
def catalogue_product_delete(product_id):
    product = get_or_404(Product, product_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        with write_tx():
            domain.delete_product(product)
    except domain.InUse as refused:
        flash(error_text(refused), "error")
        return redirect(url_for("staff.catalogue_product", product_id=product.id), code=303)
    flash(_("Produkten %(name)s är borttagen.", name=product.name), "success")
    return redirect(url_for("staff.catalogue"), code=303)


# Option groups and items: blueprints/staff/catalogue_options.py
from blueprints.staff import catalogue_options  # noqa: E402, F401
