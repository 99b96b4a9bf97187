"""Text input (ASVS 1.2.10, 2.2.1): control characters are refused next to
the field in every form, multi-line text keeps its tabs and line breaks, a
failed sign-in with such a name records nothing, and a form posted with
fields left out gets messages, never a 500."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask_wtf import FlaskForm as FlaskWTFForm
from peewee import fn

import blueprints
from models import Account, AuditLog, LoginThrottle, Ticket, TicketMessage, User
from tests.auth_fixtures import fresh_login_cache  # noqa: F401
from tests.conftest import ADMIN, DEMO_PASSWORD, STAFF
from web.forms import CONTROL_MESSAGE, FlaskForm

# Tab and U+0085 (NEL) count as white space, which some fields normalise
# away before checking; they are tested on a field that keeps it as typed.
BAD = ["\x00", "\x07", "\x1b[31m", "\x7f", "\x9b", "\u202e", "\u2066"]


def top() -> Account:
    return Account.get(Account.parent.is_null() & (Account.organisation == 1))


def message_ticket() -> Ticket:
    return Ticket.get(Ticket.subject == "Message Delivery Failure")


# (name, signed in as, url, form data with {} where the bad character goes, stored value)
FORMS = [
    (
        "account alias",
        ADMIN,
        lambda: f"/accounts/{top().id}/alias",
        {"alias": "Kont{}oret"},
        lambda: Account.get_by_id(top().id).alias,
    ),
    (
        "profile name",
        ADMIN,
        lambda: "/profile/details",
        {
            "name": "Anna{}Lind",
            "username": ADMIN,
            "email": ADMIN,
            "mobile": "",
            "language": "sv",
        },
        lambda: User.get(User.username == ADMIN).name,
    ),
    (
        "ticket subject",
        ADMIN,
        lambda: "/tickets/new",
        {"category": "support", "subject": "Hjälp{}", "body": "Text", "action": "send"},
        lambda: Ticket.select().where(Ticket.subject.startswith("Hjälp")).count(),
    ),
    (
        "reply text",
        ADMIN,
        lambda: f"/tickets/{message_ticket().id}/reply",
        {"body": "Svar{}text"},
        lambda: TicketMessage.select().count(),
    ),
    (
        "new user name",
        ADMIN,
        lambda: "/users/new",
        {
            "step": "1",
            "contact": "new",
            "name": "Nina{}Ny",
            "scope_account": "1",
            "email": "nina@a3demo.se",
            "username": "nina@a3demo.se",
        },
        lambda: User.select().where(User.username == "nina@a3demo.se").count(),
    ),
]


@pytest.mark.parametrize("bad", BAD, ids=repr)
@pytest.mark.parametrize(("name", "who", "url", "data", "stored"), FORMS, ids=[f[0] for f in FORMS])
def test_control_characters_are_refused_next_to_the_field(
    demo_client, login, bad, name, who, url, data, stored
):
    login(demo_client, who)
    before = stored()
    response = demo_client.post(
        url(),
        data={key: value.replace("{}", bad) for key, value in data.items()},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert CONTROL_MESSAGE in response.get_data(as_text=True)
    assert stored() == before


def test_multi_line_text_keeps_tabs_and_line_breaks(demo_client, login):
    login(demo_client, ADMIN)
    t = message_ticket()
    body = "Rad ett\r\nRad två\n\tindraget"
    response = demo_client.post(f"/tickets/{t.id}/reply", data={"body": body})
    assert response.status_code in (200, 303)
    assert CONTROL_MESSAGE not in response.get_data(as_text=True)
    latest = TicketMessage.get(TicketMessage.body.startswith("Rad ett"))
    assert "Rad två" in latest.body and "\tindraget" in latest.body


@pytest.mark.parametrize("bad", ["\t", "\x85", "\r\n"], ids=repr)
def test_single_line_text_refuses_tabs_and_line_breaks(demo_client, login, bad):
    login(demo_client, ADMIN)
    response = demo_client.post(f"/accounts/{top().id}/alias", data={"alias": f"A{bad}B"})
    assert CONTROL_MESSAGE in response.get_data(as_text=True)
    assert Account.get_by_id(top().id).alias != f"A{bad}B"


@pytest.mark.parametrize("bad", ["\x00", "\x1b", "\u202e"], ids=repr)
def test_a_sign_in_with_a_control_character_records_nothing(demo_client, bad):
    audit_before = AuditLog.select().count()
    response = demo_client.post(
        "/login", data={"username": f"admin{bad}@a3demo.se", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200
    assert CONTROL_MESSAGE in response.get_data(as_text=True)
    assert AuditLog.select().count() == audit_before
    assert not any(bad in key for (key,) in LoginThrottle.select(LoginThrottle.key).tuples())
    staff = demo_client.post(
        "/staff/login", data={"username": f"staff{bad}", "password": DEMO_PASSWORD}
    )
    assert staff.status_code == 200 and CONTROL_MESSAGE in staff.get_data(as_text=True)
    assert AuditLog.select().count() == audit_before


def test_every_form_derives_from_the_checking_base():
    """A form declared with Flask-WTF's class directly would skip the rules."""
    for info in pkgutil.walk_packages(blueprints.__path__, "blueprints."):
        importlib.import_module(info.name)
    unchecked = []
    pending = list(FlaskWTFForm.__subclasses__())
    while pending:
        form = pending.pop()
        pending.extend(form.__subclasses__())
        ours = form.__module__.startswith(("blueprints", "web", "domain"))
        if ours and not issubclass(form, FlaskForm):
            unchecked.append(f"{form.__module__}.{form.__name__}")
    assert unchecked == []


# ------------------------------------------------------------ forms posted with fields missing


def _sample_ids() -> dict:
    """An object of each kind a POST route names, in the demo organisation's scope."""
    from database import utcnow, write_tx
    from domain import inbound_mail
    from models import (
        Agreement,
        Contact,
        ImportBatch,
        InboundMail,
        OptionGroup,
        OptionGroupItem,
        Order,
        Outage,
        PriceList,
        ProductCategory,
        RequestType,
        Service,
        StaffUser,
    )
    from tests.tickets_data import reply_mail

    account = top()
    row = inbound_mail.ingest(reply_mail("nobody@example.se", "karl.privat@gmail.com", "Svar"))
    with write_tx():
        lock = LoginThrottle.create(key="user:nagon@a3demo.se", failures=9, locked_until=utcnow())
        batch = ImportBatch.create(kind="cdr", filename="samtal.csv", status="done")
    order = (
        Order.select()
        .where(Order.service.is_null(False) & (Order.organisation == 1))
        .order_by(Order.id.desc())
        .first()
    )
    draft = Order.select().where((Order.status == "draft") & (Order.organisation == 1)).first()
    job, schedule = _job_and_schedule()
    shortcut, saved = _shortcut_and_filter()
    from models import ApiToken

    with write_tx():
        api_token = ApiToken.create(
            organisation=account.organisation_id,
            user=User.get(User.username == "admin@a3demo.se"),
            name="Eget system",
            prefix="tp_eget",
            token_hash="eget",
        )
    return {
        "area": "mobile",
        "position": 1,
        "draft_id": draft.id,
        "line_id": draft.lines.first().id,
        "account_id": account.id,
        "contact_id": Contact.select().where(Contact.account == account.id).first().id,
        "user_id": User.get(User.username == "konto@a3demo.se").id,
        "ticket_id": message_ticket().id,
        "order_id": order.id,
        "mail_id": InboundMail.get_by_id(row.id).id,
        "lock_id": lock.id,
        "batch_id": batch.id,
        "type_id": RequestType.select().first().id,
        "token": "x" * 43,
        "job_id": job.id,
        "schedule_id": schedule.id,
        "agreement_id": Agreement.select().first().id,
        "org_id": User.get(User.username == "konto@a3demo.se").organisation_id,
        "staff_id": StaffUser.select().first().id,
        "outage_id": Outage.select().first().id,
        "category_id": ProductCategory.select().first().id,
        "product_id": OptionGroup.select().first().product_id,
        "group_id": OptionGroup.select().first().id,
        "item_id": OptionGroupItem.select().first().id,
        "price_list_id": PriceList.select().first().id,
        **_group_ids(),
        **_switchboard_ids(),
        "shortcut_id": shortcut.id,
        "filter_id": saved.id,
        "token_id": api_token.id,
        "list_name": "services",
        "services": [
            first
            for (first,) in Service.select(fn.MIN(Service.id))
            .where(Service.organisation == 1)
            .group_by(Service.kind)
            .tuples()
        ],
    }


def _group_ids() -> dict:
    """The demo organisation's group category, group and membership."""
    from models import Group, GroupMembership

    membership = GroupMembership.select().where(GroupMembership.service.is_null(False)).first()
    group = Group.get_by_id(membership.group_id)
    return {
        "group_category_id": group.category_id,
        "org_group_id": group.id,
        "membership_id": membership.id,
    }


def _switchboard_ids() -> dict:
    """An employee and a queue of the demo organisation's molnväxel."""
    from models import SwitchboardEmployee, SwitchboardQueue

    return {
        "employee_id": SwitchboardEmployee.select().first().id,
        "queue_id": SwitchboardQueue.select().first().id,
    }


def _job_and_schedule():
    """A failed export job and a scheduled report of the demo Superuser."""
    from database import write_tx
    from domain import report_schedules
    from models import ExportJob

    admin = User.get(User.username == ADMIN)
    with write_tx():
        job = ExportJob.create(
            organisation=admin.organisation_id,
            user=admin.id,
            title="Översikt – Abonnemang",
            path="/reports/abonnemang?export=xlsx",
            status="failed",
            error="Exporten misslyckades.",
        )
    schedule = report_schedules.create(
        admin,
        title="Översikt – Abonnemang",
        path="/reports/abonnemang",
        report_key="reports.subscriptions",
        frequency="weekly",
        day=1,
        hour=7,
        recipient_ids=[admin.id],
    )
    return job, schedule


def _shortcut_and_filter():
    """A shortcut and a saved filter of the demo Superuser."""
    from database import write_tx
    from models import SavedFilter, Shortcut

    admin = User.get(User.username == ADMIN)
    with write_tx():
        shortcut = Shortcut.create(user=admin, title="Tjänster", url="/services")
        saved = SavedFilter.create(
            organisation=admin.organisation_id,
            user=admin,
            list_name="services",
            name="Mobiler",
            query_string="f_kind=mobile",
        )
    return shortcut, saved


def post_routes(app, ids):
    """(url, who, has GET) for every POST route, with every service kind for service routes."""
    from werkzeug.routing import AnyConverter

    routes = []
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or ()) or rule.rule == "/logout":
            continue
        who = STAFF if rule.rule.startswith("/staff/") else ADMIN
        choices = [{}]
        for arg in rule.arguments:
            converter = rule._converters[arg]
            if isinstance(converter, AnyConverter):
                values = sorted(converter.items)
            elif arg == "service_id":
                values = ids["services"]
            else:
                values = [ids[arg]]
            choices = [{**c, arg: v} for c in choices for v in values]
        has_get = "GET" in (rule.methods or ())
        routes.extend((rule.build(c, append_unknown=False)[1], who, has_get) for c in choices)
    return routes


def form_values(html: str) -> dict[str, list[str]]:
    """What the page's first form would send as it is shown (its own values)."""
    import lxml.html

    forms = lxml.html.fromstring(html).xpath("//form[@method='post' or @method='POST']")
    if not forms:
        return {}
    values: dict[str, list[str]] = {}
    for element in forms[0].xpath(".//input|.//select|.//textarea"):
        name = element.get("name")
        kind = (element.get("type") or "").lower()
        if not name or name == "csrf_token" or kind in ("submit", "button", "file"):
            continue
        if kind in ("checkbox", "radio") and element.get("checked") is None:
            continue
        if element.tag == "select":
            chosen = element.xpath(".//option[@selected]") or element.xpath(".//option")[:1]
            value = chosen[0].get("value", chosen[0].text or "") if chosen else ""
        elif element.tag == "textarea":
            value = element.text or ""
        else:
            value = element.get("value", "")
        values.setdefault(name, []).append(value)
    return values


def test_every_form_posted_with_a_field_missing_answers_without_500(demo_app, login):
    """Each dialog and page posted as it is shown but with one field left
    out (and with nothing but the CSRF token), by a signed-in user with the
    rights (the demo Superuser, or staff): messages, never a 500."""
    ids = _sample_ids()
    routes = post_routes(demo_app, ids)
    assert len(routes) > 80
    failures, tried = [], 0
    for url, who, has_get in routes:
        client = demo_app.test_client()
        login(client, who)
        shown = (
            form_values(client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True))
            if has_get
            else {}
        )
        variants = [{}] + [{k: v for k, v in shown.items() if k != left_out} for left_out in shown]
        for data in variants:
            client = demo_app.test_client()
            login(client, who)
            tried += 1
            try:
                status = client.post(url, data=data, headers={"HX-Request": "true"}).status_code
            except Exception as exc:  # noqa: BLE001 - collect every route's failure
                status = f"{type(exc).__name__}: {exc}"
            if not isinstance(status, int) or status >= 500:
                failures.append((url, sorted(data), status))
    assert tried > 200
    assert failures == []
