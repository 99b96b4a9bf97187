"""docs/api_example.py against a live server: the customer side orders a
subscription and follows it to Slutförd through the API alone, while staff
take and complete the order through the domain (as their order page does)."""

from __future__ import annotations

import importlib.util
import shutil
import threading
import time
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.api_fixtures import make_token
from tests.conftest import ADMIN, STAFF

pytestmark = pytest.mark.sqlite_only  # the live server runs on a SQLite copy

SCRIPT = Path(__file__).resolve().parent.parent / "docs" / "api_example.py"


@pytest.fixture
def live(demo_template, tmp_path):
    """(address, app): tests/browser.py's live server, with its app for the domain side."""
    from app import create_app
    from tests.conftest import _config

    app = create_app(_config(tmp_path / "live.db"))
    shutil.copyfile(demo_template, tmp_path / "live.db")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app
    server.shutdown()
    thread.join(timeout=5)


def example():
    spec = importlib.util.spec_from_file_location("api_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def approve_and_complete(app, order_id: int, done: list) -> None:
    with app.app_context():
        _approve_and_complete(order_id, done)


def _approve_and_complete(order_id: int, done: list) -> None:
    """The others' part, through the domain as their pages do it: the
    approvers of the organisation's chain Godkänn, staff Påbörja and Slutför."""
    from database import write_tx
    from domain.orders import approvals, fulfilment
    from models import Order, StaffUser, User

    staff = StaffUser.get(StaffUser.username == STAFF)
    for _ in range(10):
        order = Order.get_by_id(order_id)
        if order.status != "awaiting_approval":
            break
        time.sleep(0.2)
        step = approvals.progress(order).current
        approvals.approve(order, User.get_by_id(step.approver_id), "OK")
    time.sleep(0.3)
    with write_tx():
        fulfilment.start(Order.get_by_id(order_id), staff)
    time.sleep(0.3)
    with write_tx():
        done.extend(fulfilment.complete(Order.get_by_id(order_id), staff, "Klart"))


def test_the_example_orders_and_follows_to_slutford(live):
    live_server, app = live
    api = example()
    secret, _ = make_token(ADMIN)
    account = api.find_account(live_server, secret, "99012615")
    order = api.order_subscription(live_server, secret, account["id"], "Nina Nilsson", "n@a3.se")
    assert order["status"] in ("awaiting_approval", "received") and order["type"] == "new"
    created: list = []
    staff = threading.Thread(target=approve_and_complete, args=(app, order["id"], created))
    staff.start()
    seen: list[str] = []
    final = api.wait_until_done(
        live_server, secret, order["id"], every=0.1, timeout=30, log=seen.append
    )
    staff.join()
    assert final["status"] == "completed" and final["completed_at"]
    assert len(seen) >= 2 and seen[-1].endswith("completed")
    assert len(created) == 1 and created[0].user_name == "Nina Nilsson"


def test_the_example_reports_a_problem_with_its_fields(live):
    live_server, _ = live
    api = example()
    secret, _ = make_token(ADMIN)
    account = api.find_account(live_server, secret, "99012615")
    with pytest.raises(api.ApiProblem) as raised:
        api.order_subscription(live_server, secret, account["id"], "", "inte-en-adress")
    assert raised.value.status == 422
    names = {e["name"] for e in raised.value.problem["errors"]}
    assert "lines/0/details/end_user" in names


def test_the_script_needs_url_and_token(monkeypatch, capsys):
    monkeypatch.delenv("TELEPORTAL_URL", raising=False)
    monkeypatch.delenv("TELEPORTAL_TOKEN", raising=False)
    with pytest.raises(SystemExit):
        example().main([])
    assert "TELEPORTAL_URL" in capsys.readouterr().err
