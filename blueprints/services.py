"""Tjänster (SRV-1): the list of every service in the user's scope."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from tables.catalogue import Product
from tables.org import Account
from tables.services import SERVICE_STATUSES, Service
from web import excel
from web.auth import require
from web.listview import (
    AmountRangeFilter,
    ChoiceFilter,
    Column,
    ListView,
    TallyCount,
    TextFilter,
)

bp = Blueprint("services", __name__, url_prefix="/services")


SERVICE_LIST = ListView(
    name="services",
    model=Service,
    query=Service.visible_to,
    joins=[(Account, Service.account), (Product, Service.product)],
    page_fields=(
        *(Service.status, Service.number, Service.user_name, Service.monthly_ore),
        *(Account.customer_number, Account.company_name, Account.alias, Product.name),
    ),
    tally=TallyCount("service", {"status": lambda statuses: statuses}),
    row_template="partials/services/_rows.html",
    default_sort=("number", "asc"),
    export_title="Tjänster",
    columns=[
        Column(
            "status",
            "Status",
            sort=Service.status,
            filter=ChoiceFilter(SERVICE_STATUSES, default=("active",)),
            export=Service.status,
            export_format=excel.labels(SERVICE_STATUSES),
        ),
        Column("number", "Nummer", sort=Service.number, filter=TextFilter(), export=Service.number),
        Column(
            "user",
            "Användare",
            sort=Service.user_name,
            filter=TextFilter(),
            export=Service.user_name,
        ),
        Column("product", "Produkt", sort=Product.name, filter=TextFilter(), export=Product.name),
        Column(
            "monthly",
            "Månadsavg.",
            sort=Service.monthly_ore,
            filter=AmountRangeFilter(),
            export=Service.monthly_ore,
            export_format=excel.to_kronor,
            text=False,
            align="right",
        ),
        Column(
            "account",
            "Konto",
            sort=Account.customer_number,
            filter=TextFilter(),
            filter_expr=(Account.customer_number, Account.company_name, Account.alias),
            export=Account.customer_number,
        ),
        Column("account_name", "Kontonamn", export=Account.company_name, show=False),
    ],
)


@bp.route("")
@require("services.view")
def index():
    return SERVICE_LIST.respond(current_user, "services/list.html")
