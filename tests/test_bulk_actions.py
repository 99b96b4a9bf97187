"""Bulk actions on Tjänster (issue 18 item 7): the ticked services (or every
match of the list's filter) through the single action's own code, each row
its own order, refused rows with the domain's reason, a result page scoped
to its user, big runs as a background job with progress."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from database import utcnow, write_tx
from domain import bulk_actions
from domain import groups as group_rules
from domain import service_actions as sa
from domain.orders import service_requests
from models import (
    AuditLog,
    Barring,
    BulkAction,
    BulkActionRow,
    Group,
    GroupCategory,
    GroupMembership,
    Order,
    Organisation,
    Product,
    Service,
    User,
)
from tests.conftest import ACCOUNT_ADMIN, ADMIN, OTHER_ORG_ADMIN
from tests.services_fixtures import a3, add_user
from web import jobs as web_jobs

HX = {"HX-Request": "true"}


def visible(username: str):
    user = User.get(User.username == username)
    return Service.visible_to(user)


def mobiles(username=ADMIN, count=3):
    query = visible(username).where((Service.kind == "mobile") & (Service.status == "active"))
    return list(query.order_by(Service.id).limit(count))


def unbarred(count=2):
    """Active mobiles without any barring."""
    query = visible(ADMIN).where(
        (Service.kind == "mobile")
        & (Service.status == "active")
        & Service.id.not_in(Barring.select(Barring.service))
    )
    services = list(query.order_by(Service.id).limit(count))
    assert len(services) == count
    return services


def plan_changeable(username=ADMIN, count=3):
    """A price plan and ``count`` active mobiles that can change to it."""
    by_plan: dict[str, list] = {}
    for service in (
        visible(username)
        .where((Service.kind == "mobile") & (Service.status == "active"))
        .order_by(Service.id)
    ):
        for product in sa.change_options(service)["price_plan"]:
            if product.id != service.price_plan_id:
                by_plan.setdefault(product.code, []).append(service)
    code, services = max(by_plan.items(), key=lambda item: len(item[1]))
    assert len(services) >= count
    return code, services[:count]


def dialog(client, action, ids=None, step="", all_q=None, **values):
    data = {"action": action, "step": step, **values}
    if all_q is not None:
        data.update({"all": "1", "q": all_q})
    else:
        data["ids"] = ",".join(str(i) for i in ids or [])
    return client.post("/services/bulk", data=data, headers=HX)


def confirm_token(response) -> str:
    text = response.get_data(as_text=True)
    match = re.search(r'name="token" value="([^"]+)"', text)
    assert match, text
    return match.group(1)


def run(client, action, ids=None, all_q=None, **values):
    """Choose → confirm → run, as the dialog does. Returns (confirm text, run response)."""
    confirmation = dialog(client, action, ids, step="choose", all_q=all_q, **values)
    assert confirmation.status_code == 200
    token = confirm_token(confirmation)
    response = dialog(client, action, ids, step="run", all_q=all_q, token=token, **values)
    return confirmation.get_data(as_text=True), response


def result_id(response) -> int:
    assert response.status_code == 200, response.get_data(as_text=True)
    return int(re.search(r"/services/bulk/(\d+)$", response.headers["HX-Redirect"]).group(1))


@pytest.fixture
def admin(demo_client, login):
    login(demo_client, ADMIN)
    return demo_client


# ----------------------------------------------------------------- price plan


def test_price_plan_change_some_refused_each_its_own_order(admin):
    plan, changeable = plan_changeable(count=3)
    pending = changeable[2]
    # a pending Ändra tjänst on the third (the domain allows one at a time)
    user = User.get(User.username == ADMIN)
    args = sa.prepare_change_service(pending, plan, None, dt.date.today() + dt.timedelta(days=5))
    first = service_requests.request(user, pending, args.pop("op"), args.pop("payload"), **args)
    other_kind = visible(ADMIN).where(Service.kind != "mobile").order_by(Service.id).first()
    ids = [s.id for s in changeable] + [other_kind.id]
    orders_before = Order.select().count()

    text, response = run(admin, "price_plan", ids, code=plan)
    assert f"Byt prisplan till {Product.get(Product.code == plan).name}" in text
    assert "för 4 tjänster" in text
    bulk = BulkAction.get_by_id(result_id(response))
    rows = {r.service_id: r for r in bulk.rows}
    assert {rows[s.id].status for s in changeable[:2]} == {"done"}
    assert rows[pending.id].status == "refused"
    assert "pågående beställning" in rows[pending.id].message
    assert first.label in rows[pending.id].message
    assert rows[other_kind.id].status == "refused" and rows[other_kind.id].message
    # each done row its own Order, made by the single action's code
    made = [rows[s.id].order for s in changeable[:2]]
    assert len({o.id for o in made}) == 2
    for service, order in zip(changeable[:2], made, strict=True):
        assert order.service_id == service.id and order.type == "change"
        assert sa.payload_of(order)["op"] == "change_service"
    assert Order.select().count() == orders_before + 2
    assert bulk.status == "done" and bulk.rows_done == 4

    page = admin.get(f"/services/bulk/{bulk.id}").get_data(as_text=True)
    assert page.count("Genomförd") >= 2 and page.count("Avvisad") >= 2
    assert made[0].label in page and "pågående beställning" in page
    # audited: one entry for the run, the per-row entries of the single action
    assert AuditLog.select().where(AuditLog.action == "bulk.start").count() == 1
    assert (
        AuditLog.select()
        .where(
            (AuditLog.action == "service.change_service.requested")
            & (AuditLog.object_id.in_([str(s.id) for s in changeable[:2]]))
        )
        .count()
        == 2
    )


def test_confirmation_counts_refusals_up_front(admin):
    plan, (service,) = plan_changeable(count=1)
    other_kind = visible(ADMIN).where(Service.kind != "mobile").order_by(Service.id).first()
    ids = [service.id, other_kind.id]
    before = Order.select().count()
    response = dialog(admin, "price_plan", ids, step="choose", code=plan)
    text = response.get_data(as_text=True)
    assert "för 2 tjänster" in text
    assert "1 av dem kommer att avvisas" in text
    expected = bulk_actions.refusal(User.get(User.username == ADMIN), other_kind, "price_plan",
                                    {"code": plan})  # fmt: skip
    assert expected and expected in text
    assert Order.select().count() == before and BulkAction.select().count() == 0


def test_a_service_already_on_the_plan_is_counted_up_front_and_refused(admin):
    same = next(
        s
        for s in mobiles(count=50)
        if s.price_plan_id in {p.id for p in sa.change_options(s)["price_plan"]}
    )
    plan = Product.get_by_id(same.price_plan_id).code
    before = Order.select().count()
    response = dialog(admin, "price_plan", [same.id], step="choose", code=plan)
    text = response.get_data(as_text=True)
    assert "1 av dem kommer att avvisas" in text and "Tjänsten har redan prislistan." in text
    text, response = run(admin, "price_plan", [same.id], code=plan)
    (row,) = BulkAction.get_by_id(result_id(response)).rows
    assert (row.status, row.message) == ("refused", "Tjänsten har redan prislistan.")
    assert Order.select().count() == before


def test_bad_values_stay_in_the_dialog(admin):
    service = mobiles(count=1)[0]
    response = dialog(admin, "price_plan", [service.id], step="choose", code="NOPE")
    text = response.get_data(as_text=True)
    assert "Välj en prislista." in text and 'name="token"' not in text
    response = dialog(admin, "invoice_text", [service.id], step="choose", invoice_text="x" * 60)
    assert "Högst 50 tecken." in response.get_data(as_text=True)
    assert BulkAction.select().count() == 0


# ----------------------------------------------------------------- selection, scope


def test_empty_selection_says_so(admin):
    response = dialog(admin, "invoice_text", [])
    assert "Inga tjänster är markerade" in response.get_data(as_text=True)
    response = dialog(admin, "invoice_text", [], step="run", token="x", invoice_text="A")
    assert "Inga tjänster är markerade" in response.get_data(as_text=True)
    assert BulkAction.select().count() == 0


def test_a_foreign_id_is_404_and_nothing_is_done(admin):
    own = mobiles(count=1)[0]
    foreign = visible(OTHER_ORG_ADMIN).first()
    response = dialog(admin, "invoice_text", [own.id, foreign.id], step="choose", invoice_text="X")
    assert response.status_code == 404
    response = dialog(
        admin, "invoice_text", [own.id, foreign.id], step="run", token="t1", invoice_text="X"
    )
    assert response.status_code == 404
    assert BulkAction.select().count() == 0
    assert Service.get_by_id(foreign.id).invoice_text != "X"
    assert dialog(admin, "invoice_text", ["abc"], step="choose").status_code == 400


def test_outside_a_sub_account_scope_is_404(demo_client, login):
    login(demo_client, ACCOUNT_ADMIN)
    outside = (
        Service.select()
        .where(
            (Service.organisation == a3().id)
            & Service.id.not_in(visible(ACCOUNT_ADMIN).select(Service.id))
        )
        .first()
    )
    response = dialog(demo_client, "invoice_text", [outside.id], step="choose", invoice_text="X")
    assert response.status_code == 404


def test_all_matches_re_evaluated_with_the_filter(admin):
    query = "f_kind=mbb&f_status=active"
    expected = {
        s.id for s in visible(ADMIN).where((Service.kind == "mbb") & (Service.status == "active"))
    }
    assert expected
    text, response = run(admin, "invoice_text", all_q=query + "&page=3", invoice_text="Projekt 7")
    assert f"för {len(expected)} " in text
    bulk = BulkAction.get_by_id(result_id(response))
    assert {r.service_id for r in bulk.rows} == expected
    assert all(Service.get_by_id(i).invoice_text == "Projekt 7" for i in expected)
    # a service that matches later is found at the next confirmation, not before
    assert Service.get_by_id(mobiles(count=1)[0].id).invoice_text != "Projekt 7"


def test_all_matches_above_the_cap_is_refused(admin, demo_app):
    demo_app.config["BULK_MAX_ROWS"] = 3
    response = dialog(admin, "invoice_text", all_q="", step="choose", invoice_text="X")
    text = response.get_data(as_text=True)
    assert "högst 3 tjänster" in text
    assert BulkAction.select().count() == 0


# ----------------------------------------------------------------- permissions


def test_account_admin_is_not_offered_groups_and_a_forged_post_is_403(demo_client, login):
    login(demo_client, ACCOUNT_ADMIN)
    page = demo_client.get("/services").get_data(as_text=True)
    assert 'data-bulk-run="invoice_text"' in page
    assert 'data-bulk-run="group"' not in page  # Kontoadministratör: no accounts.edit
    own = visible(ACCOUNT_ADMIN).first()
    response = dialog(demo_client, "group", [own.id], step="run", token="forged", group="1")
    assert response.status_code == 403
    assert BulkAction.select().count() == 0


def test_a_user_without_the_permission_gets_403(demo_client, login):
    org = a3()
    top = visible(ADMIN).first().account
    user = add_user(org, top, permissions=("services.view",))
    login(demo_client, user.username)
    page = demo_client.get("/services").get_data(as_text=True)
    assert "data-bulk-run" not in page
    service = visible(ADMIN).first()
    for action in ("price_plan", "bar", "invoice_text", "group"):
        response = dialog(demo_client, action, [service.id], step="run", token=f"t-{action}")
        assert response.status_code == 403
    assert dialog(demo_client, "nonsense", [service.id]).status_code == 404
    assert BulkAction.select().count() == 0


# ----------------------------------------------------------------- groups, barrings


def _group(org: Organisation) -> Group:
    return (
        Group.select()
        .join(GroupCategory)
        .where((GroupCategory.organisation == org.id) & Group.removed_at.is_null())
        .first()
    )


def test_add_to_group_through_change_group(admin):
    group = _group(a3())
    services = mobiles(count=3)
    month = group_rules.format_month(group_rules.current_month())
    text, response = run(
        admin, "group", [s.id for s in services], group=str(group.id), start_month=month
    )
    assert f"Lägg till i {group.label}" in text
    bulk = BulkAction.get_by_id(result_id(response))
    for row in bulk.rows:
        if row.status == "done":
            assert row.order_id is None
            assert (
                GroupMembership.select()
                .where(
                    (GroupMembership.service == row.service_id) & (GroupMembership.group == group)
                )
                .exists()
            )
        else:  # already in that group: the domain's own words
            assert "redan" in row.message or "överlappar" in row.message
    assert any(r.status == "done" for r in bulk.rows)


def test_bar_and_unbar(admin):
    services = unbarred(count=2)
    ids = [s.id for s in services]
    _, response = run(admin, "bar", ids, kind="premium")
    bulk = BulkAction.get_by_id(result_id(response))
    assert [(r.status, r.message) for r in bulk.rows] == [("done", "")] * 2
    # again: the domain refuses (already barred)
    _, response = run(admin, "bar", ids, kind="premium")
    again = BulkAction.get_by_id(result_id(response))
    assert {r.message for r in again.rows} == {"Spärren Betalsamtal är redan aktiv."}
    _, response = run(admin, "unbar", ids, kind="premium")
    lifted = BulkAction.get_by_id(result_id(response))
    assert [r.status for r in lifted.rows] == ["done", "done"]


# ----------------------------------------------------------------- double submit, result scope


def test_double_click_on_confirm_runs_once(admin):
    services = mobiles(count=2)
    ids = [s.id for s in services]
    confirmation = dialog(admin, "invoice_text", ids, step="choose", invoice_text="Dubbel")
    token = confirm_token(confirmation)
    first = dialog(admin, "invoice_text", ids, step="run", token=token, invoice_text="Dubbel")
    second = dialog(admin, "invoice_text", ids, step="run", token=token, invoice_text="Dubbel")
    assert result_id(first) == result_id(second)
    assert BulkAction.select().count() == 1
    assert BulkActionRow.select().count() == 2


def test_the_result_page_is_its_users_only(admin, demo_client, login):
    service = mobiles(count=1)[0]
    _, response = run(admin, "invoice_text", [service.id], invoice_text="Mitt")
    bulk_id = result_id(response)
    assert admin.get(f"/services/bulk/{bulk_id}").status_code == 200
    login(demo_client, OTHER_ORG_ADMIN)
    assert demo_client.get(f"/services/bulk/{bulk_id}").status_code == 404
    assert demo_client.get(f"/services/bulk/{bulk_id}/progress", headers=HX).status_code == 404
    login(demo_client, ACCOUNT_ADMIN)
    assert demo_client.get(f"/services/bulk/{bulk_id}").status_code == 404


# ----------------------------------------------------------------- the background job


@pytest.fixture
def held(monkeypatch):
    """Runs stay queued: nothing is enqueued (no worker)."""
    enqueued = []
    monkeypatch.setattr(web_jobs, "_enqueue_bulk", enqueued.append)
    return enqueued


def test_above_the_threshold_runs_as_a_job_with_progress(admin, demo_app):
    demo_app.config["BULK_JOB_ROWS"] = 2
    services = mobiles(count=5)
    text, response = run(admin, "invoice_text", [s.id for s in services], invoice_text="Jobb")
    assert "körs i bakgrunden" in text
    bulk = BulkAction.get_by_id(result_id(response))
    # the queue is immediate in tests: the worker's task ran it
    assert bulk.status == "done" and bulk.attempts == 1
    assert [r.status for r in bulk.rows] == ["done"] * 5
    assert all(Service.get_by_id(s.id).invoice_text == "Jobb" for s in services)


def test_the_progress_bar_polls_while_the_job_runs(admin, demo_app, held):
    demo_app.config["BULK_JOB_ROWS"] = 2
    services = mobiles(count=4)
    _, response = run(admin, "invoice_text", [s.id for s in services], invoice_text="P")
    bulk_id = result_id(response)
    assert held == [bulk_id]
    page = admin.get(f"/services/bulk/{bulk_id}").get_data(as_text=True)
    assert "I kö" in page and 'hx-trigger="every 1s"' in page and "0 av 4" in page
    with write_tx():
        BulkAction.update(status="running", rows_done=3).where(BulkAction.id == bulk_id).execute()
    fragment = admin.get(f"/services/bulk/{bulk_id}/progress", headers=HX)
    text = fragment.get_data(as_text=True)
    assert "3 av 4" in text and "Pågår" in text and "<html" not in text
    assert "HX-Refresh" not in fragment.headers
    # the same action on the same services while it runs: no second run
    _, again = run(admin, "invoice_text", [s.id for s in services], invoice_text="P")
    assert result_id(again) == bulk_id and held == [bulk_id]
    with write_tx():
        BulkAction.update(status="queued", rows_done=0).where(BulkAction.id == bulk_id).execute()
    assert bulk_actions.run(bulk_id, User.get(User.username == ADMIN)) == "done"
    fragment = admin.get(f"/services/bulk/{bulk_id}/progress", headers=HX)
    assert fragment.headers.get("HX-Refresh") == "true"
    assert "4 av 4" in fragment.get_data(as_text=True)


def test_a_killed_worker_leaves_the_run_resumable(admin, demo_app, held):
    demo_app.config["BULK_JOB_ROWS"] = 2
    services = unbarred(count=4)
    _, response = run(admin, "bar", [s.id for s in services], kind="international")
    bulk_id = result_id(response)
    user = User.get(User.username == ADMIN)
    bulk = BulkAction.get_by_id(bulk_id)
    # a worker claimed it, did two rows and died (its heartbeat stopped)
    assert bulk_actions.claim(bulk_id)
    params = bulk.values
    rows = list(bulk.rows.order_by(BulkActionRow.position))
    for row in rows[:2]:
        assert bulk_actions.run_row(user, bulk, params, row.id, row.service) == "done"
    orders = Order.select().count()
    assert not bulk_actions.claim(bulk_id)  # alive: nobody else takes it
    later = utcnow() + bulk_actions.STALE_AFTER + dt.timedelta(seconds=5)
    assert bulk_actions.take_up_lost(later) == [bulk_id]
    assert bulk_actions.run(bulk_id, user) == "done"
    bulk = BulkAction.get_by_id(bulk_id)
    assert [r.status for r in bulk.rows.order_by(BulkActionRow.position)] == ["done"] * 4
    assert Order.select().count() == orders + 2  # the first two not done twice
    # a row already done is never done again, even when asked
    assert bulk_actions.run_row(user, bulk, params, rows[0].id, rows[0].service) == "skipped"
    assert BulkActionRow.get_by_id(rows[0].id).status == "done"


def test_a_run_lost_too_often_fails(admin, demo_app, held):
    demo_app.config["BULK_JOB_ROWS"] = 1
    services = mobiles(count=2)
    _, response = run(admin, "invoice_text", [s.id for s in services], invoice_text="L")
    bulk_id = result_id(response)
    with write_tx():
        BulkAction.update(status="running", attempts=bulk_actions.MAX_ATTEMPTS).where(
            BulkAction.id == bulk_id
        ).execute()
    later = utcnow() + bulk_actions.STALE_AFTER + dt.timedelta(seconds=5)
    assert bulk_actions.take_up_lost(later) == []
    assert BulkAction.get_by_id(bulk_id).status == "failed"
    page = admin.get(f"/services/bulk/{bulk_id}").get_data(as_text=True)
    assert "Avbruten" in page


def test_a_service_changed_in_between_is_refused_with_the_reason(admin):
    services = mobiles(count=2)
    ids = [s.id for s in services]
    confirmation = dialog(admin, "invoice_text", ids, step="choose", invoice_text="Mellan")
    token = confirm_token(confirmation)
    with write_tx():  # someone else ends the second service meanwhile
        Service.update(status="terminated").where(Service.id == services[1].id).execute()
    response = dialog(admin, "invoice_text", ids, step="run", token=token, invoice_text="Mellan")
    bulk = BulkAction.get_by_id(result_id(response))
    rows = {r.service_id: r for r in bulk.rows}
    assert rows[services[0].id].status == "done"
    assert rows[services[1].id].status == "refused"
    assert "kan inte användas när tjänsten har status" in rows[services[1].id].message
    assert Service.get_by_id(services[1].id).invoice_text != "Mellan"
