"""The approval chain (ORD-4) in the domain: chain admin rules, an order's
way through the chain, passed steps, the Superusers' fallback, rejection,
sending again, Att godkänna and the e-mails."""

from __future__ import annotations

import pytest

from tests.approvals_fixtures import *  # noqa: F403 (the fixtures)
from tests.approvals_fixtures import outbox_to, reload, set_chain


@pytest.fixture
def ap(app):
    from domain.orders import approvals

    return approvals


def chain_names(org, area="mobile"):
    from domain.orders.approvals import chain

    return [(e.position, e.user.name) for e in chain(org.id, area)]


# --------------------------------------------------------------------------- chain admin


def test_superuser_adds_up_to_five_approvers_per_area(ap, people, make_user):
    p = people
    extra = [make_user(p.org, permissions={"orders.approve"}) for _ in range(3)]
    for user in (p.a, p.b, p.c, *extra[:2]):
        ap.add_approver(p.superuser, "mobile", user.id)
    assert [pos for pos, _ in chain_names(p.org)] == [1, 2, 3, 4, 5]
    with pytest.raises(ap.ApprovalError, match="redan 5"):
        ap.add_approver(p.superuser, "mobile", extra[2].id)
    # Each area has its own chain.
    ap.add_approver(p.superuser, "data", extra[2].id)
    assert chain_names(p.org, "data") == [(1, extra[2].name)]
    assert chain_names(p.org, "fixed") == []


def test_only_administrators_with_orders_approve_can_be_approvers(
    ap, people, make_user, make_account
):
    p = people
    sub = make_account(p.org)
    account_admin = make_user(p.org, account=sub, permissions={"orders.approve"})
    no_right = make_user(p.org, permissions={"orders.manage", "orders.create"})
    narrowed = make_user(p.org, permissions={"orders.approve"}, restricted=True)
    inactive = make_user(p.org, permissions={"orders.approve"}, active=False)
    for user in (account_admin, no_right, narrowed, inactive, p.other_approver):
        with pytest.raises(ap.ApprovalError, match="Administratör"):
            ap.add_approver(p.superuser, "mobile", user.id)
    for bad in (None, 0, 10**12):
        with pytest.raises(ap.ApprovalError):
            ap.add_approver(p.superuser, "mobile", bad)
    assert chain_names(p.org) == []
    eligible = {u.id for u in ap.eligible_approvers(p.org.id)}
    assert {p.a.id, p.b.id, p.c.id, p.superuser.id} <= eligible
    assert not eligible & {account_admin.id, no_right.id, narrowed.id, inactive.id}


def test_the_same_person_is_in_a_chain_once(ap, people):
    p = people
    ap.add_approver(p.superuser, "mobile", p.a.id)
    with pytest.raises(ap.ApprovalError, match="redan i kedjan"):
        ap.add_approver(p.superuser, "mobile", p.a.id)


def test_only_superusers_change_the_chain(ap, people, make_user):
    p = people
    manager = make_user(p.org, permissions={"users.manage", "orders.approve"})
    for call in (
        lambda u: ap.add_approver(u, "mobile", p.a.id),
        lambda u: ap.change_approver(u, "mobile", 1, p.b.id),
        lambda u: ap.remove_approver(u, "mobile", 1),
    ):
        with pytest.raises(ap.NotApprover, match="Superuser"):
            call(manager)
    with pytest.raises(ap.ApprovalError, match="produktområde"):
        ap.add_approver(p.superuser, "space", p.a.id)


def test_change_swaps_a_position_and_only_the_last_is_removed(ap, people):
    from tables.ops import AuditLog

    p = people
    for user in (p.a, p.b):
        ap.add_approver(p.superuser, "mobile", user.id)
    ap.change_approver(p.superuser, "mobile", 1, p.c.id)
    assert chain_names(p.org) == [(1, p.c.name), (2, p.b.name)]
    # Swapping onto someone already in the chain is refused.
    with pytest.raises(ap.ApprovalError, match="redan i kedjan"):
        ap.change_approver(p.superuser, "mobile", 1, p.b.id)
    with pytest.raises(ap.ApprovalError, match="sista"):
        ap.remove_approver(p.superuser, "mobile", 1)
    with pytest.raises(ap.ApprovalError, match="ingen ordergodkännare"):
        ap.remove_approver(p.superuser, "mobile", 7)
    assert ap.remove_approver(p.superuser, "mobile", 2) == p.b.name
    assert chain_names(p.org) == [(1, p.c.name)]
    summaries = [a.summary for a in AuditLog.select().where(AuditLog.action == "company.approvers")]
    assert summaries == [
        f"Ordergodkännare Mobiltelefoni: 1. {p.a.name} tillagd",
        f"Ordergodkännare Mobiltelefoni: 2. {p.b.name} tillagd",
        f"Ordergodkännare Mobiltelefoni: 1. {p.a.name} ersatt av {p.c.name}",
        f"Ordergodkännare Mobiltelefoni: 2. {p.b.name} borttagen",
    ]


# --------------------------------------------------------------------------- sending


def test_without_a_chain_the_order_is_received(ap, people, make_order):
    p = people
    order = make_order(p.org, p.creator, area="fixed")
    ap.start(order, p.creator)
    assert reload(order).status == "received"
    assert list(order.approvals) == []
    assert outbox_to(p.a.email) == []


def test_with_a_chain_the_first_approver_is_mailed(ap, people, make_order):
    from database import write_tx
    from models import CompanyProfile

    p = people
    with write_tx():  # approval e-mails go out whatever the switch says
        CompanyProfile.update(notify_email=False).execute()
    set_chain(p.org, "mobile", p.a, p.b)
    order = make_order(p.org, p.creator)
    ap.start(order, p.creator)
    assert reload(order).status == "awaiting_approval"
    steps = ap.steps_of(order)
    assert [(s.position, s.approver_id, s.status) for s in steps] == [
        (1, p.a.id, "pending"),
        (2, p.b.id, "pending"),
    ]
    [mail] = outbox_to(p.a.email)
    assert str(order.number) in mail.subject and "godkännande" in mail.subject
    assert f"/orders/{order.id}" in mail.body
    assert outbox_to(p.b.email) == []
    assert ap.pending_ids(p.a) == [order.id]
    assert ap.pending_ids(p.b) == []
    # Only a draft is sent.
    from domain.orders.flow import OrderConflict

    with pytest.raises(OrderConflict):
        ap.start(reload(order), p.creator)


def test_an_order_keeps_the_chain_it_was_sent_with(ap, people, make_order):
    p = people
    set_chain(p.org, "mobile", p.a, p.b)
    order = make_order(p.org, p.creator)
    ap.start(order, p.creator)
    ap.change_approver(p.superuser, "mobile", 1, p.c.id)
    assert [s.approver_id for s in ap.steps_of(order)] == [p.a.id, p.b.id]
    assert ap.pending_ids(p.a) == [order.id]
    assert ap.pending_ids(p.c) == []


def test_two_step_chain_ends_received(ap, people, make_order):
    from models import OrderEvent

    p = people
    set_chain(p.org, "mobile", p.a, p.b)
    order = make_order(p.org, p.creator)
    ap.start(order, p.creator)
    ap.approve(order, p.a, "Ok från ekonomi")
    assert reload(order).status == "awaiting_approval"
    assert ap.pending_ids(p.a) == [] and ap.pending_ids(p.b) == [order.id]
    assert len(outbox_to(p.b.email)) == 1
    ap.approve(order, p.b)
    assert order.status == reload(order).status == "received"
    steps = ap.steps_of(order)
    assert [(s.status, s.comment) for s in steps] == [
        ("approved", "Ok från ekonomi"),
        ("approved", ""),
    ]
    assert all(s.decided_at for s in steps)
    events = [
        (e.from_status, e.to_status)
        for e in OrderEvent.select().where(OrderEvent.order == order.id).order_by(OrderEvent.id)
    ]
    assert events == [("draft", "awaiting_approval"), ("awaiting_approval", "received")]
    assert ap.pending_ids(p.b) == []


def test_an_offert_goes_through_the_chain_too(ap, people, make_order):
    p = people
    set_chain(p.org, "data", p.a)
    quote = make_order(p.org, p.creator, area="data", is_quote=True)
    ap.start(quote, p.creator)
    assert reload(quote).status == "awaiting_approval"
    assert outbox_to(p.a.email)[0].subject.startswith("Offert")
    ap.approve(quote, p.a)
    assert reload(quote).status == "received"


def test_approving_the_same_step_twice_counts_once(ap, people, make_order):
    p = people
    set_chain(p.org, "mobile", p.a, p.b)
    order = make_order(p.org, p.creator)
    ap.start(order, p.creator)
    ap.approve(order, p.a, position=1)
    with pytest.raises(ap.ApprovalError):
        ap.approve(order, p.a, position=1)
    # The second approver saw step 1 too: a conflict, not an approval of step 2.
    with pytest.raises(ap.ApprovalConflict):
        ap.approve(order, p.b, position=1)
    assert [s.status for s in ap.steps_of(order)] == ["approved", "pending"]
    assert reload(order).status == "awaiting_approval"


def test_someone_else_cannot_approve(ap, people, make_order):
    p = people
    set_chain(p.org, "mobile", p.a, p.b)
    order = make_order(p.org, p.creator)
    ap.start(order, p.creator)
    for user in (p.b, p.c, p.superuser, p.creator):
        with pytest.raises(ap.NotApprover, match=p.a.name):
            ap.approve(order, user)
    for user in (p.other_super, p.other_approver):
        with pytest.raises(ap.NotApprover, match="finns inte"):
            ap.approve(order, user)
    assert [s.status for s in ap.steps_of(order)] == ["pending", "pending"]


# --------------------------------------------------------------------------- rejection


def test_reject_needs_a_comment(ap, people, make_order):
    p = people
    set_chain(p.org, "mobile", p.a)
    order = make_order(p.org, p.creator)
    ap.start(order, p.creator)
    for comment in ("", "   ", None):
        with pytest.raises(ap.ApprovalError, match="kommentar"):
            ap.reject(order, p.a, comment)
    with pytest.raises(ap.ApprovalError, match="högst"):
        ap.reject(order, p.a, "x" * 2001)
    assert reload(order).status == "awaiting_approval"
    assert outbox_to(p.creator.email) == []


def test_reject_returns_the_order_to_its_creator(ap, people, make_order):
    from database import write_tx
    from models import OrderEvent, PoolNumber

    p = people
    set_chain(p.org, "mobile", p.a, p.b)
    order = make_order(p.org, p.creator)
    with write_tx():
        PoolNumber.create(number="0739990001", status="reserved", order=order)
    ap.start(order, p.creator)
    ap.approve(order, p.a)
    ap.reject(order, p.b, "  För dyr telefon, välj en enklare.  ")
    assert reload(order).status == "rejected"
    assert [(s.status, s.comment) for s in ap.steps_of(order)] == [
        ("approved", ""),
        ("rejected", "För dyr telefon, välj en enklare."),
    ]
    event = OrderEvent.select().where(OrderEvent.order == order.id).order_by(OrderEvent.id.desc())
    event = event.get()
    assert (event.to_status, event.user_id) == ("rejected", p.b.id)
    assert event.comment == "För dyr telefon, välj en enklare."
    [mail] = outbox_to(p.creator.email)
    assert "avslagen" in mail.subject and "För dyr telefon" in mail.body
    assert p.b.name in mail.body
    number = PoolNumber.get(PoolNumber.number == "0739990001")
    assert (number.status, number.order_id) == ("free", None)
    with pytest.raises(ap.ApprovalConflict, match="väntar inte längre"):
        ap.approve(order, p.b)


def test_sent_again_after_rejection_the_chain_starts_over(ap, people, make_order):
    p = people
    set_chain(p.org, "mobile", p.a, p.b)
    order = make_order(p.org, p.creator)
    ap.start(order, p.creator)
    ap.reject(order, p.a, "Fel konto")
    set_chain(p.org, "mobile", p.c, p.b)  # the chain as it is when sent again
    ap.restart(reload(order), p.creator)
    assert reload(order).status == "awaiting_approval"
    assert [(s.approver_id, s.status) for s in ap.steps_of(order)] == [
        (p.c.id, "pending"),
        (p.b.id, "pending"),
    ]
    assert len(outbox_to(p.c.email)) == 1
    assert ap.pending_ids(p.c) == [order.id]
    ap.approve(order, p.c)
    ap.approve(order, p.b)
    assert reload(order).status == "received"


# --------------------------------------------------------------------------- passed steps


def test_the_creators_own_step_is_passed(ap, people, make_order):
    p = people
    set_chain(p.org, "mobile", p.a, p.b)
    order = make_order(p.org, p.a)
    ap.start(order, p.a)
    steps = ap.steps_of(order)
    assert (steps[0].status, steps[0].comment) == ("passed", ap.PASSED_OWN)
    assert steps[1].status == "pending"
    assert outbox_to(p.a.email) == [] and len(outbox_to(p.b.email)) == 1
    ap.approve(order, p.b)
    assert reload(order).status == "received"


def test_a_removed_approver_is_passed(ap, people, make_order):
    from database import utcnow, write_tx
    from models import User

    p = people
    set_chain(p.org, "mobile", p.a, p.b)
    order = make_order(p.org, p.creator)
    ap.start(order, p.creator)
    with write_tx():
        User.update(removed_at=utcnow()).where(User.id == p.a.id).execute()
    # B sees it at once, and A's step is passed when B acts.
    assert ap.pending_ids(p.b) == [order.id]
    ap.approve(order, p.b)
    steps = ap.steps_of(order)
    assert [(s.status, s.comment) for s in steps] == [
        ("passed", ap.PASSED_REMOVED),
        ("approved", ""),
    ]
    assert reload(order).status == "received"


def test_an_approver_who_lost_the_right_is_passed_at_sending(ap, people, make_order):
    from database import write_tx
    from models import User

    p = people
    set_chain(p.org, "mobile", p.a, p.b)
    with write_tx():
        User.update(permissions="orders.create").where(User.id == p.a.id).execute()
    order = make_order(p.org, p.creator)
    ap.start(order, p.creator)
    assert [(s.status, s.comment) for s in ap.steps_of(order)] == [
        ("passed", ap.PASSED_NO_RIGHT),
        ("pending", ""),
    ]
    assert outbox_to(p.a.email) == [] and len(outbox_to(p.b.email)) == 1


def test_with_nobody_left_the_superusers_approve(ap, people, make_order):
    from database import write_tx
    from models import User

    p = people
    set_chain(p.org, "mobile", p.a)
    order = make_order(p.org, p.creator)
    ap.start(order, p.creator)
    with write_tx():
        User.update(active=False).where(User.id == p.a.id).execute()
    assert ap.pending_ids(p.superuser) == [order.id]
    assert ap.pending_ids(p.b) == []
    with pytest.raises(ap.NotApprover, match="Superuser"):
        ap.approve(order, p.b)
    ap.approve(order, p.superuser, "Godkänd i Annas frånvaro")
    steps = ap.steps_of(order)
    assert [(s.position, s.approver_id, s.status) for s in steps] == [
        (1, p.a.id, "passed"),
        (2, p.superuser.id, "approved"),
    ]
    assert reload(order).status == "received"


def test_a_chain_of_only_the_creator_falls_to_the_superusers(ap, people, make_order):
    p = people
    set_chain(p.org, "mobile", p.a)
    order = make_order(p.org, p.a)
    ap.start(order, p.a)
    assert reload(order).status == "awaiting_approval"
    assert [s.status for s in ap.steps_of(order)] == ["passed"]
    assert len(outbox_to(p.superuser.email)) == 1  # told it waits for them
    assert ap.pending_ids(p.a) == []
    assert ap.pending_ids(p.superuser) == [order.id]
    ap.reject(order, p.superuser, "Inte nu")
    assert reload(order).status == "rejected"
    assert len(outbox_to(p.a.email)) == 1


# --------------------------------------------------------------------------- Att godkänna


def test_att_godkanna_is_scoped_to_the_organisation(ap, people, make_order):
    p = people
    set_chain(p.org, "mobile", p.a)
    set_chain(p.other, "mobile", p.other_approver)
    mine = make_order(p.org, p.creator)
    theirs = make_order(p.other, p.other_super)
    ap.start(mine, p.creator)
    ap.start(theirs, p.other_super)
    assert ap.pending_ids(p.a) == [mine.id]
    assert ap.pending_ids(p.other_approver) == [theirs.id]
    assert ap.pending_ids(p.other_super) == []  # its approver can still act
    assert ap.pending_ids(p.creator) == []  # no orders.approve
    assert ap.pending_count(p.a) == 1
    assert list(ap.pending_for(p.b)) == []
    assert not ap.may_decide(reload(mine), p.other_approver)


def test_a_step_decided_meanwhile_is_not_decided_again(ap, people, make_order):
    """The decision is a conditional UPDATE: a step loaded before someone
    else decided it is not overwritten."""
    from database import write_tx

    p = people
    set_chain(p.org, "mobile", p.a, p.b)
    order = make_order(p.org, p.creator)
    ap.start(order, p.creator)
    stale = ap.steps_of(order)[0]
    ap.approve(order, p.a, "först")
    with pytest.raises(ap.ApprovalConflict), write_tx():
        ap._decide(reload(order), stale, "rejected", "sen", p.a)
    assert (ap.steps_of(order)[0].status, ap.steps_of(order)[0].comment) == ("approved", "först")
