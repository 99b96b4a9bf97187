"""Global search (UI-2): the box at the top of every customer page.

/search?q= finds accounts (kundnummer, name, alias, org.nr), services (phone
number, user name, ICC), tickets (number, title), invoices (number) and
portal users (name), each group only for users who may open that area and
only within their scope (every group goes through the model's
``visible_to(user)`` or ``visible_accounts``). The box says what the user
can search ("Sök faktura" for someone who may only see invoices) and is not
shown to a user who may search nothing. Numbers are found however they are
typed ("070-123 45 67", "+46 70 123 45 67") and shown grouped. htmx gets
the grouped drop-down as the user types; without htmx (Enter) it is a page
of results.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Blueprint, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape
from peewee import JOIN

from blueprints.accounts.tree import search_condition
from database import icontains
from domain.numbers import format_org_number, number_query
from permissions import TICKET_AREA, holds_any
from tables.billing import Invoice
from tables.catalogue import Product
from tables.org import Account, User
from tables.scope import scope_condition, visible_accounts
from tables.services import PhoneNumber, Service, SimCard
from tables.tickets import Ticket
from web.auth import customer_required
from web.formatting import phone, url_if
from web.htmx import is_htmx, render
from web.i18n import N_, isodate, kr, tr

bp = Blueprint("search", __name__, url_prefix="/search")

MIN_LENGTH = 2
MAX_LENGTH = 100
DROPDOWN_LIMIT = 5
PAGE_LIMIT = 50


@dataclass
class Hit:
    title: str
    detail: str
    url: str | None


@dataclass
class Group:
    key: str
    title: str
    hits: list[Hit] = field(default_factory=list)
    more: bool = False  # there are more hits than shown


def _limited(query, limit: int) -> tuple[list, bool]:
    rows = list(query.limit(limit + 1))
    return rows[:limit], len(rows) > limit


def search_accounts(user, text: str, limit: int) -> Group:
    query = visible_accounts(user).where(search_condition(text)).order_by(Account.path)
    rows, more = _limited(query, limit)
    hits = [
        Hit(
            title=f"{a.customer_number} {a.company_name}",
            detail=" · ".join(
                p
                for p in (
                    _("Org. nr %(number)s", number=format_org_number(a.org_number)),
                    a.alias and _("Alias %(alias)s", alias=a.alias),
                )
                if p
            ),
            url=url_for("accounts.detail", account_id=a.id),
        )
        for a in rows
    ]
    return Group("accounts", N_("Konton"), hits, more)


def search_services(user, text: str, limit: int) -> Group:
    number = number_query(text) or ""
    condition = icontains(Service.user_name, text) | Service.number.contains(text)
    icc_matches = None
    if number and number != text:
        condition |= Service.number.contains(number)
    if number.isdigit() and len(number) >= 3:
        condition |= Service.id.in_(
            PhoneNumber.select(PhoneNumber.service).where(PhoneNumber.number.contains(number))
        )
    if number.isdigit() and len(number) >= 6:
        icc_matches = SimCard.select(SimCard.service).where(
            SimCard.icc.contains(number) & SimCard.service.is_null(False)
        )
        condition |= Service.id.in_(icc_matches)
    query = (
        Service.visible_to(user)
        .select(Service, Product, Account)
        .join(Product, on=(Service.product == Product.id))
        .switch(Service)
        .join(Account, on=(Service.account == Account.id))
        .where(condition)
        .order_by(Service.number)
    )
    rows, more = _limited(query, limit)
    iccs = {}
    if icc_matches is not None and rows:
        iccs = dict(
            SimCard.select(SimCard.service, SimCard.icc)
            .where(SimCard.service.in_([s.id for s in rows]) & SimCard.icc.contains(number))
            .tuples()
        )
    hits = []
    for s in rows:
        details = [s.product.name, f"{s.account.customer_number} {s.account.display_name}"]
        if s.id in iccs:
            details.insert(0, f"ICC {iccs[s.id]}")
        if s.status != "active":
            details.append(tr(s.status_label))
        url = url_if("services.detail", service_id=s.id) or url_for(
            "services.index", f_number=s.number, f_status=""
        )
        title = f"{phone(s.number)} {s.user_name}".strip()
        hits.append(Hit(title=title, detail=" · ".join(details), url=url))
    return Group("services", N_("Tjänster"), hits, more)


def search_tickets(user, text: str, limit: int) -> Group:
    condition = icontains(Ticket.subject, text)
    number = number_query(text) or ""
    if number.isdigit():
        condition |= Ticket.number.cast("TEXT").contains(number)
    query = (
        Ticket.visible_to(user)
        .select(Ticket, Account)
        .join(Account, on=(Ticket.account == Account.id))
        .where(condition)
        .order_by(Ticket.created_at.desc())
    )
    rows, more = _limited(query, limit)
    hits = [
        Hit(
            title=_("Ärende %(number)s: %(subject)s", number=t.number, subject=t.subject),
            detail=f"{tr(t.status_label)} · {t.account.customer_number} {t.account.display_name}",
            url=url_if("tickets.detail", ticket_id=t.id)
            or url_for("tickets.index", f_number=t.number, f_status=""),
        )
        for t in rows
    ]
    return Group("tickets", N_("Ärenden"), hits, more)


def search_invoices(user, text: str, limit: int) -> Group:
    query = (
        Invoice.visible_to(user)
        .select(Invoice, Account)
        .join(Account, on=(Invoice.account == Account.id))
        .where(Invoice.number.contains(re.sub(r"\s", "", text)))
        .order_by(Invoice.invoice_date.desc())
    )
    rows, more = _limited(query, limit)
    hits = [
        Hit(
            title=_("Faktura %(number)s", number=i.number),
            detail=(
                f"{isodate(i.invoice_date)} · {kr(i.amount_ore)} · {tr(i.status_label())} · "
                f"{i.account.customer_number} {i.account.display_name}"
            ),
            url=url_for("invoices.detail", invoice_id=i.id),
        )
        for i in rows
    ]
    return Group("invoices", N_("Fakturor"), hits, more)


def search_users(user, text: str, limit: int) -> Group:
    query = (
        User.select(User, Account)
        .join(Account, JOIN.INNER, on=(User.scope_account == Account.id))
        .where(
            scope_condition(User, user, User.scope_account)
            & User.removed_at.is_null()
            & (
                icontains(User.name, text)
                | icontains(User.username, text)
                | icontains(User.email, text)
            )
        )
        .order_by(User.name)
    )
    rows, more = _limited(query, limit)
    hits = [
        Hit(
            title=u.name,
            detail=(
                f"{u.username} · {u.scope_account.customer_number} {u.scope_account.display_name}"
            ),
            # Your own user is edited in Min profil.
            url=url_if("profile.index")
            if u.id == user.id
            else url_if("users.edit", user_id=u.id) or url_if("users.index"),
        )
        for u in rows
    ]
    return Group("users", N_("Användare"), hits, more)


@dataclass(frozen=True)
class Area:
    """A part of the portal the search looks in, for those who may open it."""

    noun: str  # what the box offers to find: "Sök konto, tjänst"
    what: str  # what is searched, for the results page's help text
    may: Callable  # user → whether they may open (and so search) the area
    search: Callable  # (user, text, limit) → Group


AREAS = (
    Area(
        N_("konto"),
        N_("konton (kundnummer, namn, alias, org. nr)"),
        lambda user: user.has("accounts.view"),
        search_accounts,
    ),
    Area(
        N_("tjänst"),
        N_("tjänster (telefonnummer, användare, ICC)"),
        lambda user: user.has("services.view"),
        search_services,
    ),
    Area(
        N_("ärende"),
        N_("ärenden (ärendenummer, rubrik)"),
        lambda user: holds_any(user, TICKET_AREA),
        search_tickets,
    ),
    Area(
        N_("faktura"),
        N_("fakturor (fakturanummer)"),
        lambda user: user.has("invoices.view"),
        search_invoices,
    ),
    Area(
        N_("användare"),
        N_("användare (namn, användarnamn, e-post)"),
        lambda user: user.has("users.manage"),
        search_users,
    ),
)


def areas_for(user) -> list[Area]:
    """The areas ``user`` may search, in menu order."""
    if not user.is_authenticated or user.is_staff:
        return []
    return [area for area in AREAS if area.may(user)]


def listed(words: list[str]) -> str:
    """ "a", "a och b", "a, b och c" (each word translated)."""
    words = [tr(word) for word in words]
    if len(words) == 1:
        return words[0]
    return _("%(first)s och %(last)s", first=", ".join(words[:-1]), last=words[-1])


# The box is narrow: its placeholder names this many areas, then "…".
PROMPT_AREAS = 3


@dataclass(frozen=True)
class Prompt:
    placeholder: str  # "Sök konto, tjänst, ärende …"
    label: str  # every area: "Sök konto, tjänst, ärende, faktura, användare"


@bp.app_template_global()
def search_prompt() -> Prompt | None:
    """What the search box offers the signed-in user ("Sök faktura"); None
    when they may search nothing (then there is no box)."""
    nouns = [tr(area.noun) for area in areas_for(current_user)]
    if not nouns:
        return None
    shown = ", ".join(nouns[:PROMPT_AREAS]) + (" …" if len(nouns) > PROMPT_AREAS else "")
    return Prompt(
        placeholder=_("Sök %(areas)s", areas=shown),
        label=_("Sök %(areas)s", areas=", ".join(nouns)),
    )


def run(user, text: str, limit: int) -> list[Group]:
    """Every group the user may search, in menu order, with its hits."""
    return [area.search(user, text, limit) for area in areas_for(user)]


@bp.route("")
@customer_required
def index():
    text = request.args.get("q", "").strip()[:MAX_LENGTH]
    too_short = len(text) < MIN_LENGTH
    dropdown = is_htmx()
    areas = areas_for(current_user)
    groups = (
        [] if too_short else run(current_user, text, DROPDOWN_LIMIT if dropdown else PAGE_LIMIT)
    )
    return render(
        "search/index.html",
        "search/_dropdown.html",
        q=text,
        too_short=too_short,
        groups=groups,
        found=any(g.hits for g in groups),
        searchable=listed([area.what for area in areas]) if areas else "",
        min_length=MIN_LENGTH,
        limit=PAGE_LIMIT,
    )


def _match_pattern(query: str) -> str:
    """The query as a pattern; a number matches its digits however they are
    grouped in the text ("0701234567" marks "070-123 45 67")."""
    digits = number_query(query)
    if digits and digits.isdigit():
        return r"[\s-]?".join(digits)
    return re.escape(query)


@bp.app_template_filter("highlight")
def highlight(text: str, query: str) -> Markup:
    """``text`` escaped, with the parts that match ``query`` in <mark>."""
    text = str(text or "")
    if not query:
        return escape(text)
    parts = re.split(f"({_match_pattern(query)})", text, flags=re.IGNORECASE)
    return Markup("").join(
        Markup("<mark>{}</mark>").format(part) if i % 2 else escape(part)
        for i, part in enumerate(parts)
    )
