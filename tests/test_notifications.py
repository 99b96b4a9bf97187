"""Notifications by preference (issue 17 item 5, SPEC §10): the contact
persons' boxes steer broadcast mail. Outages by the one rule of
domain/outages.py, invoices after a billing import; each mail says why it
came and carries a signed unsubscribe link. Delivered through the outbox to a
real SMTP server."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from database import utcnow, write_tx
from domain import notifications
from domain.billing import import_file
from domain.mail import deliver_pending
from domain.outages import OUTAGE_LISTENERS
from models import Account, Contact, NotificationLog, Organisation, Outage
from tests.billing_files import INVOICE_HEADER, Demo, invoice_rows, write


def contact(org, account, email, **boxes) -> Contact:
    with write_tx():
        return Contact.create(
            organisation=org, account=account, name=email.split("@")[0], email=email, **boxes
        )


def delivered(app, smtp_server) -> dict:
    """Deliver the outbox; the messages received, by recipient (lower case)."""
    deliver_pending()
    received = {m["To"].lower(): m for m in smtp_server.messages}
    smtp_server.messages.clear()
    return received


def tell(outage: Outage, event: str) -> None:
    """What the staff outage pages do after their change commits."""
    for listener in OUTAGE_LISTENERS:
        listener(outage, event)


@pytest.fixture
def world(app, smtp_server, make_org, make_account, make_service):
    """Two organisations. Teleoperatören's outage for broadband at 90155
    touches one service of Kund AB, installed at the sub-account Umeå."""
    app.config.update(smtp_server.config)
    org = make_org("Kund AB")
    top = org.top_account()
    umea = make_account(org, company_name="Kund AB Umeå", postcode="90155")
    umea_dept = make_account(org, parent=umea, company_name="Kund AB Umeå lager")
    sthlm = make_account(org, company_name="Kund AB Stockholm", postcode="11143")
    make_service(umea_dept, kind="broadband", number="BB-1001", postcode="90155")
    make_service(sthlm, kind="broadband", number="BB-2002", postcode="11143")
    make_service(sthlm, kind="mobile", number="0701112233")  # account at 11143
    other = make_org("Annan AB")  # top account at 90155, but only mobile there
    make_service(other.top_account(), kind="mobile", number="0704445566")
    w = {
        "org": org,
        "top": top,
        "umea": umea,
        "umea_dept": umea_dept,
        "sthlm": sthlm,
        "other": other,
        # Opted in, account above the touched service: they get it.
        "boss": contact(org, top, "chef@kund.se", notify_outage=True),
        "tech": contact(org, umea, "drift@kund.se", notify_outage=True),
        # The same address on the warehouse account too: one mail, both accounts named.
        "boss_dept": contact(org, umea_dept, "CHEF@kund.se", notify_outage=True),
        # None of these get it.
        "off": contact(org, top, "ekonomi@kund.se", notify_billing=True),
        "sibling": contact(org, sthlm, "sthlm@kund.se", notify_outage=True),
        "no_email": contact(org, umea, "", notify_outage=True),
        "foreign": contact(other, other.top_account(), "it@annan.se", notify_outage=True),
    }
    with write_tx():
        w["outage"] = Outage.create(
            title="Fiberavbrott Umeå centrum",
            description="Grävskada på fiberkabel.",
            postcodes="901 55",
            service_kinds="broadband",
            starts_at=utcnow() - dt.timedelta(minutes=30),
            expected_end=utcnow() + dt.timedelta(hours=4),
        )
    return w


def test_published_outage_mails_only_opted_in_contacts_above_touched_services(
    world, app, smtp_server
):
    tell(world["outage"], "published")
    received = delivered(app, smtp_server)
    assert set(received) == {"chef@kund.se", "drift@kund.se"}

    boss = received["chef@kund.se"]
    assert boss["Subject"] == "Driftstörning: Fiberavbrott Umeå centrum"
    body = boss.get_content()
    assert "Grävskada på fiberkabel." in body
    assert "BB-1001" in body and "BB-2002" not in body
    top, dept = world["top"], world["umea_dept"]
    assert (
        "Du får detta e-postmeddelande eftersom du är kontaktperson för kontona "
        f"{dept.customer_number} Kund AB Umeå lager och {top.customer_number} Kund AB "
        "med Driftstörningar ikryssat." in " ".join(body.split())
    )
    # The signed link names both contacts of the address and the box.
    link = boss["List-Unsubscribe"].strip("<>")
    assert link in body
    token = link.rsplit("/", 1)[1]
    assert notifications.read_unsubscribe_token(token) == (
        sorted([world["boss"].id, world["boss_dept"].id]),
        "outage",
    )
    tech = received["drift@kund.se"].get_content()
    assert f"kontaktperson för konto {world['umea'].customer_number} Kund AB Umeå med" in " ".join(
        tech.split()
    )
    assert body.count("BB-1001") == 1
    assert NotificationLog.select().count() == 3  # boss, boss_dept, tech


def test_the_same_event_is_never_sent_twice(world, app, smtp_server):
    tell(world["outage"], "published")
    assert len(delivered(app, smtp_server)) == 2
    tell(world["outage"], "published")
    assert delivered(app, smtp_server) == {}


def test_update_and_resolve_go_to_those_who_got_the_first(world, app, smtp_server, make_service):
    outage = world["outage"]
    tell(outage, "published")
    delivered(app, smtp_server)
    # Someone ticks the box after the first notice: the update brings them
    # the first notice, in its latest form, not an update of something unseen.
    with write_tx():
        Contact.update(notify_outage=True).where(Contact.id == world["off"].id).execute()
        outage.description = "Grävskada på fiberkabel. Reparatörer på plats."
        outage.save()
    tell(outage, "updated")
    received = delivered(app, smtp_server)
    assert set(received) == {"chef@kund.se", "drift@kund.se", "ekonomi@kund.se"}
    assert received["drift@kund.se"]["Subject"] == (
        "Uppdatering: driftstörning: Fiberavbrott Umeå centrum"
    )
    assert received["ekonomi@kund.se"]["Subject"] == "Driftstörning: Fiberavbrott Umeå centrum"
    assert "Reparatörer på plats." in received["drift@kund.se"].get_content()
    tell(outage, "updated")  # the same update again
    assert delivered(app, smtp_server) == {}

    with write_tx():
        outage.resolved_at = utcnow()
        outage.save()
    tell(outage, "resolved")
    received = delivered(app, smtp_server)
    assert set(received) == {"chef@kund.se", "drift@kund.se", "ekonomi@kund.se"}
    assert received["chef@kund.se"]["Subject"] == (
        "Driftstörning åtgärdad: Fiberavbrott Umeå centrum"
    )
    tell(outage, "resolved")
    assert delivered(app, smtp_server) == {}


def test_an_update_that_reaches_further_sends_the_first_to_the_newly_touched(
    world, app, smtp_server
):
    outage = world["outage"]
    tell(outage, "published")
    delivered(app, smtp_server)
    with write_tx():
        outage.postcodes = "90155 11143"
        outage.save()
    tell(outage, "updated")
    received = delivered(app, smtp_server)
    assert set(received) == {"chef@kund.se", "drift@kund.se", "sthlm@kund.se"}
    assert received["sthlm@kund.se"]["Subject"] == "Driftstörning: Fiberavbrott Umeå centrum"
    assert "BB-2002" in received["sthlm@kund.se"].get_content()
    assert received["chef@kund.se"]["Subject"].startswith("Uppdatering")


def test_planned_maintenance_and_a_suspended_organisation(world, app, smtp_server):
    with write_tx():
        Organisation.update(active=False).where(Organisation.id == world["org"].id).execute()
        planned = Outage.create(
            title="Underhåll i växelplattformen",
            service_kinds="mobile",
            starts_at=utcnow() + dt.timedelta(days=2),
        )
    tell(planned, "published")  # the whole network: every running mobile
    received = delivered(app, smtp_server)
    assert set(received) == {"it@annan.se"}  # Kund AB is suspended
    assert received["it@annan.se"]["Subject"] == "Planerat underhåll: Underhåll i växelplattformen"
    assert "hela nätet" in received["it@annan.se"].get_content()


def test_a_failing_listener_does_not_raise(world, app, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("mail server gone")

    monkeypatch.setattr(notifications, "outage_changed", broken)
    tell(world["outage"], "published")  # logged, not raised


# --------------------------------------------------------------------------- billing


def test_billing_import_mails_each_opted_in_address_once_listing_its_invoices(
    demo_app, smtp_server, tmp_path
):
    demo_app.config.update(smtp_server.config)
    demo = Demo()
    sub = demo.account.children.first()
    contact(demo.org, sub, "underkonto@a3demo.se", notify_billing=True)  # not above the top
    norrbygg = Organisation.get(Organisation.name.contains("Norrlandsbygg"))
    contact(norrbygg, norrbygg.top_account(), "ekonomi@norrbygg.se", notify_billing=True)
    path = write(
        tmp_path / "inv.csv",
        INVOICE_HEADER,
        invoice_rows(demo, "8801-1") + invoice_rows(demo, "8801-2"),
    )
    report = import_file("invoices", str(path))
    assert report.new == 2
    received = delivered(demo_app, smtp_server)
    # Berit Ekonom (top account, Fakturor och ekonomi) only.
    assert set(received) == {"ekonomi@a3demo.se"}
    mail = received["ekonomi@a3demo.se"]
    assert mail["Subject"] == "2 nya fakturor från Teleportal"
    body = mail.get_content()
    assert "Faktura 8801-1" in body and "Faktura 8801-2" in body
    assert "188,13" in body
    assert "med Fakturor och ekonomi ikryssat" in " ".join(body.split())
    assert mail["List-Unsubscribe"]

    # Importing the same file again creates no invoice and sends nothing.
    assert import_file("invoices", str(path)).new == 0
    assert delivered(demo_app, smtp_server) == {}


def test_dry_run_and_refused_imports_send_nothing(demo_app, smtp_server, tmp_path):
    demo_app.config.update(smtp_server.config)
    demo = Demo()
    path = write(tmp_path / "inv.csv", INVOICE_HEADER, invoice_rows(demo, "8802-1"))
    import_file("invoices", str(path), dry_run=True)
    bad = write(
        tmp_path / "bad.csv",
        INVOICE_HEADER,
        invoice_rows(demo, "8802-2") + invoice_rows(demo, "8802-3", total="1,00"),
    )
    assert import_file("invoices", str(bad), on_error="refuse").status == "refused"
    assert delivered(demo_app, smtp_server) == {}


def test_billing_mail_follows_the_account_subtree(demo_app, smtp_server, tmp_path):
    """An invoice of a sub-account reaches the contacts of that account and of
    the accounts above it, each mail listing only the invoices in its subtree."""
    demo_app.config.update(smtp_server.config)
    demo = Demo()
    sub = demo.account.children.first()
    contact(demo.org, sub, "underkonto@a3demo.se", notify_billing=True)
    sibling = demo.account.children.order_by(Account.id.desc()).first()
    assert sibling.id != sub.id
    contact(demo.org, sibling, "syskon@a3demo.se", notify_billing=True)
    rows = invoice_rows(demo, "8803-1")  # the top account
    rows += [
        r.replace(f";{demo.customer};", f";{sub.customer_number};")
        for r in invoice_rows(demo, "8803-2")
    ]
    import_file("invoices", str(write(tmp_path / "inv.csv", INVOICE_HEADER, rows)))
    received = delivered(demo_app, smtp_server)
    assert set(received) == {"ekonomi@a3demo.se", "underkonto@a3demo.se"}
    top_body = received["ekonomi@a3demo.se"].get_content()
    assert "Faktura 8803-1" in top_body and "Faktura 8803-2" in top_body
    sub_mail = received["underkonto@a3demo.se"]
    assert sub_mail["Subject"] == "Ny faktura 8803-2"
    assert "8803-1" not in sub_mail.get_content()
    assert f"konto {sub.customer_number}" in sub_mail.get_content()


def test_paths_cover_their_subtree_only():
    paths = notifications.Paths(["/1/2/4/", "/1/23/", "/7/"])
    assert paths.under("/1/2/") == ["/1/2/4/"]  # not /1/23/, whose path only begins alike
    assert paths.under("/1/") == ["/1/2/4/", "/1/23/"]
    assert paths.under("/1/2/4/") == ["/1/2/4/"]
    assert paths.under("/1/2/4/9/") == []  # below the account: not covered
    assert paths.under("/8/") == []


def test_each_news_item_is_an_update_of_its_own(world, app, smtp_server, monkeypatch):
    """The staff outage pages tell "updated" when they add a news item
    (``outage.updates``) without changing the outage: each item is sent once."""
    outage = world["outage"]
    tell(outage, "published")
    delivered(app, smtp_server)
    news = []
    monkeypatch.setattr(notifications, "latest_update", lambda o: news[-1] if news else None)
    for n, text in enumerate(["Reparatörer på plats.", "Kabeln är skarvad, vi testar."], 1):
        news.append(SimpleNamespace(id=n, at=utcnow(), text=text))
        tell(outage, "updated")
        tell(outage, "updated")  # told twice: sent once
        received = delivered(app, smtp_server)
        assert set(received) == {"chef@kund.se", "drift@kund.se"}
        assert f": {text}" in received["drift@kund.se"].get_content()
