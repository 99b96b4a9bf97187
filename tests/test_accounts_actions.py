"""Kontoåtgärder (ACC-3, ACC-4) over HTTP: every dialog with its permission
(403 without it, 404 outside the scope), valid input saved and audited with
the events that refresh the page, invalid input answered in place and never
written."""

from __future__ import annotations

import json

import pytest

from tests.accounts_fixtures import (
    HTMX,
    NORRBYGG,
    SUB1,
    SUB2,
    SUB11,
    SUB12,
    TOP,
    account,
    audit_count,
    grant,
    last_audit,
    revoke,
    row,
    sign_in,
    triggers,
)
from tests.conftest import ACCOUNT_ADMIN, ADMIN, INVOICES_ONLY, OTHER_ORG_ADMIN

# (path suffix, permission, a valid form, what it stores)
EDITS = [
    ("alias", "accounts.edit", {"alias": "Kontoret"}, {"alias": "Kontoret"}),
    (
        "reference",
        "accounts.edit",
        {"invoice_reference": "Projekt 42"},
        {"invoice_reference": "Projekt 42"},
    ),
    (
        "address",
        "accounts.edit",
        {"street": "Box 3124", "care_of": "Ekonomi", "postcode": "903 04", "city": "Umeå"},
        {"street": "Box 3124", "care_of": "Ekonomi", "postcode": "90304", "city": "Umeå"},
    ),
    (
        "invoice-address",
        "accounts.edit",
        {
            "invoice_name": "A3 Ekonomi AB",
            "invoice_street": "Storgatan",
            "invoice_street_number": "12 B",
            "invoice_postcode": "111 43",
            "invoice_city": "Stockholm",
        },
        {
            "invoice_name": "A3 Ekonomi AB",
            "invoice_street": "Storgatan",
            "invoice_street_number": "12 B",
            "invoice_postcode": "11143",
            "invoice_city": "Stockholm",
        },
    ),
]
EDIT_IDS = [e[0] for e in EDITS]


def dialog_paths(account_id: int, contact_id: int) -> list[str]:
    return [
        f"/accounts/{account_id}/alias",
        f"/accounts/{account_id}/reference",
        f"/accounts/{account_id}/address",
        f"/accounts/{account_id}/invoice-address",
        f"/accounts/{account_id}/contacts/new",
        f"/accounts/{account_id}/contacts/{contact_id}/edit",
        f"/accounts/{account_id}/contacts/{contact_id}/delete",
        f"/accounts/new?parent={account_id}",
    ]


def a_contact(number: str):
    from models import Contact

    return Contact.select().where(Contact.account == account(number).id).first()


# ----------------------------------------------------------------------------- access


def test_every_dialog_opens_for_an_administrator(demo_client, login):
    login(demo_client, ADMIN)
    for path in dialog_paths(account(SUB1).id, a_contact(SUB1).id):
        response = demo_client.get(path, headers=HTMX)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert "<html" not in html, path
        assert 'class="dialog-form"' in html, path
        assert 'name="csrf_token"' in html, path


def test_dialogs_without_htmx_are_pages(demo_client, login):
    login(demo_client, ADMIN)
    html = demo_client.get(f"/accounts/{account(SUB1).id}/alias").get_data(as_text=True)
    assert "<html" in html and "Redigera alias" in html


def test_without_accounts_edit_every_action_is_forbidden(demo_client, login):
    """Kontoadministratören in the demo may see accounts but not change them."""
    login(demo_client, ACCOUNT_ADMIN)
    sub1 = account(SUB1)
    contact = a_contact(SUB1)
    before_account, before_contact = row(type(sub1), sub1.id), row(type(contact), contact.id)
    before_audit = audit_count()
    for path in dialog_paths(sub1.id, contact.id):
        assert demo_client.get(path, headers=HTMX).status_code == 403, path
        data = {"alias": "x", "name": "x", "email": "x@example.se", "org_number": "5566290549"}
        assert demo_client.post(path, data=data, headers=HTMX).status_code == 403, path
    assert row(type(sub1), sub1.id) == before_account
    assert row(type(contact), contact.id) == before_contact
    assert audit_count() == before_audit


def test_actions_are_hidden_without_permission(demo_client, login):
    """konto@ may not edit or create accounts, but may create tickets."""
    login(demo_client, ACCOUNT_ADMIN)
    html = demo_client.get(f"/accounts/{account(SUB1).id}").get_data(as_text=True)
    for action in ("Redigera alias", "Lägg till kontaktperson", "Lägg till underkonto", "Ta bort"):
        assert action not in html
    assert f"/tickets/new?account={account(SUB1).id}" in html


def test_invoice_only_user_is_forbidden(demo_client, login):
    login(demo_client, INVOICES_ONLY)
    for path in dialog_paths(account(SUB1).id, a_contact(SUB1).id):
        assert demo_client.get(path).status_code == 403, path


@pytest.mark.parametrize("username, number", [(ACCOUNT_ADMIN, TOP), (ACCOUNT_ADMIN, SUB2)])
def test_account_outside_scope_is_not_found_even_with_permission(
    demo_client, login, username, number
):
    grant(username, "accounts.edit", "accounts.create")
    login(demo_client, username)
    target = account(number)
    contact = a_contact(TOP)
    before = row(type(target), target.id)
    before_audit = audit_count()
    for path in dialog_paths(target.id, contact.id):
        assert demo_client.get(path).status_code == 404, path
        assert demo_client.post(path, data={"alias": "x"}).status_code == 404, path
    assert row(type(target), target.id) == before
    assert audit_count() == before_audit


def test_other_organisation_gets_not_found(demo_client, login):
    sign_in(demo_client, OTHER_ORG_ADMIN)
    for path in dialog_paths(account(SUB1).id, a_contact(SUB1).id):
        assert demo_client.get(path).status_code == 404, path
    sign_in(demo_client, ADMIN)
    norr = account(NORRBYGG)
    assert demo_client.get(f"/accounts/{norr.id}/alias").status_code == 404


def test_contact_of_another_account_is_not_found(demo_client, login):
    login(demo_client, ADMIN)
    other = a_contact(TOP)  # belongs to the top account, not to underkonto 1
    sub1 = account(SUB1).id
    assert demo_client.get(f"/accounts/{sub1}/contacts/{other.id}/edit").status_code == 404
    assert demo_client.post(f"/accounts/{sub1}/contacts/{other.id}/delete").status_code == 404
    assert row(type(other), other.id)


def test_post_without_csrf_token_writes_nothing(demo_client, login):
    login(demo_client, ADMIN)
    sub1 = account(SUB1)
    before = row(type(sub1), sub1.id)
    response = demo_client.post(f"/accounts/{sub1.id}/alias", data={"alias": "Nej"}, csrf=False)
    assert response.status_code == 400
    assert row(type(sub1), sub1.id) == before


# ----------------------------------------------------------------------------- account edits


@pytest.mark.parametrize("suffix, permission, form, stored", EDITS, ids=EDIT_IDS)
def test_edit_saves_audits_and_announces(demo_client, login, suffix, permission, form, stored):
    from models import Account

    login(demo_client, ADMIN)
    sub1 = account(SUB1)
    before = row(Account, sub1.id)
    response = demo_client.post(f"/accounts/{sub1.id}/{suffix}", data=form, headers=HTMX)
    assert response.status_code == 200
    assert response.get_data(as_text=True) == ""
    events = triggers(response)
    assert events["accountChanged"] == sub1.id
    assert events["closeDialog"] is True
    assert list(events)[-1] == "closeDialog"  # after the refresh events (see web/dialogs.py)
    after = row(Account, sub1.id)
    for name, value in stored.items():
        assert after[name] == value
    untouched = {k: v for k, v in before.items() if k not in stored}
    assert {k: after[k] for k in untouched} == untouched
    entry = last_audit()
    assert entry.action.startswith("account.")
    assert entry.object_id == str(sub1.id)
    assert entry.actor_user_id is not None
    assert json.loads(entry.after) == {k: v for k, v in stored.items() if before[k] != v}
    assert json.loads(entry.before) == {k: before[k] for k in json.loads(entry.after)}


@pytest.mark.parametrize("suffix, permission, form, stored", EDITS, ids=EDIT_IDS)
def test_edit_with_permission_only_works_for_an_account_administrator(
    demo_client, login, suffix, permission, form, stored
):
    grant(ACCOUNT_ADMIN, permission)
    login(demo_client, ACCOUNT_ADMIN)
    target = account(SUB11)
    response = demo_client.post(f"/accounts/{target.id}/{suffix}", data=form)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/accounts/{target.id}")
    after = row(type(target), target.id)
    assert all(after[k] == v for k, v in stored.items())


INVALID_EDITS = [
    ("alias", {"alias": ""}, "Ange ett alias."),
    ("alias", {"alias": "   "}, "Ange ett alias."),
    ("alias", {"alias": "x" * 61}, "Högst 60 tecken."),
    ("reference", {"invoice_reference": ""}, "Ange en referens."),
    ("address", {"street": "", "postcode": "90304", "city": "Umeå"}, "Ange en adress."),
    (
        "address",
        {"street": "Gata 2", "postcode": "9030", "city": "Umeå"},
        "Ange postnumret med fem siffror",
    ),
    (
        "address",
        {"street": "Gata 2", "postcode": "ABCDE", "city": "Umeå"},
        "Ange postnumret med fem siffror",
    ),
    ("address", {"street": "Gata 2", "postcode": "90304", "city": ""}, "Ange en ort."),
    (
        "invoice-address",
        {
            "invoice_name": "A3",
            "invoice_street": "Box",
            "invoice_street_number": "",
            "invoice_postcode": "90304",
            "invoice_city": "Umeå",
        },
        "Ange ett gatunummer.",
    ),
    (
        "invoice-address",
        {
            "invoice_name": "",
            "invoice_street": "Box",
            "invoice_street_number": "3124",
            "invoice_postcode": "903 041",
            "invoice_city": "Umeå",
        },
        "Ange ett namn.",
    ),
]


@pytest.mark.parametrize("suffix, form, message", INVALID_EDITS)
def test_invalid_edit_is_answered_in_place_and_never_written(
    demo_client, login, suffix, form, message
):
    from models import Account

    login(demo_client, ADMIN)
    sub1 = account(SUB1)
    before = row(Account, sub1.id)
    before_audit = audit_count()
    response = demo_client.post(f"/accounts/{sub1.id}/{suffix}", data=form, headers=HTMX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert 'class="field-error"' in html and message in html
    assert 'aria-invalid="true"' in html
    assert "HX-Trigger" not in response.headers
    assert row(Account, sub1.id) == before
    assert audit_count() == before_audit


def test_required_fields_are_marked(demo_client, login):
    login(demo_client, ADMIN)
    sub1 = account(SUB1).id
    html = demo_client.get(f"/accounts/{sub1}/invoice-address").get_data(as_text=True)
    for label in ("Namn", "Gata", "Gatunummer", "Postnummer", "Ort"):
        assert f'class="required">{label}</label>' in html
    html = demo_client.get(f"/accounts/{sub1}/address").get_data(as_text=True)
    assert 'class="required">Adress</label>' in html
    assert ">c/o</label>" in html and 'class="required">c/o' not in html


def test_new_reference_applies_to_coming_invoices_only(demo_client, login):
    from models import Invoice

    login(demo_client, ADMIN)
    sub1 = account(SUB1)
    before = {i.id: i.reference for i in Invoice.select().where(Invoice.account == sub1.id)}
    assert before
    demo_client.post(f"/accounts/{sub1.id}/reference", data={"invoice_reference": "Ny ref"})
    assert account(SUB1).invoice_reference == "Ny ref"
    after = {i.id: i.reference for i in Invoice.select().where(Invoice.account == sub1.id)}
    assert after == before


def test_unchanged_values_write_no_audit_row(demo_client, login):
    login(demo_client, ADMIN)
    sub1 = account(SUB1)
    before_audit = audit_count()
    response = demo_client.post(
        f"/accounts/{sub1.id}/reference",
        data={"invoice_reference": sub1.invoice_reference},
        headers=HTMX,
    )
    assert response.status_code == 200 and "closeDialog" in triggers(response)
    assert audit_count() == before_audit


def test_edit_dialog_is_prefilled(demo_client, login):
    login(demo_client, ADMIN)
    html = demo_client.get(f"/accounts/{account(SUB1).id}/reference").get_data(as_text=True)
    assert 'value="Testreferens"' in html


# ----------------------------------------------------------------------------- contacts

VALID_CONTACT = {
    "name": "Greta Ek",
    "role": "finance",
    "phone": "",
    "mobile": "+46 70-123 45 67",
    "email": "greta@a3demo.se",
    "notify_billing": "y",
}


def test_add_contact_with_role_and_notifications(demo_client, login):
    from models import Contact

    login(demo_client, ADMIN)
    sub1 = account(SUB1)
    response = demo_client.post(
        f"/accounts/{sub1.id}/contacts/new", data=VALID_CONTACT, headers=HTMX
    )
    assert response.status_code == 200
    assert triggers(response)["contactsChanged"] == sub1.id
    contact = Contact.get(Contact.name == "Greta Ek")
    assert contact.account_id == sub1.id
    assert contact.organisation_id == sub1.organisation_id
    assert contact.mobile == "0701234567"  # stored normalised
    assert contact.role == "finance"
    assert (contact.notify_billing, contact.notify_technical, contact.notify_outage) == (
        True,
        False,
        False,
    )
    assert last_audit().action == "contact.create"
    html = demo_client.get(f"/accounts/{sub1.id}/contacts", headers=HTMX).get_data(as_text=True)
    assert "Greta Ek" in html and "Ekonomi" in html and "Fakturor och ekonomi" in html


INVALID_CONTACTS = [
    ({"name": "", "email": "a@b.se"}, "Ange ett namn."),
    ({"name": "Utan kontaktväg"}, "Fyll i minst ett av telefonnummer, mobilnummer och e-post."),
    ({"name": "X", "email": "inte-en-adress"}, "Ange en giltig e-postadress."),
    ({"name": "X", "mobile": "08-123 456 78"}, "08-123 456 78 är inte ett mobilnummer"),
    ({"name": "X", "phone": "12345"}, "Ange ett telefonnummer som börjar med 0 eller +46."),
    ({"name": "X", "mobile": "0701234567", "notify_outage": "y"}, "Ange e-post för att kunna få"),
    ({"name": "X", "email": "a@b.se", "role": "boss"}, "field-error"),
]


@pytest.mark.parametrize("form, message", INVALID_CONTACTS)
def test_invalid_contact_is_never_written(demo_client, login, form, message):
    from models import Contact

    login(demo_client, ADMIN)
    sub1 = account(SUB1)
    count, before_audit = Contact.select().count(), audit_count()
    data = {"role": "contact", **form}
    response = demo_client.post(f"/accounts/{sub1.id}/contacts/new", data=data, headers=HTMX)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert Contact.select().count() == count
    assert audit_count() == before_audit


def test_edit_contact(demo_client, login):
    from models import Contact

    login(demo_client, ADMIN)
    sub1 = account(SUB1)
    contact = Contact.get(Contact.name == "Tommy Frost")
    html = demo_client.get(f"/accounts/{sub1.id}/contacts/{contact.id}/edit").get_data(as_text=True)
    assert 'value="Tommy Frost"' in html and "checked" in html
    data = {**VALID_CONTACT, "name": "Tommy Frost", "role": "agreement", "email": "tf@a3demo.se"}
    response = demo_client.post(
        f"/accounts/{sub1.id}/contacts/{contact.id}/edit", data=data, headers=HTMX
    )
    assert triggers(response)["contactsChanged"] == sub1.id
    contact = Contact.get_by_id(contact.id)
    assert (contact.role, contact.email, contact.notify_technical) == (
        "agreement",
        "tf@a3demo.se",
        False,
    )
    entry = last_audit()
    assert entry.action == "contact.update"
    assert json.loads(entry.before)["role"] == "technical"


def test_invalid_contact_edit_is_never_written(demo_client, login):
    from models import Contact

    login(demo_client, ADMIN)
    contact = Contact.get(Contact.name == "Tommy Frost")
    before = row(Contact, contact.id)
    response = demo_client.post(
        f"/accounts/{account(SUB1).id}/contacts/{contact.id}/edit",
        data={"name": "Tommy Frost", "role": "technical", "mobile": "", "email": ""},
    )
    assert response.status_code == 200
    assert row(Contact, contact.id) == before


def test_remove_contact(demo_client, login):
    from models import Contact

    login(demo_client, ADMIN)
    sub1 = account(SUB1)
    contact = Contact.get(Contact.name == "Tommy Frost")
    html = demo_client.get(f"/accounts/{sub1.id}/contacts/{contact.id}/delete").get_data(
        as_text=True
    )
    assert "Vill du ta bort kontaktpersonen" in html
    response = demo_client.post(f"/accounts/{sub1.id}/contacts/{contact.id}/delete", headers=HTMX)
    assert triggers(response)["contactsChanged"] == sub1.id
    assert Contact.get_or_none(Contact.id == contact.id) is None
    entry = last_audit()
    assert entry.action == "contact.delete"
    assert json.loads(entry.before)["name"] == "Tommy Frost"


def test_contact_linked_to_a_portal_user_cannot_be_removed(demo_client, login):
    from models import Contact

    login(demo_client, ADMIN)
    sub1 = account(SUB1)
    contact = Contact.get(Contact.name == "Karl Berg")  # konto@a3demo.se
    url = f"/accounts/{sub1.id}/contacts/{contact.id}/delete"
    html = demo_client.get(url, headers=HTMX).get_data(as_text=True)
    assert "kopplad till portalanvändaren konto@a3demo.se och kan inte tas bort" in html
    assert 'type="submit"' not in html
    before_audit = audit_count()
    response = demo_client.post(url, headers=HTMX)
    assert response.status_code == 200
    assert "kan inte tas bort" in response.get_data(as_text=True)
    assert "HX-Trigger" not in response.headers
    assert Contact.get_or_none(Contact.id == contact.id) is not None
    assert audit_count() == before_audit


def test_contact_named_on_an_order_cannot_be_removed(demo_client, login):
    from database import write_tx
    from models import Contact, Order

    contact = Contact.get(Contact.name == "Tommy Frost")
    with write_tx():
        Order.update(extra_contact=contact.id).where(
            Order.id == Order.select(Order.id).limit(1)
        ).execute()
    login(demo_client, ADMIN)
    response = demo_client.post(f"/accounts/{account(SUB1).id}/contacts/{contact.id}/delete")
    assert response.status_code == 200
    assert "angiven som kontaktperson på en eller flera beställningar" in response.get_data(
        as_text=True
    )
    assert Contact.get_or_none(Contact.id == contact.id) is not None


# ----------------------------------------------------------------------------- new accounts

NEW_ACCOUNT = {
    "parent": SUB1,
    "org_number": "556629-0549",
    "company_name": "A3 Demo Connect Luleå",
    "alias": "Luleå",
    "care_of": "",
    "street": "Storgatan 1",
    "postcode": "972 31",
    "city": "Luleå",
}


def test_add_subaccount_dialog_presets_the_parent(demo_client, login):
    login(demo_client, ADMIN)
    sub1 = account(SUB1)
    html = demo_client.get(f"/accounts/new?parent={sub1.id}", headers=HTMX).get_data(as_text=True)
    assert "Skapa nytt konto" in html
    assert f'<option value="{SUB1}" selected>' in html
    assert "Använd samma uppgifter som huvudkonto" in html
    for label in (
        "Välj huvudkonto",
        "Organisationsnummer",
        "Företagsnamn",
        "Adress",
        "Postnummer",
        "Ort",
    ):
        assert f'class="required">{label}</label>' in html
    for label in ("Alias", "c/o"):
        assert f">{label}</label>" in html and f'class="required">{label}<' not in html


def test_nytt_konto_presets_the_users_top_account(demo_client, login):
    grant(ACCOUNT_ADMIN, "accounts.create")
    login(demo_client, ACCOUNT_ADMIN)
    html = demo_client.get("/accounts/new").get_data(as_text=True)
    assert f'<option value="{SUB1}" selected>' in html
    assert f'<option value="{TOP}"' not in html  # only accounts in scope are offered


def test_add_subaccount_creates_it_with_a_system_number(demo_client, login):
    from models import Account, AuditLog

    login(demo_client, ADMIN)
    parent = account(SUB1)
    response = demo_client.post(f"/accounts/new?parent={parent.id}", data=NEW_ACCOUNT, headers=HTMX)
    assert response.status_code == 200
    created = Account.get(Account.company_name == "A3 Demo Connect Luleå")
    events = triggers(response)
    assert events["accountCreated"] == {"id": created.id, "parent": parent.id}
    assert created.customer_number == "23090000"  # the first number of the sequence
    assert created.parent_id == parent.id
    assert created.path == f"{parent.path}{created.id}/"
    assert created.depth == parent.depth + 1
    assert created.org_number == "5566290549"
    assert created.postcode == "97231"
    assert created.alias == "Luleå"
    assert created.invoice_reference == ""  # the reference is set with its own dialog
    assert created.invoice_street == parent.invoice_street  # billed like the parent
    entry = AuditLog.get(AuditLog.action == "account.create")
    assert entry.object_id == str(created.id)
    assert json.loads(entry.after)["parent"] == SUB1
    # the next one gets the next number
    demo_client.post("/accounts/new", data={**NEW_ACCOUNT, "company_name": "Nummer två"})
    assert Account.get(Account.company_name == "Nummer två").customer_number == "23090001"


def test_copy_from_parent_fills_all_but_alias_and_saves_nothing(demo_client, login):
    from models import Account

    login(demo_client, ADMIN)
    count, before_audit = Account.select().count(), audit_count()
    response = demo_client.post(
        "/accounts/new", data={"parent": SUB12, "alias": "Mitt alias", "copy": "1"}, headers=HTMX
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="A3 Demo Connect underkonto 1.2"' in html
    assert 'value="Storgatan 12"' in html and 'value="93131"' in html
    assert 'value="Skellefteå"' in html and 'value="556629-0549"' in html
    assert 'value="Mitt alias"' in html  # the alias is not copied, what was typed stays
    assert 'class="field-error"' not in html
    assert Account.select().count() == count
    assert audit_count() == before_audit


INVALID_NEW = [
    ({"org_number": "5566290548"}, "Ange ett giltigt organisationsnummer"),
    ({"org_number": "55662905"}, "Ange ett giltigt organisationsnummer"),
    ({"company_name": ""}, "Ange ett företagsnamn."),
    ({"street": ""}, "Ange en adress."),
    ({"postcode": "9723"}, "Ange postnumret med fem siffror"),
    ({"city": ""}, "Ange en ort."),
    ({"parent": ""}, "Ange ett huvudkonto."),
    ({"parent": "12345678"}, "Välj ett huvudkonto som du har behörighet till."),
    ({"parent": NORRBYGG}, "Välj ett huvudkonto som du har behörighet till."),
]


@pytest.mark.parametrize("change, message", INVALID_NEW)
def test_invalid_new_account_is_never_written(demo_client, login, change, message):
    from models import Account, Sequence

    login(demo_client, ADMIN)
    count, before_audit = Account.select().count(), audit_count()
    sequence = list(Sequence.select().dicts())
    response = demo_client.post("/accounts/new", data={**NEW_ACCOUNT, **change}, headers=HTMX)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert Account.select().count() == count
    assert audit_count() == before_audit
    assert list(Sequence.select().dicts()) == sequence


def test_account_administrator_cannot_create_outside_their_branch(demo_client, login):
    from models import Account

    grant(ACCOUNT_ADMIN, "accounts.create")
    login(demo_client, ACCOUNT_ADMIN)
    count = Account.select().count()
    response = demo_client.post("/accounts/new", data={**NEW_ACCOUNT, "parent": TOP})
    assert response.status_code == 200
    assert "Välj ett huvudkonto som du har behörighet till." in response.get_data(as_text=True)
    assert demo_client.get(f"/accounts/new?parent={account(TOP).id}").status_code == 404
    assert Account.select().count() == count
    response = demo_client.post("/accounts/new", data={**NEW_ACCOUNT, "parent": SUB11})
    assert response.status_code == 303
    created = Account.get(Account.company_name == NEW_ACCOUNT["company_name"])
    assert created.parent_id == account(SUB11).id


def test_without_accounts_create_no_new_account(demo_client, login):
    from models import Account

    revoke(ADMIN, "accounts.create")
    login(demo_client, ADMIN)
    count = Account.select().count()
    assert demo_client.get("/accounts/new").status_code == 403
    assert demo_client.post("/accounts/new", data=NEW_ACCOUNT).status_code == 403
    assert Account.select().count() == count
    html = demo_client.get(f"/accounts/{account(SUB1).id}").get_data(as_text=True)
    assert "Lägg till underkonto" not in html and "Redigera alias" in html


def test_system_number_skips_numbers_already_taken(demo_client, login):
    """An imported account may already hold the next number of the sequence."""
    from database import write_tx
    from domain.accounts import create_account
    from models import Account

    top = account(TOP)
    with write_tx():
        create_account(top.organisation, top, "23090000", company_name="Importerat")
    login(demo_client, ADMIN)
    demo_client.post("/accounts/new", data=NEW_ACCOUNT)
    assert Account.get(Account.company_name == NEW_ACCOUNT["company_name"]).customer_number == (
        "23090001"
    )


def test_ticket_and_order_links_preselect_the_account(demo_client, login, monkeypatch):
    """Skapa ärende / Skapa beställning lead to those areas once they exist."""
    from blueprints.accounts import views

    sub1 = account(SUB1)
    monkeypatch.setattr(
        views,
        "url_if",
        lambda endpoint, **values: f"/{endpoint.split('.')[0]}/new?account={values['account']}",
    )
    login(demo_client, ADMIN)
    html = demo_client.get(f"/accounts/{sub1.id}").get_data(as_text=True)
    assert f'href="/tickets/new?account={sub1.id}">Skapa ärende</a>' in html
    assert f'href="/orders/new?account={sub1.id}">Skapa beställning</a>' in html


def test_ticket_and_order_links_are_hidden_while_those_pages_do_not_exist(demo_client, login):
    login(demo_client, ADMIN)
    html = demo_client.get(f"/accounts/{account(SUB1).id}").get_data(as_text=True)
    from flask import current_app

    for endpoint, label in (("tickets.new", "Skapa ärende"), ("orders.new", "Skapa beställning")):
        assert (label in html) == (endpoint in current_app.view_functions)
