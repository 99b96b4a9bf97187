"""Prislistor (/staff/pricelists, issue 17 item 2): the negotiated prices an
agreement points at — per product a monthly and a start price and the
binding, and the price per request of the billable request types.

Prices are typed in kronor ("199", "199,00", "1 299,50") and stored in öre;
a product or request type whose price is left empty is not in the list (it
takes its list price). Saving replaces the list's whole content in one
transaction; orders already sent keep the prices copied onto their lines.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from peewee import fn
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Length

from blueprints.staff import bp
from blueprints.staff.agreements import shown_groups
from database import write_tx
from domain import agreements
from domain.agreements import MAX_BINDING_MONTHS, MAX_PRICE_ORE, ProductPrice
from domain.text import T_
from tables.charges import PriceListRequestPrice
from tables.org import Agreement, PriceList, PriceListItem
from tables.tickets import RequestType
from web.auth import staff_required
from web.forms import FlaskForm
from web.i18n import N_, tr
from web.listcolumns import Column, parse_kronor, text_column
from web.listview import ListView

BAD_PRICE = N_("Ange ett belopp i kronor, t.ex. 199 eller 199,00.")


def strip(value):
    return value.strip() if isinstance(value, str) else value


def count_rows(rows):
    ids = [row.id for row in rows]
    products = dict(
        PriceListItem.select(PriceListItem.price_list, fn.COUNT(PriceListItem.id))
        .where(PriceListItem.price_list.in_(ids))
        .group_by(PriceListItem.price_list)
        .tuples()
    )
    used = dict(
        Agreement.select(Agreement.price_list, fn.COUNT(Agreement.id))
        .where(Agreement.price_list.in_(ids))
        .group_by(Agreement.price_list)
        .tuples()
    )
    for row in rows:
        row.product_count = products.get(row.id, 0)
        row.agreement_count = used.get(row.id, 0)


PRICE_LIST_LIST = ListView(
    name="staff-pricelists",
    model=PriceList,
    query=lambda user: PriceList.select(),
    row_template="partials/staff/_pricelists_rows.html",
    default_sort=("name", "asc"),
    export_title="Prislistor",
    bulk_actions=[],
    rows_loader=count_rows,
    empty_text=N_("Det finns inga prislistor"),
    columns=[
        text_column("name", N_("Namn"), PriceList.name),
        text_column("description", N_("Beskrivning"), PriceList.description),
        Column("products", N_("Produkter"), align="right"),
        Column("agreements", N_("Avtal"), align="right"),
    ],
    essential=("name", "agreements"),
)


@bp.route("/pricelists", endpoint="pricelists")
@staff_required("admin")
def pricelists_index():
    return PRICE_LIST_LIST.respond(current_user, "staff/pricelists/index.html")


class PriceListForm(FlaskForm):
    name = StringField(_l("Namn"), filters=[strip], validators=[Length(max=100)])
    description = TextAreaField(_l("Beskrivning"), filters=[strip], validators=[Length(max=2000)])
    fingerprint = HiddenField()


def kronor_text(ore: int | None) -> str:
    """Öre as the form shows them: "199" or "199,50"."""
    if ore is None:
        return ""
    whole, part = divmod(ore, 100)
    return f"{whole}" if not part else f"{whole},{part:02d}"


def parse_price(text: str) -> tuple[int | None, str | None]:
    """(öre, error) of a price typed in kronor; (None, None) when empty."""
    if not text:
        return None, None
    try:
        ore = parse_kronor(text)
    except ValueError:
        return None, BAD_PRICE
    if ore < 0:
        return None, N_("Priset kan inte vara negativt.")
    if ore > MAX_PRICE_ORE:
        return None, N_("Priset får vara högst 1 000 000 kr.")
    return ore, None


def _request_types():
    return list(RequestType.select().order_by(RequestType.position, RequestType.id))


def _values_of(price_list: PriceList | None) -> dict[str, str]:
    """The form's price fields as stored."""
    values: dict[str, str] = {}
    if price_list is None:
        return values
    for item in PriceListItem.select().where(PriceListItem.price_list == price_list.id):
        values[f"p{item.product_id}_monthly"] = kronor_text(item.monthly_ore)
        values[f"p{item.product_id}_start"] = kronor_text(item.start_ore)
        values[f"p{item.product_id}_binding"] = str(item.binding_months)
    for row in PriceListRequestPrice.select().where(
        PriceListRequestPrice.price_list == price_list.id
    ):
        values[f"rt{row.request_type_id}_price"] = kronor_text(row.price_ore)
    return values


def _read_prices(source, products, request_types):
    """(product prices, request prices, errors by field name) from the form."""
    prices: dict[int, ProductPrice] = {}
    requests: dict[int, int] = {}
    errors: dict[str, str] = {}
    for product in products:
        key = f"p{product.id}"
        monthly_text = (source.get(f"{key}_monthly") or "").strip()[:40]
        start_text = (source.get(f"{key}_start") or "").strip()[:40]
        binding_text = (source.get(f"{key}_binding") or "").strip()[:40]
        monthly, error = parse_price(monthly_text)
        if error:
            errors[f"{key}_monthly"] = error
        start, error = parse_price(start_text)
        if error:
            errors[f"{key}_start"] = error
        binding = 0
        if binding_text:
            if binding_text.isdigit() and int(binding_text) <= MAX_BINDING_MONTHS:
                binding = int(binding_text)
            else:
                errors[f"{key}_binding"] = T_(
                    "Ange bindningstid i hela månader, 0–%(max)s.", max=MAX_BINDING_MONTHS
                )
        if not monthly_text:
            if start_text or binding_text:
                errors.setdefault(
                    f"{key}_monthly", N_("Ange månadspris för att ta med produkten (0 går bra).")
                )
            continue
        if monthly is not None:
            prices[product.id] = ProductPrice(monthly, start or 0, binding)
    for request_type in request_types:
        name = f"rt{request_type.id}_price"
        price, error = parse_price((source.get(name) or "").strip()[:40])
        if error:
            errors[name] = error
        elif price is not None:
            requests[request_type.id] = price
    return prices, requests, errors


def _page(form, price_list, values, errors=None):
    in_list = {
        int(key[1:].split("_")[0])
        for key, value in values.items()
        if key.startswith("p") and key.endswith("_monthly") and value
    }
    users = []
    if price_list is not None:
        users = list(
            Agreement.select()
            .where(Agreement.price_list == price_list.id)
            .order_by(Agreement.number)
        )
    return render_template(
        "staff/pricelists/form.html",
        form=form,
        price_list=price_list,
        values=values,
        errors=errors or {},
        groups=shown_groups(agreements.catalogue_groups(keep=in_list)),
        request_types=_request_types(),
        agreements_using=users,
    )


def _save(price_list: PriceList | None):
    form = PriceListForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _page(form, price_list, request.form.to_dict())
    listed = set()
    if price_list is not None:
        listed = {
            pid
            for (pid,) in PriceListItem.select(PriceListItem.product)
            .where(PriceListItem.price_list == price_list.id)
            .tuples()
        }
    products = [p for _heading, group in agreements.catalogue_groups(keep=listed) for p in group]
    prices, requests, errors = _read_prices(request.form, products, _request_types())
    form.name.data = form.name.data or ""
    form.description.data = form.description.data or ""
    if errors:
        form.form_errors.append(_("Några priser kunde inte tolkas; se fälten nedan."))
        return _page(form, price_list, request.form.to_dict(), errors)
    # Checked and written in one write transaction (a double click, two
    # colleagues): the second save sees the first.
    with write_tx():
        saved = None
        if price_list is not None:
            price_list = PriceList.get_by_id(price_list.id)
            if form.fingerprint.data != agreements.price_list_fingerprint(price_list):
                form.form_errors.append(
                    _(
                        "Prislistan har ändrats av någon annan sedan du öppnade den. "
                        "Ladda om sidan och gör din ändring igen."
                    )
                )
        name_error = agreements.check_price_list_name(form.name.data, price_list)
        if name_error:
            form.name.errors = [tr(name_error)]
        if not name_error and not form.form_errors:
            saved = agreements.save_price_list(
                price_list,
                name=form.name.data,
                description=form.description.data,
                products=prices,
                requests=requests,
                staff=current_user._get_current_object(),
            )
    if saved is None:
        return _page(form, price_list, request.form.to_dict(), errors)
    flash(
        _("Prislistan %(name)s är skapad.", name=saved.name)
        if price_list is None
        else _("Prislistan %(name)s är sparad.", name=saved.name),
        "success",
    )
    return redirect(url_for("staff.pricelist", price_list_id=saved.id), code=303)


@bp.route("/pricelists/new", methods=["GET", "POST"])
@staff_required("admin")
def pricelist_new():
    if request.method == "POST":
        return _save(None)
    return _page(PriceListForm(formdata=None), None, {})


@bp.route("/pricelists/<int:price_list_id>", methods=["GET", "POST"], endpoint="pricelist")
@staff_required("admin")
def pricelist_edit(price_list_id: int):
    price_list = PriceList.get_or_none(PriceList.id == price_list_id)
    if price_list is None:
        abort(404)
    if request.method == "POST":
        return _save(price_list)
    form = PriceListForm(
        formdata=None,
        name=price_list.name,
        description=price_list.description,
        fingerprint=agreements.price_list_fingerprint(price_list),
    )
    return _page(form, price_list, _values_of(price_list))
