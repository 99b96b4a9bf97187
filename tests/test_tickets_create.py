"""Skapa ärende (TIC-2): categories by permission, pre-linked objects in
scope only, the service look-up, request types with their own fields,
attachments refused without losing the form, drafts and scheduled tickets."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from database import write_tx
from domain.tickets import create_ticket
from models import (
    Account,
    Contact,
    Invoice,
    OutboxMessage,
    Service,
    Ticket,
    TicketAttachment,
    TicketContact,
    User,
)
from tests.conftest import ACCOUNT_ADMIN, ADMIN, INVOICES_ONLY, OTHER_ORG_ADMIN, STAFF
from tests.tickets_data import EXE, PDF, PNG, client_for, upload
from web.formatting import phone

pytest_plugins = ["tests.tickets_fixtures"]


def account(number: str) -> Account:
    return Account.get(Account.customer_number == number)


def services_of(number: str) -> list[Service]:
    return list(Service.select().where(Service.account == account(number)).order_by(Service.id))


def post_new(client, query: str = "", **data):
    data.setdefault("action", "send")
    return client.post(f"/tickets/new{query}", data=data, content_type="multipart/form-data")


def options(html: str, select_id: str) -> list[str]:
    match = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    return re.findall(r'<option[^>]*value="([^"]*)"', match.group(1)) if match else []


@pytest.fixture
def admin(demo_app):
    return client_for(demo_app, ADMIN)


@pytest.fixture
def konto(demo_app):
    return client_for(demo_app, ACCOUNT_ADMIN)


def test_categories_follow_permissions(demo_app, admin, konto):
    html = admin.get("/tickets/new").get_data(as_text=True)
    categories = options(html, "category")
    assert categories[:5] == ["order", "invoice", "support", "fault", "other"]
    assert "request:tag_order" in categories and len(categories) == 12
    assert '<optgroup label="Förfrågningar">' in html
    # konto@ may manage tickets but not create fault reports.
    assert "fault" not in options(konto.get("/tickets/new").get_data(as_text=True), "category")
    response = post_new(konto, category="fault", product_area="mobile", subject="X", body="Y")
    assert response.status_code == 200
    assert Ticket.select().where(Ticket.subject == "X").count() == 0


def test_users_without_ticket_permissions_cannot_open_the_form(demo_app):
    assert client_for(demo_app, INVOICES_ONLY).get("/tickets/new").status_code == 403
    staff = client_for(demo_app, STAFF).get("/tickets/new")
    assert staff.status_code == 302 and "/staff" in staff.headers["Location"]


def make_demo_user(username: str, permissions) -> User:
    """A portal user of A3 Demo Connect on its top account."""
    from domain.passwords import hash_password
    from permissions import format_permissions

    admin = User.get(User.username == ADMIN)
    with write_tx():
        contact = Contact.create(
            organisation=admin.organisation_id,
            account=admin.scope_account_id,
            name=username,
            email=username,
        )
        return User.create(
            organisation=admin.organisation_id,
            contact=contact,
            scope_account=admin.scope_account_id,
            username=username,
            email=username,
            name=username,
            password_hash=hash_password("x" * 12),
            permissions=format_permissions(permissions),
        )


def test_a_fault_report_only_with_faults_create(demo_app):
    user = make_demo_user("fel@a3demo.se", ("faults.create",))
    client = client_for(demo_app, user.username)
    html = client.get("/tickets/new").get_data(as_text=True)
    assert options(html, "category") == ["fault"]
    service = services_of("99012615")[1]
    missing = post_new(client, category="fault", subject="Ingen signal", body="Tyst.")
    assert "Välj produkt för felanmälan." in missing.get_data(as_text=True)
    done = post_new(
        client,
        category="fault",
        product_area="mobile",
        service=str(service.id),
        priority="1",
        subject="Ingen signal",
        body="Tyst.",
    )
    assert done.status_code == 303
    ticket = Ticket.get(Ticket.subject == "Ingen signal")
    assert (ticket.category, ticket.product_area, ticket.priority) == ("fault", "mobile", 1)
    # He sees it (his own) but not the A3 support tickets in scope.
    listing = client.get("/tickets").get_data(as_text=True)
    assert "Ingen signal" in listing and "Bredbandet långsamt" not in listing


def test_rubrik_and_meddelande_are_required(demo_app, admin):
    before = Ticket.select().count()
    response = post_new(admin, category="other", subject="", body="")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Ange en rubrik." in html and "Skriv ett meddelande." in html
    assert Ticket.select().count() == before


def test_created_from_a_service_is_locked_to_it(demo_app, konto):
    service, other = services_of("23080667")[:2]
    html = konto.get(f"/tickets/new?service={service.id}").get_data(as_text=True)
    assert "Ärendet gäller" in html and phone(service.number) in html
    assert 'name="service_q"' not in html  # no look-up: the service is fixed
    # A different service in the form data does not change the locked one.
    response = post_new(
        konto,
        f"?service={service.id}",
        category="support",
        service=str(other.id),
        subject="Låst tjänst",
        body="Text",
    )
    assert response.status_code == 303
    ticket = Ticket.get(Ticket.subject == "Låst tjänst")
    assert (ticket.service_id, ticket.account_id) == (service.id, service.account_id)


def test_created_from_an_invoice_or_account(demo_app, admin):
    invoice = Invoice.select().where(Invoice.account == account("99500852")).first()
    html = admin.get(f"/tickets/new?invoice={invoice.id}").get_data(as_text=True)
    assert invoice.number in html
    assert re.search(r'<option selected value="invoice">|<option value="invoice" selected', html)
    post_new(admin, f"?invoice={invoice.id}", category="invoice", subject="Fakturafråga", body="?")
    ticket = Ticket.get(Ticket.subject == "Fakturafråga")
    assert (ticket.invoice_id, ticket.account_id) == (invoice.id, invoice.account_id)

    sub2 = account("23080671")
    post_new(admin, f"?account={sub2.id}", category="other", subject="Kontoärende", body="!")
    assert Ticket.get(Ticket.subject == "Kontoärende").account_id == sub2.id


@pytest.mark.parametrize(
    "query",
    [
        "?service={norrbygg_service}",
        "?invoice={norrbygg_invoice}",
        "?account={norrbygg_account}",
        "?account={a3_top}",  # above konto@'s sub-tree
        "?service={a3_top_service}",
        "?service=abc",
    ],
)
def test_links_outside_the_scope_answer_404(demo_app, konto, query):
    values = {
        "norrbygg_service": services_of("99013377")[0].id,
        "norrbygg_invoice": Invoice.select().where(Invoice.account == account("99013377")).get().id,
        "norrbygg_account": account("99013377").id,
        "a3_top": account("99012615").id,
        "a3_top_service": services_of("99012615")[0].id,
    }
    url = "/tickets/new" + query.format(**values)
    assert konto.get(url).status_code == 404
    assert konto.post(url, data={"subject": "x", "body": "y"}).status_code == 404


def test_service_lookup_stays_in_scope(demo_app, konto):
    html = konto.get("/tickets/services/lookup?service_q=07").get_data(as_text=True)
    shown = set(re.findall(r'name="service" value="(\d+)"', html))
    in_scope = {
        str(s.id)
        for s in Service.visible_to(User.get(User.username == ACCOUNT_ADMIN))
        if "07" in s.number and s.status != "terminated"
    }
    assert shown and shown <= in_scope
    for number in ("99012615", "99013377"):
        for service in services_of(number):
            assert f'value="{service.id}"' not in html
    # A chosen service outside the scope is not echoed back.
    outside = services_of("99013377")[0]
    html = konto.get(f"/tickets/services/lookup?service_q=zz&service={outside.id}")
    assert phone(outside.number) not in html.get_data(as_text=True)


def test_lookup_by_number_picks_the_service(demo_app, admin):
    service = services_of("23081096")[0]
    html = admin.get(f"/tickets/services/lookup?service_q={service.number[:6]}").get_data(
        as_text=True
    )
    assert phone(service.number) in html


def test_dependent_fields_follow_the_category(demo_app, admin):
    support = admin.get("/tickets/new/fields?category=support", headers={"HX-Request": "true"})
    html = support.get_data(as_text=True)
    assert "<html" not in html and 'name="service_q"' in html and 'id="priority"' in html
    fault = admin.get("/tickets/new/fields?category=fault").get_data(as_text=True)
    assert 'id="product_area"' in fault
    tags = admin.get("/tickets/new/fields?category=request:tag_order").get_data(as_text=True)
    assert "Antal taggar" in tags and "Hämtas i butik" in tags and 'id="priority"' not in tags


def test_request_type_with_its_own_fields(demo_app, admin):
    missing = post_new(admin, category="request:tag_order", subject="Taggar", body="Tack")
    html = missing.get_data(as_text=True)
    assert "Ange antal taggar." in html and "Välj leverans." in html
    bad = post_new(
        admin,
        category="request:tag_order",
        rt_quantity="många",
        rt_delivery="Med drönare",
        subject="Taggar",
        body="Tack",
    )
    assert "Ange ett heltal." in bad.get_data(as_text=True)
    assert "Välj ett av alternativen." in bad.get_data(as_text=True)
    done = post_new(
        admin,
        category="request:tag_order",
        rt_quantity="25",
        rt_delivery="Hämtas i butik",
        subject="Taggar",
        body="Tack",
    )
    assert done.status_code == 303
    ticket = Ticket.get(Ticket.subject == "Taggar")
    assert ticket.category == "request" and ticket.request_type.key == "tag_order"
    assert json.loads(ticket.extra_fields) == {"quantity": "25", "delivery": "Hämtas i butik"}
    page = admin.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "Beställning av taggar" in page and "Antal taggar" in page
    listing = admin.get("/tickets").get_data(as_text=True)
    assert "Beställning av taggar" in listing


def test_a_refused_file_keeps_the_rest_of_the_form(demo_app, admin):
    before = Ticket.select().count()
    response = post_new(
        admin,
        category="support",
        priority="2",
        subject="Min rubrik",
        body="Mitt långa meddelande",
        attachments=[upload("faktura.pdf", EXE)],
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Innehållet i faktura.pdf är inte en tillåten filtyp" in html
    assert 'value="Min rubrik"' in html and "Mitt långa meddelande" in html
    assert re.search(r'<option selected value="2">|<option value="2" selected', html)
    assert Ticket.select().count() == before
    directory = Path(demo_app.config["ATTACHMENT_DIR"])
    assert not directory.exists() or not any(p.is_file() for p in directory.rglob("*"))


def test_too_big_file_is_refused(demo_app, admin):
    demo_app.config["ATTACHMENT_MAX_MB"] = 0.001  # about 1 kB
    response = post_new(
        admin, category="other", subject="Stor", body="fil", attachments=[upload("x.pdf", PDF * 40)]
    )
    assert "är för stor" in response.get_data(as_text=True)
    assert not Ticket.select().where(Ticket.subject == "Stor").exists()


def test_several_attachments_are_kept(demo_app, admin):
    post_new(
        admin,
        category="other",
        subject="Två filer",
        body="Se bilagor",
        attachments=[upload("a.png", PNG), upload("b.pdf", PDF)],
    )
    ticket = Ticket.get(Ticket.subject == "Två filer")
    names = sorted(
        a.filename for a in TicketAttachment.select().where(TicketAttachment.ticket == ticket)
    )
    assert names == ["a.png", "b.pdf"]


def test_extra_contacts_in_scope_are_notified(demo_app, konto):
    tommy = Contact.get(Contact.name == "Tommy Frost")  # on 99500852, in konto@'s scope
    berit = Contact.get(Contact.name == "Berit Ekonom")  # on the top account: outside
    nils = Contact.get(Contact.name == "Nils Norr")  # another organisation
    html = konto.get("/tickets/new").get_data(as_text=True)
    assert "Tommy Frost" in html and "Berit Ekonom" not in html and "Nils Norr" not in html
    post_new(
        konto,
        category="other",
        subject="Med kontakter",
        body="Hej",
        contacts=[str(tommy.id), str(berit.id), str(nils.id)],
    )
    ticket = Ticket.get(Ticket.subject == "Med kontakter")
    linked = [tc.contact_id for tc in TicketContact.select().where(TicketContact.ticket == ticket)]
    assert linked == [tommy.id]
    sent = {m.recipient for m in OutboxMessage.select() if str(ticket.number) in m.subject}
    assert sent == {"konto@a3demo.se", "tommy.frost@a3demo.se"}


def test_no_mail_when_the_organisation_switched_it_off(demo_app):
    client = client_for(demo_app, OTHER_ORG_ADMIN)  # Norrlandsbygg: notify_email off
    post_new(client, category="other", subject="Tyst", body="Inga mejl")
    ticket = Ticket.get(Ticket.subject == "Tyst")
    assert not OutboxMessage.select().where(OutboxMessage.subject.contains(str(ticket.number)))


def test_draft_is_private_until_sent(demo_app, konto, admin):
    response = post_new(konto, category="other", subject="Mitt utkast", body="", action="draft")
    assert response.status_code == 303
    draft = Ticket.get(Ticket.subject == "Mitt utkast")
    assert draft.status == "draft" and draft.response_due_at is None
    assert not OutboxMessage.select().where(OutboxMessage.subject.contains(str(draft.number)))
    assert "Mitt utkast" in konto.get("/tickets").get_data(as_text=True)
    # Nobody else sees it: not the Superuser, not staff.
    assert "Mitt utkast" not in admin.get("/tickets?per_page=100").get_data(as_text=True)
    assert admin.get(f"/tickets/{draft.id}").status_code == 404
    staff = client_for(demo_app, STAFF)
    assert staff.get(f"/staff/tickets/{draft.id}").status_code == 404
    # The creator continues it and sends it.
    form = konto.get(f"/tickets/{draft.id}/edit").get_data(as_text=True)
    assert 'value="Mitt utkast"' in form
    sent = konto.post(
        f"/tickets/{draft.id}/edit",
        data={
            "category": "support",
            "subject": "Mitt ärende",
            "body": "Nu klart",
            "action": "send",
        },
        content_type="multipart/form-data",
    )
    assert sent.status_code == 303
    ticket = Ticket.get_by_id(draft.id)
    assert (ticket.status, ticket.subject, ticket.category) == ("waiting", "Mitt ärende", "support")
    assert ticket.response_due_at is not None  # A3 has SLA Guld
    assert konto.get(f"/tickets/{draft.id}/edit").status_code == 404  # no longer a draft


def test_draft_can_be_deleted_by_its_creator_only(demo_app, konto, admin):
    post_new(konto, category="other", subject="Släng mig", body="", action="draft")
    draft = Ticket.get(Ticket.subject == "Släng mig")
    assert admin.post(f"/tickets/{draft.id}/delete").status_code == 404
    assert konto.post(f"/tickets/{draft.id}/delete").status_code == 303
    assert not Ticket.select().where(Ticket.id == draft.id).exists()


def test_desired_date_makes_it_scheduled_until_then(demo_app, admin):
    later = dt.date.today() + dt.timedelta(days=5)
    post_new(
        admin, category="other", subject="Senare", body="Flytta", scheduled_for=later.isoformat()
    )
    ticket = Ticket.get(Ticket.subject == "Senare")
    assert ticket.status == "scheduled" and ticket.response_due_at is None
    runner = demo_app.test_cli_runner()
    assert "released 0" in runner.invoke(args=["tickets", "release-scheduled"]).output
    with write_tx():
        Ticket.update(scheduled_for=dt.date.today()).where(Ticket.id == ticket.id).execute()
    result = runner.invoke(args=["tickets", "release-scheduled"])
    assert "released 1" in result.output  # the demo's own one waits for next month
    ticket = Ticket.get_by_id(ticket.id)
    assert ticket.status == "waiting" and ticket.queued_at and ticket.response_due_at


def test_a_past_desired_date_is_refused(demo_app, admin):
    yesterday = dt.date.today() - dt.timedelta(days=1)
    response = post_new(
        admin, category="other", subject="Igår", body="x", scheduled_for=yesterday.isoformat()
    )
    assert "Datumet har redan passerat." in response.get_data(as_text=True)


def test_create_ticket_keeps_its_keyword_arguments(app, make_org, make_user):
    """Rapportera fel (issue #3) calls create_ticket like this."""
    org = make_org()
    user = make_user(org)
    with write_tx():
        ticket = create_ticket(
            organisation=org,
            account=org.top_account(),
            created_by=user,
            subject="Fel i portalen",
            body="Knappen gör inget.",
            category="other",
        )
    assert ticket.status == "waiting" and ticket.number and ticket.reply_token
    assert ticket.messages.count() == 1
