"""Two approvals of the same step at once, from two processes on one
database (as two gunicorn workers would), count once."""

from __future__ import annotations

import multiprocessing

import pytest

from tests.approvals_fixtures import *  # noqa: F403 (the fixtures)
from tests.approvals_fixtures import reload, set_chain

WORKERS = 4


def _approver(url: str, order_id: int, user_id: int, barrier, results):
    try:
        from app import create_app
        from database import db
        from domain.orders import approvals
        from models import Order, User

        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": "x",
                "TESTING": True,
                "MAIL_BACKEND": "outbox",
            }
        )
        with app.app_context():
            db.connect()
            order, user = Order.get_by_id(order_id), User.get_by_id(user_id)
            barrier.wait(timeout=30)
            try:
                approvals.approve(order, user, position=1)
                results.append("approved")
            except approvals.ApprovalError as error:
                results.append(type(error).__name__)
            db.close()
    except Exception as exc:  # reported to the parent, which fails the test
        results.append(f"error: {exc!r}")


@pytest.mark.slow
def test_simultaneous_approvals_of_one_step_count_once(app, people, make_order):
    from domain.orders import approvals
    from models import OrderApproval
    from tables.ops import AuditLog

    p = people
    set_chain(p.org, "mobile", p.a, p.b)
    order = make_order(p.org, p.creator)
    approvals.start(order, p.creator)
    url = app.config["DATABASE_URL"]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        results = manager.list()
        barrier = manager.Barrier(WORKERS)
        procs = [
            ctx.Process(target=_approver, args=(url, order.id, p.a.id, barrier, results))
            for _ in range(WORKERS)
        ]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join(timeout=120)
        outcome = sorted(results)
    assert outcome == ["ApprovalConflict"] * (WORKERS - 1) + ["approved"]
    steps = list(
        OrderApproval.select()
        .where(OrderApproval.order == order.id)
        .order_by(OrderApproval.position)
    )
    assert [s.status for s in steps] == ["approved", "pending"]
    assert reload(order).status == "awaiting_approval"
    decisions = AuditLog.select().where(AuditLog.action == "order.approval").count()
    assert decisions == 1
