"""Every route is classified (issue 16, item 7): its view declares who may
open it (``view.access``: public, customer or staff, set by web.auth's
decorators), and the declaration is checked against what the route does —
signed out, as the wrong kind of user, and with an id of another
organisation's object, which must answer 404. A new route without a
declaration, or with an id argument this file cannot fill with another
organisation's object, fails here."""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import urlsplit

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from database import write_tx
from models import (
    Account,
    ApiToken,
    ApproverChainEntry,
    AuditLog,
    BulkAction,
    Contact,
    ExportJob,
    Group,
    GroupCategory,
    GroupMembership,
    Invoice,
    Order,
    OrderLine,
    ProductCategory,
    SavedFilter,
    ScheduledReport,
    Service,
    Shortcut,
    SwitchboardEmployee,
    SwitchboardQueue,
    Ticket,
    TicketAttachment,
    User,
)
from tests.conftest import ACCOUNT_ADMIN, ADMIN, OTHER_ORG_ADMIN, STAFF
from web.auth import ACCESS

# Flask's own file route; it serves static/ only.
BUILT_IN_PUBLIC = {"static"}

# Views that must stay public. The health endpoints (/healthz, /readyz,
# /metrics: blueprints/health.py) declare themselves with @public once merged.
EXPECTED_PUBLIC = {
    "auth.login",
    "auth.verify",
    "auth.verify_sms",
    "auth.setup",
    "auth.setup_sms",
    "auth.forgot",
    "auth.reset",
    "auth.invite",
    "auth.logout",
    # Kundnummer + PIN (AUTH-7): 404 unless the operator turns it on.
    "auth.login_pin",
    # Logga in med Microsoft (AUTH-6): the address step and the provider's answer.
    "oidc.start",
    "oidc.callback",
    "staff.login",
    "staff.login_verify",
    "staff.login_verify_sms",
    "staff.login_setup",
    "staff.login_setup_sms",
    "staff.forgot",
    "staff.reset",
    "staff.invite",
    "unsubscribe.unsubscribe",
    # The operator's logo and colour (UI-10): the sign-in pages show them.
    "branding.logo",
    "branding.theme",
    # The JSON API's OpenAPI document and its documentation page (issue 19):
    # no data, read by tools before they hold a token.
    "api.openapi",
    "api_docs.docs",
}
HEALTH_PUBLIC = {"health.healthz", "health.readyz", "health.metrics"}


def access_of(app, endpoint: str) -> str | None:
    if endpoint in BUILT_IN_PUBLIC:
        return "public"
    return getattr(app.view_functions[endpoint], "access", None)


def rules(app):
    return sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule)


def int_args(rule) -> list[str]:
    """The rule's ``<int:…>`` arguments in the order they appear in the path."""
    names = re.findall(r"<(?:[^:>]+:)?(\w+)>", rule.rule)  # rule.arguments is a set
    return [name for name in names if isinstance(rule._converters[name], IntegerConverter)]


def build(rule, values: dict) -> str:
    """The rule's path with ``values``; other arguments get a valid sample."""
    filled = dict(values)
    for name, converter in rule._converters.items():
        if name not in filled:
            if isinstance(converter, AnyConverter):
                filled[name] = next(iter(converter.items))
            elif isinstance(converter, IntegerConverter):
                filled[name] = 1
            else:
                filled[name] = "x"
    return rule.build(filled, append_unknown=False)[1]


def request(client, rule, path: str):
    """GET where the rule answers it, else POST (with a CSRF token)."""
    if "GET" in rule.methods:
        return client.get(path)
    return client.post(path, data={})


# --------------------------------------------------------------------- the declarations


def test_every_route_declares_who_may_open_it(demo_app):
    undeclared = [
        f"{rule.endpoint} ({rule.rule})"
        for rule in rules(demo_app)
        if access_of(demo_app, rule.endpoint) not in ACCESS
    ]
    assert undeclared == [], "routes neither public nor protected: " + ", ".join(undeclared)


def test_only_the_sign_in_routes_are_public(demo_app):
    public = {
        rule.endpoint for rule in rules(demo_app) if access_of(demo_app, rule.endpoint) == "public"
    }
    assert public - BUILT_IN_PUBLIC - HEALTH_PUBLIC == EXPECTED_PUBLIC


def test_staff_routes_are_staff_protected(demo_app):
    wrong = [
        rule.endpoint
        for rule in rules(demo_app)
        if (rule.rule.startswith("/staff") or rule.endpoint.startswith("staff."))
        and rule.endpoint not in EXPECTED_PUBLIC
        and access_of(demo_app, rule.endpoint) != "staff"
    ]
    assert wrong == []
    customer_in_staff = [
        rule.endpoint
        for rule in rules(demo_app)
        if access_of(demo_app, rule.endpoint) == "staff" and not rule.rule.startswith("/staff")
    ]
    assert customer_in_staff == []


def test_api_routes_answer_401_to_a_session_and_to_nobody(demo_app, login):
    """The JSON API's routes ("api") are opened by a Bearer token only: a
    signed-in session gets the same 401 problem as nobody at all."""
    api_rules = protected_rules(demo_app, "api")
    assert len(api_rules) > 10
    assert all(rule.rule.startswith("/api/v1/") for rule in api_rules)
    signed_in = demo_app.test_client()
    login(signed_in, ADMIN)
    wrong = []
    for client in (demo_app.test_client(), signed_in):
        for rule in api_rules:
            method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
            response = client.open(build(rule, {}), method=method, json={})
            if response.status_code != 401 or response.mimetype != "application/problem+json":
                wrong.append((rule.endpoint, response.status_code))
    assert wrong == []


def test_a_view_without_a_declaration_is_found(demo_app):
    """The walk is not vacuous: a route added without a decorator is named."""

    def naked():
        return "open"

    demo_app.add_url_rule("/naked-test-route", "naked_test_route", naked)
    assert access_of(demo_app, "naked_test_route") is None
    assert demo_app.test_client().get("/naked-test-route").status_code == 200


# --------------------------------------------------------------------- what the routes do


def own_ids() -> dict[str, int]:
    """Ids of A3 Demo Connect's objects: a route that leaked would show them.
    An audit entry and a draft's line are added (the demo data has none)."""
    admin = User.get(User.username == ADMIN)
    org = admin.organisation_id
    draft = Order.get((Order.organisation == org) & (Order.status == "draft"))
    ticket = Ticket.get(Ticket.organisation == org)
    account = Account.get((Account.organisation == org) & Account.parent.is_null())
    with write_tx():
        entry = AuditLog.create(organisation=org, actor_user=admin, action="test.own")
        line = OrderLine.get_or_none(OrderLine.order == draft) or OrderLine.create(
            order=draft, name="Egen rad"
        )
        shortcut = Shortcut.create(user=admin, title="Egen", url="/services")
        saved = SavedFilter.create(
            organisation=org, user=admin, list_name="services", name="Eget", query_string=""
        )
        bulk = BulkAction.create(
            organisation=org, user=admin, action="invoice_text", token="own-bulk", key="own"
        )
    return {
        "bulk_id": bulk.id,
        "account_id": account.id,
        "contact_id": Contact.get(Contact.account == account).id,
        "entry_id": entry.id,
        "invoice_id": Invoice.get(Invoice.organisation == org).id,
        "order_id": Order.get((Order.organisation == org) & (Order.status != "draft")).id,
        "draft_id": draft.id,
        "line_id": line.id,
        "service_id": Service.get(Service.organisation == org).id,
        "ticket_id": ticket.id,
        "user_id": User.get(User.organisation == org).id,
        "shortcut_id": shortcut.id,
        "filter_id": saved.id,
        **_groups_of(org),
    }


def _groups_of(org) -> dict[str, int]:
    """A group category, a group and a membership of ``org`` (from the demo
    data, or made here for an organisation that has none)."""
    group = Group.select().join(GroupCategory).where(GroupCategory.organisation == org).first()
    if group is None:
        account = Account.get((Account.organisation == org) & Account.parent.is_null())
        with write_tx():
            category = GroupCategory.create(organisation=org, name="Region")
            group = Group.create(category=category, name="Norr")
            GroupMembership.create(group=group, account=account, start_month=dt.date(2025, 1, 1))
    membership = GroupMembership.select().where(GroupMembership.group == group).first()
    return {
        "group_category_id": group.category_id,
        "org_group_id": group.id,
        "membership_id": membership.id,
    }


def protected_rules(app, access: str):
    return [rule for rule in rules(app) if access_of(app, rule.endpoint) == access]


def login_path(response) -> str:
    return urlsplit(response.headers.get("Location", "")).path


@pytest.mark.parametrize("access, login", [("customer", "/login"), ("staff", "/staff/login")])
def test_signed_out_every_protected_route_sends_to_sign_in(demo_app, access, login):
    client = demo_app.test_client()
    ids = own_ids()
    wrong = []
    for rule in protected_rules(demo_app, access):
        path = build(rule, {name: ids.get(name, 1) for name in int_args(rule)})
        response = request(client, rule, path)
        if response.status_code in (401, 403, 404):
            continue
        if response.status_code != 302 or login_path(response) != login:
            wrong.append((rule.endpoint, path, response.status_code, login_path(response)))
    assert wrong == []


def test_a_customer_gets_no_staff_page(demo_app, login):
    """A signed-in customer's user is refused every staff route (403)."""
    client = demo_app.test_client()
    login(client, ADMIN)
    wrong = []
    for rule in protected_rules(demo_app, "staff"):
        response = request(client, rule, build(rule, {}))
        if response.status_code != 403:
            wrong.append((rule.endpoint, response.status_code))
    assert wrong == []


def test_staff_get_no_customer_page(demo_app, login):
    """Staff are sent to the back office from every customer route."""
    client = demo_app.test_client()
    login(client, STAFF)
    ids = own_ids()
    wrong = []
    for rule in protected_rules(demo_app, "customer"):
        path = build(rule, {name: ids.get(name, 1) for name in int_args(rule)})
        response = request(client, rule, path)
        if response.status_code != 302 or login_path(response) != "/staff/":
            wrong.append((rule.endpoint, response.status_code))
    assert wrong == []


# ------------------------------------------------------------ another organisation's ids


class Foreign:
    """Objects admin@a3demo.se must not reach: Norrlandsbygg AB's (created
    where the demo data has none), and for what belongs to one user (report
    files, schedules) also another A3 Demo Connect user's."""

    def __init__(self):
        other = User.get(User.username == OTHER_ORG_ADMIN)
        colleague = User.get(User.username == ACCOUNT_ADMIN)
        org = other.organisation_id
        self.org = org
        account = Account.get((Account.organisation == org) & Account.parent.is_null())
        ticket = Ticket.get(Ticket.organisation == org)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        with write_tx():
            draft = Order.create(
                organisation=org,
                account=account,
                number=9_990_001,
                status="draft",
                created_by=other,
                payload=json.dumps({}),
            )
            line = OrderLine.create(order=draft, name="Främmande rad")
            attachment = TicketAttachment.create(
                ticket=ticket,
                filename="norr.txt",
                content_type="text/plain",
                size=4,
                sha256="0" * 64,
                storage_name="route-access-norr.txt",
            )
            entry = AuditLog.create(organisation=org, actor_user=other, action="test.norr")
            api_token = ApiToken.create(
                organisation=org, user=other, name="Norr", prefix="tp_norr", token_hash="norr"
            )
            positions = [
                e.position
                for e in ApproverChainEntry.select().where(
                    ApproverChainEntry.product_area == "mobile"
                )
            ]
            chain = ApproverChainEntry.create(
                organisation=org,
                product_area="mobile",
                position=max(positions, default=0) + 1,
                user=other,
            )
            jobs, schedules, shortcuts, filters, bulks = [], [], [], [], []
            for owner in (other, colleague):
                shortcuts.append(Shortcut.create(user=owner, title="Främmande", url="/").id)
                filters.append(
                    SavedFilter.create(
                        organisation=owner.organisation_id,
                        user=owner,
                        list_name="services",
                        name="Främmande",
                        query_string="",
                        # another organisation's even shared; a colleague's private
                        shared=owner is other,
                    ).id
                )
                bulks.append(
                    BulkAction.create(
                        organisation=owner.organisation_id,
                        user=owner,
                        action="invoice_text",
                        token=f"foreign-bulk-{owner.id}",
                        key="foreign",
                        status="done",
                    ).id
                )
                jobs.append(
                    ExportJob.create(
                        organisation=owner.organisation_id,
                        user=owner,
                        title="Främmande fil",
                        path="/services?export=xlsx",
                        status="done",
                    ).id
                )
                schedules.append(
                    ScheduledReport.create(
                        organisation=owner.organisation_id,
                        user=owner,
                        report_key="reports.subscriptions",
                        next_run_at=now + dt.timedelta(days=1),
                        path="/reports/abonnemang",
                    ).id
                )
        self.ids = {
            "account_id": [account.id],
            "contact_id": [Contact.get(Contact.organisation == org).id],
            "entry_id": [entry.id],
            "invoice_id": [Invoice.get(Invoice.organisation == org).id],
            "order_id": [Order.get((Order.organisation == org) & (Order.status != "draft")).id],
            "draft_id": [draft.id],
            "line_id": [line.id],
            "service_id": [Service.get(Service.organisation == org).id],
            "ticket_id": [ticket.id],
            "attachment_id": [attachment.id],
            "token_id": [api_token.id],
            "user_id": [other.id],
            # one's own things: another organisation's and a colleague's
            "job_id": jobs,
            "bulk_id": bulks,
            "schedule_id": schedules,
            "shortcut_id": shortcuts,
            "filter_id": filters,
            # the approver chain is looked up in the signed-in user's
            # organisation: a position only Norrlandsbygg's chain has
            "position": [chain.position],
            **{name: [value] for name, value in _groups_of(org).items()},
            **{name: [value] for name, value in _switchboard_of(org).items()},
        }


def _switchboard_of(org) -> dict[str, int]:
    """An employee and a queue of ``org``'s molnväxel (made on one of its
    services when it has no molnväxel)."""
    service = Service.select().where(Service.organisation == org).order_by(Service.id).first()
    with write_tx():
        employee = SwitchboardEmployee.create(
            organisation=org, pbx=service, name="Främling", extension="901"
        )
        queue = SwitchboardQueue.create(organisation=org, pbx=service, name="Norr", number="902")
    return {"employee_id": employee.id, "queue_id": queue.id}


# Not an object of one organisation: the operator's product catalogue is the
# same for every customer. Such an argument gets a valid id and is not varied.
SHARED = {"category_id": lambda: ProductCategory.get(ProductCategory.active == True).id}  # noqa: E712


def variants(rule, foreign: Foreign, own: dict):
    """Paths for ``rule`` where one id argument is another organisation's:
    every argument in turn, the arguments before it our own (a foreign
    contact under our own account), those after it foreign as well."""
    names = int_args(rule)
    missing = [n for n in names if n not in foreign.ids and n not in SHARED]
    if missing:
        raise LookupError(f"{rule.endpoint}: no foreign object for {missing}")
    for index, name in enumerate(names):
        if name in SHARED:
            continue
        for foreign_id in foreign.ids[name]:
            values = {}
            for before in names[:index]:
                values[before] = SHARED[before]() if before in SHARED else own[before]
            values[name] = foreign_id
            for after in names[index + 1 :]:
                values[after] = SHARED[after]() if after in SHARED else foreign.ids[after][0]
            extra = {"area": "mobile"} if "area" in rule.arguments else {}
            yield build(rule, {**extra, **values})


def test_every_id_argument_has_a_foreign_object(demo_app):
    """A new route with an id argument must be mapped here before it ships."""
    foreign = Foreign()
    unmapped = sorted(
        {
            f"{name} ({rule.endpoint})"
            for rule in protected_rules(demo_app, "customer")
            for name in int_args(rule)
            if name not in foreign.ids and name not in SHARED
        }
    )
    assert unmapped == []


def test_another_organisations_ids_answer_404(demo_app, login):
    """Staff routes are left out: the operator's staff see every
    organisation by design."""
    foreign = Foreign()
    own = own_ids()
    client = demo_app.test_client()
    login(client, ADMIN)
    leaks, walked = [], 0
    for rule in protected_rules(demo_app, "customer"):
        if not int_args(rule):
            continue
        for path in variants(rule, foreign, own):
            for method in sorted(rule.methods & {"GET", "POST"}):
                walked += 1
                if method == "GET":
                    response = client.get(path)
                else:
                    response = client.post(path, data={})
                if response.status_code != 404:
                    leaks.append((method, rule.endpoint, path, response.status_code))
    assert walked > 100
    assert leaks == []


def test_our_own_ids_open(demo_app, login):
    """The other side of the 404s: the same routes with our own ids answer
    (so a 404 above is about the organisation, not a broken path)."""
    own = own_ids()
    client = demo_app.test_client()
    login(client, ADMIN)
    samples = [
        "/accounts/{account_id}",
        "/accounts/{account_id}/contacts/{contact_id}/edit",
        "/audit/{entry_id}",
        "/invoices/{invoice_id}",
        "/orders/{order_id}",
        "/orders/drafts/{draft_id}/lines/{line_id}",
        "/services/{service_id}",
        "/tickets/{ticket_id}",
        "/users/{user_id}/edit",
    ]
    for sample in samples:
        path = sample.format(**own)
        assert client.get(path).status_code in (200, 302), path
