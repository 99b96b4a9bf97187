"""Feedback after every action (issue 13 §3): a dialog that succeeds ends with
a short confirmation, sent as the ``showMessage`` event for htmx (before the
events that close the dialog and refresh the page) and flashed on the page
it returns to without htmx. Actions that go to another page (``dialogs.go``)
flash it there, where it becomes the same toast."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from database import write_tx
from domain import service_actions as sa
from domain.orders import service_requests
from models import Contact, Service, Ticket, User
from tests.accounts_fixtures import HTMX, SUB1, account
from tests.conftest import ACCOUNT_ADMIN, ADMIN, DEMO_PASSWORD, INVOICES_ONLY, STAFF
from tests.services_fixtures import demo_service

TOAST = re.compile(r'<div class="flash flash-success" role="status" data-toast>([^<]*)</div>')


def test_a_dialog_confirms_with_a_message_before_closing(demo_client, login):
    login(demo_client, ADMIN)
    sub1 = account(SUB1)
    response = demo_client.post(
        f"/accounts/{sub1.id}/alias", data={"alias": "Kontoret"}, headers=HTMX
    )
    assert response.status_code == 200
    events = json.loads(response.headers["HX-Trigger"])
    assert events["showMessage"] == "Aliaset är sparat."
    assert list(events)[0] == "showMessage" and list(events)[-1] == "closeDialog"


def test_without_htmx_the_confirmation_is_flashed_on_the_page(demo_client, login):
    login(demo_client, ADMIN)
    sub1 = account(SUB1)
    response = demo_client.post(
        f"/accounts/{sub1.id}/alias", data={"alias": "Kontoret"}, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert TOAST.findall(html) == ["Aliaset är sparat."]
    assert 'id="toasts"' in html and 'aria-live="polite"' in html


# --------------------------------------------------------------------------- every dialog
#
# Each case: who signs in, and a function giving the request (path and form)
# of one successful action on the demo data, and the confirmation it ends with.


def sub1_contact():
    return Contact.get(Contact.name == "Tommy Frost")


CONTACT = {
    "name": "Nina Nord",
    "role": "technical",
    "phone": "",
    "mobile": "0701234567",
    "email": "",
}
NEW_ACCOUNT = {
    "parent": SUB1,
    "company_name": "A3 Demo Norr",
    "org_number": "556629-0549",
    "street": "Storgatan 1",
    "postcode": "903 26",
    "city": "Umeå",
}


def mobile():
    return demo_service("mobile")


def pending_order():
    """A change waiting for the back office (a termination)."""
    service = mobile()
    args = sa.prepare_terminate(service, dt.date.today() + dt.timedelta(days=40))
    user = User.get(User.username == ADMIN)
    return service_requests.request(user, service, args.pop("op"), args.pop("payload"), **args)


def ticket(subject: str) -> Ticket:
    return Ticket.get(Ticket.subject == subject)


def eva() -> User:
    return User.get(User.username == INVOICES_ONLY)


def invited_eva() -> User:
    """Eva as a user who has not chosen a password yet."""
    user = eva()
    with write_tx():
        User.update(password_hash=None).where(User.id == user.id).execute()
    return user


TOASTS = {
    # Konton
    "alias": (ADMIN, lambda: (f"/accounts/{account(SUB1).id}/alias", {"alias": "Kontoret"}),
              "Aliaset är sparat."),
    "reference": (ADMIN, lambda: (f"/accounts/{account(SUB1).id}/reference",
                                  {"invoice_reference": "Projekt 42"}),
                  "Fakturareferensen är sparad."),
    "address": (ADMIN, lambda: (f"/accounts/{account(SUB1).id}/address",
                                {"street": "Box 3124", "postcode": "903 04", "city": "Umeå"}),
                "Adressen är sparad."),
    "contact-add": (ADMIN, lambda: (f"/accounts/{account(SUB1).id}/contacts/new", CONTACT),
                    "Kontaktpersonen Nina Nord är tillagd."),
    "contact-edit": (ADMIN, lambda: (
        f"/accounts/{account(SUB1).id}/contacts/{sub1_contact().id}/edit",
        {**CONTACT, "name": "Tommy Frost"}), "Kontaktpersonen Tommy Frost är sparad."),
    "contact-remove": (ADMIN, lambda: (
        f"/accounts/{account(SUB1).id}/contacts/{sub1_contact().id}/delete", {}),
        "Kontaktpersonen Tommy Frost är borttagen."),
    "account-new": (ADMIN, lambda: ("/accounts/new", NEW_ACCOUNT),
                    re.compile(r"Kontot \d+ A3 Demo Norr är skapat\.")),
    # Tjänster
    "user-name": (ADMIN, lambda: (f"/services/{mobile().id}/user-name",
                                  {"user_name": "Berit Ek"}), "Användaren är ändrad till Berit Ek."),
    "barring-add": (ADMIN, lambda: (f"/services/{mobile().id}/barrings", {"kind": "roaming"}),
                    "Spärren Roaming är tillagd."),
    "forwardings": (ADMIN, lambda: (f"/services/{mobile().id}/forwardings",
                                    {"busy_target": "0701234567"}),
                    "Vidarekopplingarna är sparade."),
    "external-username": (ADMIN, lambda: (f"/services/{mobile().id}/external-username",
                                          {"external_username": "crm-4711"}),
                          "Det externa användarnamnet är sparat."),
    "limits": (ADMIN, lambda: (f"/services/{mobile().id}/limits",
                               {"call_limit": "500", "data_limit": "2,5"}),
               "Förbrukningsgränserna är sparade."),
    "options": (ADMIN, lambda: (f"/services/{mobile().id}/options", {"roaming_data": "y"}),
                "Optionerna är sparade."),
    "auto-upgrade": (ADMIN, lambda: (f"/services/{mobile().id}/auto-upgrade",
                                     {"auto_upgrade": "y"}), "Auto-uppgraderingen är sparad."),
    "caller-id": (ADMIN, lambda: (f"/services/{mobile().id}/caller-id", {"mode": "hidden"}),
                  "Nummervisningen är sparad."),
    "invoice-text": (ADMIN, lambda: (f"/services/{mobile().id}/invoice-text",
                                     {"invoice_text": "Projekt Syd"}), "Fakturatexten är sparad."),
    "mex": (ADMIN, lambda: (f"/services/{demo_service('mobile_pbx').id}/mex",
                            {"mex_status": "out"}), "Växelstatusen är sparad."),
    "terminate": (ADMIN, lambda: (f"/services/{mobile().id}/terminate",
                                  {"end_date": (dt.date.today() + dt.timedelta(days=40)).isoformat()}),
                  re.compile(r"Beställningen \d+ v0 är mottagen: Avslut per \d{4}-\d\d-\d\d.*\.")),
    # Min profil
    "profile-details": (ADMIN, lambda: ("/profile/details", {
        "name": "Anna Lindqvist", "username": ADMIN, "email": ADMIN,
        "mobile": User.get(User.username == ADMIN).mobile, "language": "sv"}),
        "Dina uppgifter är sparade."),
    "profile-sessions": (ADMIN, lambda: ("/profile/sessions", {"current_password": DEMO_PASSWORD}),
                         "Du är utloggad från alla andra enheter."),
    # Ärenden
    "ticket-reply": (ACCOUNT_ADMIN, lambda: (
        f"/tickets/{ticket('Message Delivery Failure').id}/reply", {"body": "Här är ett exempel."}),
        "Ditt svar är skickat."),
    "ticket-close": (ACCOUNT_ADMIN, lambda: (
        f"/tickets/{ticket('Message Delivery Failure').id}/close", {"body": "Löst, tack!"}),
        "Ärendet är stängt."),
    # Back office
    "staff-ticket-reply": (STAFF, lambda: (
        f"/staff/tickets/{ticket('Fråga om faktura 6789').id}/reply",
        {"kind": "reply", "body": "Raden gäller samtal till utlandet.", "status": ""}),
        "Svaret är skickat."),
    "staff-ticket-note": (STAFF, lambda: (
        f"/staff/tickets/{ticket('Fråga om faktura 6789').id}/reply",
        {"kind": "note", "body": "Kollat.", "status": ""}), "Anteckningen är sparad."),
    "staff-ticket-update": (STAFF, lambda: (
        f"/staff/tickets/{ticket('Fråga om faktura 6789').id}/update",
        {"status": "in_progress", "priority": "2", "assigned_to": ""}), "Ärendet är uppdaterat."),
}  # fmt: skip


@pytest.mark.parametrize("case", TOASTS, ids=list(TOASTS))
def test_every_dialog_confirms_with_a_toast(demo_client, login, case):
    username, build, expected = TOASTS[case]
    login(demo_client, username)
    path, data = build()
    response = demo_client.post(path, data=data, headers=HTMX)
    assert response.status_code == 200
    events = json.loads(response.headers.get("HX-Trigger", "{}"))
    message = events.get("showMessage", "")
    if isinstance(expected, re.Pattern):
        assert expected.fullmatch(message), message
    else:
        assert message == expected
    assert list(events)[0] == "showMessage"
    assert "closeDialog" not in events or list(events)[-1] == "closeDialog"


def test_a_removed_barring_is_confirmed_too(demo_client, login):
    login(demo_client, ADMIN)
    service = mobile()
    demo_client.post(f"/services/{service.id}/barrings", data={"kind": "roaming"}, headers=HTMX)
    barring = Service.get_by_id(service.id).barrings.get()
    response = demo_client.post(
        f"/services/{service.id}/barrings/remove", data={"barring": barring.id}, headers=HTMX
    )
    assert json.loads(response.headers["HX-Trigger"])["showMessage"] == (
        "Spärren Roaming är borttagen."
    )


GOES = {
    # Användare: the page itself changes (status, the list)
    "user-deactivate": (ADMIN, lambda: (f"/users/{eva().id}/deactivate", {}),
                        "Användaren Eva Ek är inaktiverad och utloggad."),
    "user-activate": (ADMIN, lambda: (f"/users/{eva().id}/activate", {}),
                      "Användaren Eva Ek är aktiverad och kan logga in igen."),
    "user-remove": (ADMIN, lambda: (f"/users/{eva().id}/remove", {}),
                    "Användaren Eva Ek är borttagen."),
    "user-reset-2fa": (ADMIN, lambda: (f"/users/{eva().id}/reset-2fa", {}),
                       "Tvåstegsverifieringen för Eva Ek är återställd."),
    "user-unlock": (ADMIN, lambda: (f"/users/{eva().id}/unlock", {}),
                    "Inloggningsspärren för Eva Ek är hävd."),
    "user-invite": (ADMIN, lambda: (f"/users/{invited_eva().id}/invite", {}),
                    "En ny inbjudan har skickats till faktura@a3demo.se."),
    # Back office: the list of pending changes drops the handled one
    "change-complete": (STAFF, lambda: (f"/staff/changes/{pending_order().id}/complete",
                                        {"comment": ""}),
                        re.compile(r"Ändringen \d+ v0 är genomförd\.")),
    "change-reject": (STAFF, lambda: (f"/staff/changes/{pending_order().id}/reject",
                                      {"comment": "Fel datum"}),
                      re.compile(r"Ändringen \d+ v0 är avvisad\.")),
    "report-bug": (ADMIN, lambda: ("/profile/report-bug",
                                   {"subject": "Knappen", "body": "Den syns inte.", "page": ""}),
                   re.compile(r"Tack! Felrapporten är skickad som ärende \d+\. .*")),
}  # fmt: skip


@pytest.mark.parametrize("case", GOES, ids=list(GOES))
def test_dialogs_that_go_to_another_page_confirm_there(demo_client, login, case):
    username, build, expected = GOES[case]
    login(demo_client, username)
    path, data = build()
    response = demo_client.post(path, data=data, headers=HTMX)
    assert response.status_code == 200 and response.headers.get("HX-Redirect")
    page = demo_client.get(response.headers["HX-Redirect"]).get_data(as_text=True)
    toasts = TOAST.findall(page)
    assert len(toasts) == 1, toasts
    if isinstance(expected, re.Pattern):
        assert expected.fullmatch(toasts[0]), toasts[0]
    else:
        assert toasts[0] == expected


PLAIN = {
    "company": (ADMIN, "/company", {"notify_email": "it@a3demo.se", "delivery_postcode": ""},
                "Företagsprofilen är sparad."),
}  # fmt: skip


@pytest.mark.parametrize("case", PLAIN, ids=list(PLAIN))
def test_plain_forms_confirm_on_the_next_page(demo_client, login, case):
    username, path, data, expected = PLAIN[case]
    login(demo_client, username)
    response = demo_client.post(path, data=data, follow_redirects=True)
    assert TOAST.findall(response.get_data(as_text=True)) == [expected]


# --------------------------------------------------------------------------- the buttons


def dialog_html(client, path: str) -> str:
    return client.get(path, headers=HTMX).get_data(as_text=True)


def submit_button(html: str) -> str:
    return re.search(r'<button type="submit" class="([^"]*)">', html.split("dialog-actions")[1])[1]


DESTRUCTIVE = {
    "terminate": (ADMIN, lambda: f"/services/{mobile().id}/terminate"),
    "lost-sim": (ADMIN, lambda: f"/services/{mobile().id}/lost-sim"),
    "contact-remove": (ADMIN, lambda: (
        f"/accounts/{account(SUB1).id}/contacts/{sub1_contact().id}/delete")),
    "user-remove": (ADMIN, lambda: f"/users/{eva().id}/remove"),
    "user-deactivate": (ADMIN, lambda: f"/users/{eva().id}/deactivate"),
    "user-reset-2fa": (ADMIN, lambda: f"/users/{eva().id}/reset-2fa"),
    "2fa-off": (ADMIN, lambda: "/profile/2fa/off"),
    "change-reject": (STAFF, lambda: f"/staff/changes/{pending_order().id}/reject"),
}  # fmt: skip


@pytest.mark.parametrize("case", DESTRUCTIVE, ids=list(DESTRUCTIVE))
def test_destructive_dialogs_have_a_danger_button_and_a_neutral_cancel(demo_client, login, case):
    username, build = DESTRUCTIVE[case]
    login(demo_client, username)
    html = dialog_html(demo_client, build())
    assert submit_button(html) == "button danger"
    assert 'class="button cancel" data-close-dialog>Avbryt<' in html


@pytest.mark.parametrize(
    "username, build",
    [
        (ADMIN, lambda: f"/accounts/{account(SUB1).id}/alias"),
        (ADMIN, lambda: f"/services/{mobile().id}/user-name"),
        (ADMIN, lambda: f"/users/{eva().id}/activate"),
    ],
    ids=["alias", "user-name", "user-activate"],
)
def test_other_dialogs_have_the_action_as_primary(demo_client, login, username, build):
    login(demo_client, username)
    html = dialog_html(demo_client, build())
    assert submit_button(html) == "button primary"


def test_dialog_forms_disable_themselves_while_sending(demo_client, login):
    login(demo_client, ADMIN)
    html = dialog_html(demo_client, f"/accounts/{account(SUB1).id}/alias")
    assert 'hx-disabled-elt="find .dialog-fields"' in html
    assert '<fieldset class="dialog-fields" hx-disabled-elt="this">' in html
