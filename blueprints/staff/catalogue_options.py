"""A product's option groups (Prislista, Datapaket, Tilläggstjänster …) and
their items, in the order the order wizard shows them (ORD-2, ORD-3)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from blueprints.staff import bp
from blueprints.staff.catalogue import ActionForm, _categories, _product_page, get_or_404
from blueprints.staff.catalogue_forms import GroupForm, ItemForm, ProductForm, product_stamp
from database import write_tx
from domain import audit
from domain import catalogue as domain
from tables.catalogue import OptionGroup, OptionGroupItem, Product
from web.auth import staff_required


def _back(product_id: int, anchor: str = "options"):
    return redirect(url_for("staff.catalogue_product", product_id=product_id) + f"#{anchor}", 303)


def _record(action: str, obj, summary: str):
    audit.record(action, obj, summary=summary, organisation=audit.STAFF_ONLY)


def _page_with(product, **forms):
    """The product page again, with a rejected option form and its errors."""
    form = ProductForm(obj=product, product=product, formdata=None, categories=_categories())
    form.category.data = str(product.category_id or "")
    form.finish_fields.data = list(product.finish_keys)
    form.stamp.data = product_stamp(product)
    return _product_page(product, form, **forms)


@bp.post("/catalogue/products/<int:product_id>/groups")
@staff_required("admin")
def catalogue_group_new(product_id):
    product = get_or_404(Product, product_id)
    form = GroupForm()
    if not form.validate_on_submit():
        return _page_with(product, group_form=form)
    with write_tx():
        siblings = OptionGroup.select().where(OptionGroup.product == product.id)
        group = OptionGroup.create(
            product=product.id,
            name=form.name.data.strip(),
            kind=form.kind.data,
            optional=form.optional.data,
            multiple=form.multiple.data,
            position=domain.next_position(siblings, OptionGroup.position),
        )
        _record("catalogue.group_created", group, f"Tillvalsgruppen {group.name} på {product.name}")
    flash(_("Gruppen %(name)s är tillagd.", name=group.name), "success")
    return _back(product.id, f"group-{group.id}")


@bp.post("/catalogue/groups/<int:group_id>")
@staff_required("admin")
def catalogue_group_edit(group_id):
    group = get_or_404(OptionGroup, group_id)
    form = GroupForm(prefix=f"e{group.id}")
    if not form.validate_on_submit():
        flash(
            _(
                "Gruppen sparades inte: %(errors)s",
                errors="; ".join(str(m) for ms in form.errors.values() for m in ms),
            ),
            "error",
        )
        return _back(group.product_id, f"group-{group.id}")
    with write_tx():
        OptionGroup.update(
            name=form.name.data.strip(),
            kind=form.kind.data,
            optional=form.optional.data,
            multiple=form.multiple.data,
        ).where(OptionGroup.id == group.id).execute()
        if not form.multiple.data:  # one choice: keep at most one default
            first = (
                OptionGroupItem.select()
                .where((OptionGroupItem.group == group.id) & OptionGroupItem.is_default)
                .order_by(OptionGroupItem.position, OptionGroupItem.id)
                .first()
            )
            if first is not None:
                domain.set_default(first, True)
        _record(
            "catalogue.group_changed", group, f"Tillvalsgruppen {form.name.data.strip()} ändrad"
        )
    flash(_("Gruppen är sparad."), "success")
    return _back(group.product_id, f"group-{group.id}")


@bp.post("/catalogue/groups/<int:group_id>/move")
@staff_required("admin")
def catalogue_group_move(group_id):
    group = get_or_404(OptionGroup, group_id)
    if ActionForm().validate_on_submit():
        with write_tx():
            domain.move_group(group, request.form.get("direction", ""))
    return _back(group.product_id, f"group-{group.id}")


@bp.post("/catalogue/groups/<int:group_id>/delete")
@staff_required("admin")
def catalogue_group_delete(group_id):
    group = get_or_404(OptionGroup, group_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with write_tx():
        OptionGroupItem.delete().where(OptionGroupItem.group == group.id).execute()
        OptionGroup.delete().where(OptionGroup.id == group.id).execute()
        _record("catalogue.group_deleted", group, f"Tillvalsgruppen {group.name} borttagen")
    flash(_("Gruppen %(name)s är borttagen.", name=group.name), "success")
    return _back(group.product_id)


@bp.post("/catalogue/groups/<int:group_id>/items")
@staff_required("admin")
def catalogue_item_new(group_id):
    group = get_or_404(OptionGroup, group_id)
    options = Product.select().where(
        (Product.kind != "subscription") & (Product.id != group.product_id)
    )
    form = ItemForm(products=options, prefix=f"g{group.id}")
    if form.validate_on_submit():
        option = Product.get_by_id(int(form.product.data))
        taken = OptionGroupItem.select().where(
            (OptionGroupItem.group == group.id) & (OptionGroupItem.product == option.id)
        )
        if taken.exists():
            form.product.errors = [_("%(name)s finns redan i gruppen.", name=option.name)]
        else:
            with write_tx():
                siblings = OptionGroupItem.select().where(OptionGroupItem.group == group.id)
                item = OptionGroupItem.create(
                    group=group.id,
                    product=option.id,
                    position=domain.next_position(siblings, OptionGroupItem.position),
                )
                if form.is_default.data:
                    domain.set_default(item, True)
                _record(
                    "catalogue.item_added", item, f"{option.name} tillagd i gruppen {group.name}"
                )
            return _back(group.product_id, f"group-{group.id}")
    return _page_with(group.product, item_forms={group.id: form})


@bp.post("/catalogue/items/<int:item_id>/<any(up, down):direction>")
@staff_required("admin")
def catalogue_item_move(item_id, direction):
    item = get_or_404(OptionGroupItem, item_id)
    if ActionForm().validate_on_submit():
        with write_tx():
            domain.move_item(item, direction)
    return _back(item.group.product_id, f"group-{item.group_id}")


@bp.post("/catalogue/items/<int:item_id>/default")
@staff_required("admin")
def catalogue_item_default(item_id):
    item = get_or_404(OptionGroupItem, item_id)
    if ActionForm().validate_on_submit():
        with write_tx():
            domain.set_default(item, not item.is_default)
            _record(
                "catalogue.item_default",
                item,
                f"{item.product.name} {'inte längre ' if item.is_default else ''}förval i "
                f"{item.group.name}",
            )
    return _back(item.group.product_id, f"group-{item.group_id}")


@bp.post("/catalogue/items/<int:item_id>/delete")
@staff_required("admin")
def catalogue_item_delete(item_id):
    item = get_or_404(OptionGroupItem, item_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with write_tx():
        OptionGroupItem.delete().where(OptionGroupItem.id == item.id).execute()
        _record(
            "catalogue.item_removed", item, f"{item.product.name} borttagen ur {item.group.name}"
        )
    return _back(item.group.product_id, f"group-{item.group_id}")
