"""Two app servers behind one load balancer (docs/DEPLOYMENT.md): two
gunicorn nodes on two ports, one PostgreSQL, one shared file area. A user
goes back and forth between them as a load balancer would send them."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ACCOUNT_ADMIN, ADMIN, DEMO_PASSWORD
from tests.http_nodes import Client, start_node

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]


@pytest.fixture
def nodes(demo_template, new_database, tmp_path):
    url = new_database(demo_template, "cluster")
    shared = tmp_path / "shared"
    env = {
        "DATABASE_URL": url,
        "SECRET_KEY": "one-secret-for-every-node",
        "ATTACHMENT_DIR": str(shared / "attachments"),
        "INVOICE_PDF_DIR": str(shared / "invoices"),
        "REPORT_DIR": str(shared / "reports"),
        "BILLING_UPLOAD_DIR": str(shared / "billing-imports"),
    }
    # Throttling off, a lock after four failures, so the test needs no waits.
    config = {"LOGIN_THROTTLE_AFTER": 99, "LOGIN_LOCK_AFTER": 4}
    started = []
    try:
        for name in ("a", "b"):
            started.append(start_node(env, tmp_path / name, config=config))
        yield started, url
    finally:
        for node in started:
            node.stop()


def query(url: str, sql: str, *params):
    from database import make_database

    database = make_database(url)
    try:
        return database.execute_sql(sql, params).fetchall()
    finally:
        database.close()


def test_signed_in_on_one_node_the_user_goes_on_on_the_other(nodes):
    (a, b), _ = nodes
    browser = Client()
    assert browser.get(b.url + "/services").status == 302  # not signed in yet
    answer = browser.sign_in(a.url, ADMIN, DEMO_PASSWORD)
    assert answer.status == 302 and "/login" not in answer.location
    page = browser.get(b.url + "/services")
    assert page.status == 200 and "Logga ut" in page.text
    # Signing out on B ends the session on A too.
    assert browser.post(b.url + "/logout", {}, token_from=b.url + "/").status == 302
    assert browser.get(a.url + "/services").status == 302


def test_a_file_uploaded_through_one_node_downloads_through_the_other(nodes):
    (a, b), url = nodes
    browser = Client()
    browser.sign_in(a.url, ADMIN, DEMO_PASSWORD)
    ((ticket_id,),) = query(
        url,
        "SELECT t.id FROM ticket t JOIN organisation o ON o.id = t.organisation_id "
        "WHERE o.name LIKE %s AND t.status IN ('new', 'in_progress', 'waiting_customer') "
        "ORDER BY t.id LIMIT 1",
        "A3%",
    )
    content = "Loggfil från växeln, två noder.\n".encode() * 50
    answer = browser.post(
        f"{a.url}/tickets/{ticket_id}/reply",
        {"body": "Bifogar loggen."},
        files={"attachments": ("vaxel-logg.txt", content)},
        token_from=f"{a.url}/tickets/{ticket_id}",
    )
    assert answer.status in (200, 302, 303), answer.text[:500]
    page = browser.get(f"{b.url}/tickets/{ticket_id}").text
    assert "Bifogar loggen." in page  # the write on A, read at once on B
    link = re.search(rf'href="(/tickets/{ticket_id}/attachments/\d+)"[^>]*>[^<]*vaxel-logg', page)
    assert link, "the attachment is listed on B"
    download = browser.get(b.url + link.group(1))
    assert download.status == 200 and download.body == content


def test_wrong_passwords_on_both_nodes_count_toward_one_lockout(nodes):
    (a, b), _ = nodes
    for node in (a, b, a, b):
        answer = Client().sign_in(node.url, ACCOUNT_ADMIN, "fel-lösenord")
        assert answer.status == 200 and "/login" not in answer.location
    # The fifth try, right password, on either node: locked.
    for node in (a, b):
        answer = Client().sign_in(node.url, ACCOUNT_ADMIN, DEMO_PASSWORD)
        assert answer.status == 200
        assert "spärrad" in answer.text


def test_a_write_on_one_node_is_seen_at_once_on_the_other(nodes):
    (a, b), url = nodes
    browser = Client()
    browser.sign_in(b.url, ADMIN, DEMO_PASSWORD)
    ((email, mobile),) = query(url, 'SELECT email, mobile FROM "user" WHERE username = %s', ADMIN)
    name = "Nod A skrev detta"
    answer = browser.post(
        a.url + "/profile/details",
        {"name": name, "username": ADMIN, "email": email, "mobile": mobile or "", "language": "sv"},
        token_from=a.url + "/profile",
    )
    assert answer.status in (200, 302, 303)
    assert name in browser.get(b.url + "/profile").text
    ((stored,),) = query(url, 'SELECT name FROM "user" WHERE username = %s', ADMIN)
    assert stored == name
