"""Tjänster (SRV-1): the list of every service in the user's scope, and
Verktyg: find a SIM card by its ICC."""

from __future__ import annotations

import re

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.services import bp
from domain import bulk_actions
from tables.catalogue import Product
from tables.org import Account
from tables.services import LIVE_STATUSES, SERVICE_KINDS, SERVICE_STATUSES, Service, SimCard
from web import dialogs, excel
from web import group_totals as web_group_totals
from web.auth import require
from web.i18n import N_, NC_
from web.listcolumns import (
    AmountRangeFilter,
    ChoiceFilter,
    Column,
    TextFilter,
    choice_column,
    kronor_column,
    number_column,
    text_column,
)
from web.lists.groups import GroupRule
from web.listview import ListView, TallyCount

SIM_STATUSES = {
    "active": N_("Aktivt"),
    "blocked": N_("Spärrat"),
    "replaced": N_("Ersatt"),
    "stock": N_("I lager"),
}
MAX_SIM_RESULTS = 10


def attach_price_plans(services):
    """Prislista of each row, in one query for the page."""
    ids = {s.price_plan_id for s in services if s.price_plan_id}
    names = dict(Product.select(Product.id, Product.name).where(Product.id.in_(ids)).tuples())
    for service in services:
        service.price_plan_name = names.get(service.price_plan_id, "")


class PricePlanFilter(ChoiceFilter):
    """Prislista by product code; the choices are the catalogue's price plans."""

    def __init__(self):
        self.default = None
        self._condition = None

    @property
    def choices(self) -> dict[str, str]:
        query = (
            Product.select(Product.code, Product.name)
            .where(Product.kind == "price_plan")
            .order_by(Product.name)
        )
        return dict(query.tuples())

    def condition(self, expr, value):
        return Service.price_plan.in_(Product.select(Product.id).where(Product.code.in_(value)))


_Plan = Product.alias("plan")
PLAN_NAME = _Plan.select(_Plan.name).where(_Plan.id == Service.price_plan)

SERVICE_LIST = ListView(
    name="services",
    groups=GroupRule(account=Service.account, service=Service.id),
    group_totals="services.group_totals",
    model=Service,
    query=Service.visible_to,
    joins=[(Account, Service.account), (Product, Service.product)],
    page_fields=(
        *(Service.status, Service.number, Service.user_name, Service.kind, Service.end_date),
        *(Service.monthly_ore, Service.price_plan),
        *(Account.customer_number, Account.company_name, Account.alias, Product.name),
    ),
    # Kind and price plan are not tally buckets: with those filters the list counts rows.
    tally=TallyCount("service", {"status": lambda statuses: statuses}),
    row_template="partials/services/_rows.html",
    default_sort=("number", "asc"),
    export_title=N_("Tjänster"),
    rows_loader=attach_price_plans,
    preset=N_("Visar aktiva och spärrade tjänster – ändra i kolumnen Status"),
    columns=[
        Column(
            "status",
            N_("Status"),
            sort=Service.status,
            filter=ChoiceFilter(SERVICE_STATUSES, default=LIVE_STATUSES),
            export=Service.status,
            export_format=excel.labels(SERVICE_STATUSES),
        ),
        number_column("number", N_("Nummer"), Service.number),
        text_column("user", NC_("tjänstens", "Användare"), Service.user_name),
        choice_column("kind", N_("Typ"), Service.kind, SERVICE_KINDS),
        text_column("product", N_("Produkt"), Product.name),
        Column("plan", N_("Prislista"), filter=PricePlanFilter(), export=PLAN_NAME),
        kronor_column("monthly", N_("Månadsavg."), Service.monthly_ore, filter=AmountRangeFilter()),
        Column(
            "account",
            N_("Konto"),
            sort=Account.customer_number,
            filter=TextFilter(),
            filter_expr=(Account.customer_number, Account.company_name, Account.alias),
            export=Account.customer_number,
        ),
        Column("account_name", N_("Kontonamn"), export=Account.company_name, show=False),
        # Contract terms (SPEC §5): in the export, and on each service's page.
        Column(
            "start",
            N_("Startdatum"),
            export=Service.start_date,
            export_format=excel.to_date,
            text=False,
            show=False,
        ),
        Column(
            "binding",
            N_("Bindningstid t.o.m."),
            export=Service.binding_end,
            export_format=excel.to_date,
            text=False,
            show=False,
        ),
        Column(
            "notice",
            N_("Uppsägningstid (mån)"),
            export=Service.notice_months,
            text=False,
            show=False,
        ),
        Column(
            "end",
            N_("Slutdatum"),
            export=Service.end_date,
            export_format=excel.to_date,
            text=False,
            show=False,
        ),
    ],
    essential=("status", "number", "user", "product"),  # a phone's card
)


@bp.route("")
@require("services.view")
def index():
    # The bulk actions the user may use (blueprints/services/bulk.py)
    kinds = bulk_actions.permitted(current_user)
    return SERVICE_LIST.respond(current_user, "services/list.html", bulk_kinds=kinds)


@bp.route("/summa-per-grupp")
@require("services.view")
def group_totals():
    """Summa per grupp of the list's current filter (``?kategori=``), by htmx."""
    return web_group_totals.service_panel(SERVICE_LIST, current_user)


def find_sims(user, text: str):
    """SIM cards of services the user may see whose ICC contains ``text``."""
    return (
        SimCard.select(SimCard, Service)
        .join(Service, on=(SimCard.service == Service.id))
        .where(
            SimCard.icc.contains(text) & Service.id.in_(Service.visible_to(user).select(Service.id))
        )
        .order_by(SimCard.icc, SimCard.id.desc())
        .limit(MAX_SIM_RESULTS + 1)
    )


def find_stock_sims(user, text: str):
    """Customer-placed SIM cards in the organisation's stock (not yet on a service)."""
    return (
        SimCard.select()
        .where(
            SimCard.icc.contains(text)
            & (SimCard.organisation == user.organisation_id)
            & SimCard.service.is_null()
        )
        .order_by(SimCard.icc)
        .limit(MAX_SIM_RESULTS)
    )


@bp.route("/sim-search")
@require("services.view")
def sim_search():
    """Verktyg: Sök SIM-kort. Whole ICC or at least six of its digits."""
    text = re.sub(r"\s", "", request.args.get("icc", ""))
    error, sims, stock = None, [], []
    searched = "icc" in request.args
    if searched:
        if not re.fullmatch(r"\d{6,19}", text):
            error = _("Ange ICC-numret (19 siffror) eller minst sex siffror ur det.")
        else:
            sims = list(find_sims(current_user, text))
            stock = list(find_stock_sims(current_user, text))
    return dialogs.show(
        "partials/services/dialogs/_sim_search.html",
        url_for("services.index"),
        dialog_title=_("Sök SIM-kort"),
        icc=text,
        searched=searched,
        error=error,
        sims=sims[:MAX_SIM_RESULTS],
        more=len(sims) > MAX_SIM_RESULTS,
        stock=stock,
        sim_statuses=SIM_STATUSES,
    )
