"""Spärra förlorat SIM-kort and Häv spärr (issue 13, item 1): the lost phone is
never refused, a pending SIM order becomes the replacement, and every unhappy
path (a second submit, a colleague first, Back, a failing backend) ends on a
clear answer instead of an error."""

from __future__ import annotations

import json

import pytest

from domain import lost_sim as lost
from domain import service_actions as sa
from models import Account, AuditLog, Order, OrderEvent, SimCard
from tests.conftest import ACCOUNT_ADMIN, OTHER_ORG_ADMIN, STAFF
from tests.services_fixtures import (
    HX,
    a3,
    add_user,
    audit_actions,
    demo_service,
    icc,
    payload,
    post,
    reload,
    snapshot,
    url,
)
from tests.test_services_staff import customer_request
from web.formatting import isodate

# The dialog's address fields without "Beställ ett nytt SIM-kort" ticked.
ADDRESS = {"delivery_name": "A3", "delivery_street": "Gata 1", "delivery_postcode": "90155",
           "delivery_city": "Umeå"}  # fmt: skip


def pending_sim_order(service) -> Order:
    return customer_request(
        service, sa.prepare_sim_send, sim_type="physical", address=ADDRESS, email=""
    )


def sim_orders(service) -> list[Order]:
    return [
        o
        for o in Order.select().where((Order.service == service.id) & (Order.type == "sim_swap"))
        if o.status in ("received", "in_progress")
    ]


def lost_orders(service, op="lost_sim") -> list[Order]:
    return list(Order.select().where((Order.service == service.id) & (Order.type == op)))


def events(response) -> dict:
    return json.loads(response.headers.get("HX-Trigger", "{}"))


def page(client, service) -> str:
    return client.get(f"/services/{service.id}").get_data(as_text=True)


def menu_offers(client, service, action) -> bool:
    return f'href="/services/{service.id}/{action}"' in page(client, service)


# ------------------------------------------------------------------ a pending SIM order


def test_a_pending_sim_order_becomes_the_replacement_and_is_said_before(admin):
    service = demo_service("mobile")
    card = sa.active_sim(service)
    pending = pending_sim_order(service)

    dialog = admin.get(url(service, "lost-sim"), headers=HX).get_data(as_text=True)
    assert (
        f"Ett nytt SIM-kort är redan beställt (order {pending.label}). Det blir "
        "ersättningskortet – inget ytterligare SIM-kort beställs." in dialog
    )
    assert 'name="order_new"' not in dialog and 'name="delivery_street"' not in dialog

    # posted as the old dialog did, with "order a new one" ticked: still no second order
    response = post(admin, url(service, "lost-sim"), {"order_new": "y", **ADDRESS})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    block = lost_orders(service)[-1]
    assert "Det finns redan en pågående beställning" not in text
    assert f"SIM-kortet {card.icc} är spärrat." in text and block.label in text
    assert pending.label in text and "inget ytterligare SIM-kort beställs" in text
    assert events(response)["showMessage"] == (
        f"SIM-kortet {card.icc} är spärrat (order {block.label})."
    )
    assert events(response)["serviceChanged"] == service.id

    assert (block.status, SimCard.get_by_id(card.id).status) == ("completed", "blocked")
    assert reload(service).status == "barred"
    assert [o.id for o in sim_orders(service)] == [pending.id]
    assert payload(Order.get_by_id(pending.id))["after_lost_sim"] is True
    assert "service.lost_sim" in audit_actions(service)
    assert AuditLog.select().where(AuditLog.action == "order.lost_sim_replacement").exists()


def test_the_replacement_completed_by_staff_makes_the_service_active(demo_app, admin, login):
    service = demo_service("mobile")
    old = sa.active_sim(service)
    pending = pending_sim_order(service)
    post(admin, url(service, "lost-sim"), ADDRESS)
    assert reload(service).status == "barred"
    assert menu_offers(admin, service, "lost-sim/lift")

    staff = demo_app.test_client()
    login(staff, STAFF)
    new = icc("894601444")
    post(staff, f"/staff/changes/{pending.id}/complete", {"icc": new})
    assert reload(service).status == "active"
    assert sa.active_sim(service).icc == new
    assert SimCard.get_by_id(old.id).status == "replaced"  # the lost card stays dead

    # Häv spärr is gone, and asked for anyway it is refused with the reason
    assert not menu_offers(admin, service, "lost-sim/lift")
    assert menu_offers(admin, service, "lost-sim")  # the new card may be lost too
    before = snapshot()
    response = post(admin, url(service, "lost-sim/lift"))
    assert response.status_code == 403
    assert "har ersatts av ett nytt och förblir spärrat" in response.get_data(as_text=True)
    assert snapshot() == before


# ------------------------------------------------------------------ afterwards, on the page


def test_the_page_shows_the_block_and_offers_hav_sparr(admin):
    service = demo_service("mobile")
    assert menu_offers(admin, service, "lost-sim")
    assert not menu_offers(admin, service, "lost-sim/lift")
    post(admin, url(service, "lost-sim"), ADDRESS)
    card = sa.active_sim(service)
    text = page(admin, service)
    assert f"Förlorat SIM-kort (ICC {card.icc}) – spärrat {isodate(card.blocked_at)}" in text
    assert "Detta abonnemang har inga aktiva spärrar." not in text
    assert not menu_offers(admin, service, "lost-sim")
    assert menu_offers(admin, service, "lost-sim/lift")
    assert ">Häv spärr<" in text


def test_the_blocked_service_stays_in_tjanster(admin):
    from tests.listpage import all_rows

    service = demo_service("mobile")
    post(admin, url(service, "lost-sim"), ADDRESS)
    assert reload(service).status == "barred"
    listing = all_rows(admin, "/services")
    assert service.id in listing.ids


# ------------------------------------------------------------------ second submits


def test_a_second_submit_sees_it_is_blocked_already(admin):
    service = demo_service("mobile")
    card = sa.active_sim(service)
    first = post(admin, url(service, "lost-sim"), {"order_new": "y", **ADDRESS})
    assert first.status_code == 200
    before = snapshot()
    second = post(admin, url(service, "lost-sim"), {"order_new": "y", **ADDRESS})
    assert second.status_code == 200
    text = second.get_data(as_text=True)
    block = lost_orders(service)[-1]
    assert f"SIM-kortet {card.icc} är redan spärrat" in text and block.label in text
    assert "form-error" not in text
    assert events(second)["serviceChanged"] == service.id
    assert snapshot() == before  # no second block, no second SIM card
    assert len(lost_orders(service)) == 1 and len(sim_orders(service)) == 1


def test_two_users_blocking_at_once(demo_app, admin, login):
    """Both open the dialog; the colleague who confirms second is told who blocked it."""
    service = demo_service("mobile")
    top = a3().top_account()
    colleague = add_user(a3(), top, ("services.view", "services.hardware"), name="Kalle Kollega")
    other = demo_app.test_client()
    login(other, colleague.username)
    assert other.get(url(service, "lost-sim"), headers=HX).status_code == 200
    assert admin.get(url(service, "lost-sim"), headers=HX).status_code == 200
    assert post(admin, url(service, "lost-sim"), ADDRESS).status_code == 200
    response = post(other, url(service, "lost-sim"), {"order_new": "y", **ADDRESS})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "är redan spärrat" in text and "Anna Lind" in text
    assert len(lost_orders(service)) == 1 and sim_orders(service) == []


def test_back_and_submit_again_without_htmx(admin):
    service = demo_service("mobile")
    response = post(admin, url(service, "lost-sim"), {"order_new": "y", **ADDRESS}, htmx=False)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/services/{service.id}")
    assert "är spärrat (order" in page(admin, service)  # the flash on the page
    again = post(admin, url(service, "lost-sim"), {"order_new": "y", **ADDRESS}, htmx=False)
    assert again.status_code == 200
    assert "<html" in again.get_data(as_text=True)
    assert "är redan spärrat" in again.get_data(as_text=True)
    assert len(lost_orders(service)) == 1 and len(sim_orders(service)) == 1


def test_a_block_between_opening_and_confirming_is_no_refusal(admin):
    """Opened with "order a new one" offered; a SIM order placed meanwhile
    becomes the replacement instead of a second card or a refusal."""
    service = demo_service("mobile")
    admin.get(url(service, "lost-sim"), headers=HX)
    pending = pending_sim_order(service)
    response = post(admin, url(service, "lost-sim"), {"order_new": "y", **ADDRESS})
    assert response.status_code == 200
    assert f"redan beställt (order {pending.label})" in response.get_data(as_text=True)
    assert [o.id for o in sim_orders(service)] == [pending.id]


def test_a_promised_replacement_rejected_meanwhile_is_said(demo_app, admin, login):
    service = demo_service("mobile")
    pending = pending_sim_order(service)
    staff = demo_app.test_client()
    login(staff, STAFF)
    post(staff, f"/staff/changes/{pending.id}/reject", {"comment": "Slut i lager."})
    response = post(admin, url(service, "lost-sim"), {"replacement": str(pending.id)})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "är spärrat." in text
    assert f"Beställningen {pending.label} av nytt SIM-kort är inte längre pågående" in text
    assert sim_orders(service) == []


# ------------------------------------------------------------------ access


def test_without_hardware_permission_403(demo_client, login):
    login(demo_client, ACCOUNT_ADMIN)  # no services.hardware
    sub1 = Account.get(Account.customer_number == "99500852")
    service = demo_service("mobile", account=sub1.id)
    before = snapshot()
    for action in ("lost-sim", "lost-sim/lift"):
        assert demo_client.get(url(service, action), headers=HX).status_code == 403
        assert post(demo_client, url(service, action)).status_code == 403
    assert snapshot() == before
    # blocked by someone who may: still 403, the block shown to nobody without the right
    with_hardware = add_user(a3(), a3().top_account(), ("services.view", "services.hardware"))
    lost.block(with_hardware, service)
    for action in ("lost-sim", "lost-sim/lift"):
        assert post(demo_client, url(service, action)).status_code == 403


@pytest.mark.parametrize("username", [OTHER_ORG_ADMIN, ACCOUNT_ADMIN])
def test_outside_scope_404(demo_client, login, username):
    login(demo_client, username)
    service = demo_service("mobile", account=a3().top_account().id)
    before = snapshot()
    for action in ("lost-sim", "lost-sim/lift"):
        assert demo_client.get(url(service, action), headers=HX).status_code == 404
        assert post(demo_client, url(service, action)).status_code == 404
    assert snapshot() == before


# ------------------------------------------------------------------ Häv spärr


def test_hav_sparr_withdraws_the_replacement_ordered_with_the_block(admin):
    service = demo_service("mobile")
    card = sa.active_sim(service)
    post(admin, url(service, "lost-sim"), {"order_new": "y", **ADDRESS})
    (replacement,) = sim_orders(service)
    dialog = admin.get(url(service, "lost-sim/lift"), headers=HX).get_data(as_text=True)
    assert f"Ett nytt SIM-kort är beställt (order {replacement.label})" in dialog
    assert 'name="withdraw"' in dialog and "checked" in dialog  # ordered with the block
    assert "tjänsten får status Aktiv" in dialog

    response = post(admin, url(service, "lost-sim/lift"), {"withdraw": "y"})
    lift = lost_orders(service, "lost_sim_lift")[-1]
    assert response.status_code == 200 and events(response)["closeDialog"] is True
    assert events(response)["showMessage"] == (
        f"Spärren är hävd och SIM-kortet {card.icc} fungerar igen (order {lift.label}). "
        f"Beställningen {replacement.label} av nytt SIM-kort är avbruten."
    )
    assert lift.status == "completed"
    assert SimCard.get_by_id(card.id).status == "active"
    assert reload(service).status == "active"
    assert Order.get_by_id(replacement.id).status == "cancelled"
    assert "service.lost_sim_lift" in audit_actions(service)
    assert AuditLog.select().where(AuditLog.action == "order.cancelled").exists()
    text = page(admin, service)
    assert "Förlorat SIM-kort" not in text
    assert menu_offers(admin, service, "lost-sim")
    assert not menu_offers(admin, service, "lost-sim/lift")


def test_hav_sparr_may_keep_the_replacement_as_a_plain_swap(admin):
    service = demo_service("mobile")
    pending = pending_sim_order(service)
    post(admin, url(service, "lost-sim"), ADDRESS)
    dialog = admin.get(url(service, "lost-sim/lift"), headers=HX).get_data(as_text=True)
    assert 'name="withdraw"' in dialog and "checked" not in dialog  # it was there before
    response = post(admin, url(service, "lost-sim/lift"))
    assert (
        f"Beställningen {pending.label} av nytt SIM-kort ligger kvar."
        in (events(response)["showMessage"])
    )
    kept = Order.get_by_id(pending.id)
    assert kept.status == "received" and "after_lost_sim" not in payload(kept)
    assert reload(service).status == "active"


def test_a_second_hav_sparr_sees_it_is_lifted_already(admin):
    service = demo_service("mobile")
    post(admin, url(service, "lost-sim"), ADDRESS)
    assert post(admin, url(service, "lost-sim/lift")).status_code == 200
    before = snapshot()
    again = post(admin, url(service, "lost-sim/lift"))
    assert again.status_code == 200
    assert "är redan hävd" in again.get_data(as_text=True)
    assert snapshot() == before


def test_a_service_barred_before_the_loss_stays_barred(demo_app, admin, login):
    """Spärrad for another reason first: neither Häv spärr nor the replacement
    card un-bars it."""
    service = demo_service("mobile", status="barred")
    assert sa.active_sim(service).status == "active"
    post(admin, url(service, "lost-sim"), ADDRESS)
    assert SimCard.get_by_id(sa.active_sim(service).id).blocked_status == "barred"
    dialog = admin.get(url(service, "lost-sim/lift"), headers=HX).get_data(as_text=True)
    assert "förblir Spärrad" in dialog
    post(admin, url(service, "lost-sim/lift"))
    assert reload(service).status == "barred"
    # blocked again, and replaced: still barred
    post(admin, url(service, "lost-sim"), {"order_new": "y", **ADDRESS})
    (replacement,) = sim_orders(service)
    staff = demo_app.test_client()
    login(staff, STAFF)
    post(staff, f"/staff/changes/{replacement.id}/complete", {"icc": icc("894601333")})
    assert reload(service).status == "barred"


# ------------------------------------------------------------------ the backend


class SlowBackend:
    """A network that will block the card later (returns False)."""

    def submit(self, order, change):
        return False


class BrokenBackend:
    def submit(self, order, change):
        OrderEvent.create(order=order, to_status="received", comment="half-written")
        raise RuntimeError("Nätverks-API:t svarar inte")


@pytest.mark.parametrize(
    "backend, note", [("SlowBackend", "Väntar på att nätet"), ("BrokenBackend", "svarar inte")]
)
def test_the_block_stands_whatever_the_backend_does(demo_app, admin, login, backend, note):
    """A backend that leaves the block pending or fails still cannot stop it:
    the portal records it at once, and staff finish the network part."""
    demo_app.config["PROVISIONING_BACKEND"] = f"tests.test_services_lost_sim:{backend}"
    service = demo_service("mobile")
    card = sa.active_sim(service)
    response = post(admin, url(service, "lost-sim"), ADDRESS)
    assert response.status_code == 200
    assert "är registrerad" in response.get_data(as_text=True)
    (block,) = lost_orders(service)
    assert block.status == "received" and note in payload(block)["network"]
    assert not OrderEvent.select().where(OrderEvent.comment == "half-written").exists()
    assert SimCard.get_by_id(card.id).status == "blocked"
    assert reload(service).status == "barred"
    assert "service.lost_sim" in audit_actions(service)

    staff = demo_app.test_client()
    login(staff, STAFF)
    listed = staff.get("/staff/changes").get_data(as_text=True)
    assert block.label in listed
    details = staff.get(f"/staff/changes/{block.id}/complete", headers=HX).get_data(as_text=True)
    assert note in details  # what the network answered
    refused = post(staff, f"/staff/changes/{block.id}/reject", {"comment": "Nej."})
    assert "kan inte avvisas" in refused.get_data(as_text=True)
    assert Order.get_by_id(block.id).status == "received"
    post(staff, f"/staff/changes/{block.id}/complete", {"comment": "Spärrat i nätet."})
    assert Order.get_by_id(block.id).status == "completed"
    assert audit_actions(service).count("service.lost_sim") == 1  # not applied twice
    assert SimCard.get_by_id(card.id).status == "blocked"


def test_a_new_sim_the_backend_fails_to_order_leaves_the_block_standing(demo_app, admin):
    demo_app.config["PROVISIONING_BACKEND"] = "tests.test_services_lost_sim:BrokenBackend"
    service = demo_service("mobile")
    card = sa.active_sim(service)
    response = post(admin, url(service, "lost-sim"), {"order_new": "y", **ADDRESS})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Det nya SIM-kortet kunde inte beställas" in text and "Spärren gäller ändå" in text
    assert SimCard.get_by_id(card.id).status == "blocked"
    assert len(lost_orders(service)) == 1 and sim_orders(service) == []


def test_lifting_a_block_the_network_never_did_withdraws_its_order(demo_app, admin):
    demo_app.config["PROVISIONING_BACKEND"] = "tests.test_services_lost_sim:SlowBackend"
    service = demo_service("mobile")
    post(admin, url(service, "lost-sim"), ADDRESS)
    demo_app.config["PROVISIONING_BACKEND"] = "builtin"
    post(admin, url(service, "lost-sim/lift"))
    (block,) = lost_orders(service)
    assert block.status == "cancelled"
    assert sa.active_sim(service).status == "active"


# ------------------------------------------------------------------ truly at once


def _block_in_process(url: str, service_id: int, username: str, barrier, outcomes):
    """One worker: block the service's SIM card the moment the other does."""
    try:
        from app import create_app
        from database import db
        from domain import lost_sim, service_actions
        from models import Service, User

        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x"})
        with app.app_context():
            db.connect()
            user = User.get(User.username == username)
            service = Service.get_by_id(service_id)
            barrier.wait(timeout=30)
            try:
                lost_sim.block(user, service, address=None)
                outcomes.append("blocked")
            except service_actions.AlreadyBlocked:
                outcomes.append("already")
            db.close()
    except Exception as exc:  # reported to the parent, which fails the test
        outcomes.append(f"error: {exc!r}")


@pytest.mark.slow
def test_two_processes_blocking_at_the_same_moment(demo_template, new_database):
    """Two workers (two people) confirm at the same instant: one blocks, the
    other is told it is blocked already; one order, no error."""
    import multiprocessing

    from app import create_app
    from database import db
    from tests.conftest import ADMIN

    url = new_database(demo_template, "race")
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x"})
    with app.app_context():
        db.connect(reuse_if_open=True)
        service_id = demo_service("mobile").id
        colleague = add_user(a3(), a3().top_account(), ("services.view", "services.hardware"))
        db.close()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        outcomes, barrier = manager.list(), manager.Barrier(2)
        procs = [
            ctx.Process(target=_block_in_process, args=(url, service_id, who, barrier, outcomes))
            for who in (ADMIN, colleague.username)
        ]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join(timeout=120)
        assert sorted(outcomes) == ["already", "blocked"]
    with app.app_context():
        db.connect(reuse_if_open=True)
        blocks = Order.select().where((Order.service == service_id) & (Order.type == "lost_sim"))
        assert blocks.count() == 1
        db.close()
