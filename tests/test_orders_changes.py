"""A sent order changed (a new version, e-mails), undone, an offert accepted
or declined (ORD-1, ORD-5, issue 14 item 4). Each conditional: a double
submit counts once."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.orders import changes
from tests.conftest import ACCOUNT_ADMIN, ADMIN
from tests.order_factory import make_order, reload
from tests.test_orders_page import text


def change_form(order, **values) -> dict:
    form = {
        "version": str(order.version),
        "desired_date": order.desired_date.isoformat(),
        "end_user": order.end_user,
        "delivery_name": order.delivery_name,
        "delivery_street": order.delivery_street,
        "delivery_postcode": order.delivery_postcode,
        "delivery_city": order.delivery_city,
        "contact_phone": order.contact_phone,
        "contact_email": order.contact_email,
        "extra_contact": str(order.extra_contact_id or ""),
        "comment": "",
    }
    line = order.lines.where(order.lines.model.parent.is_null()).get()
    form[f"end_user_{line.id}"] = "Anna Lind"
    form.update(values)
    return form


def outbox(subject_part: str = "") -> list:
    from tables.ops import OutboxMessage

    return [
        m for m in OutboxMessage.select().order_by(OutboxMessage.id) if subject_part in m.subject
    ]


def versions_of(order) -> list[int]:
    from tables.orders import OrderVersion

    query = OrderVersion.select().where(OrderVersion.order == order.id)
    return [v.version for v in query.order_by(OrderVersion.version)]


def test_change_makes_v1_with_what_changed_and_mails_creator_and_contacts(demo_client, login):
    order = make_order(ADMIN)
    new_date = dt.date.today() + dt.timedelta(days=30)
    login(demo_client, ADMIN)
    response = demo_client.post(
        f"/orders/{order.id}/change",
        data=change_form(order, desired_date=new_date.isoformat(), delivery_city="Luleå"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "closeDialog" in response.headers["HX-Trigger"]
    assert "orderChanged" in response.headers["HX-Trigger"]
    order = reload(order)
    assert (order.version, order.desired_date, order.delivery_city) == (1, new_date, "Luleå")
    assert versions_of(order) == [0, 1]
    page = text(demo_client.get(f"/orders/{order.id}"))
    assert f"Beställning {order.number} v1" in page
    versions = page.split("Versioner", 1)[1]
    assert f"{order.number} v1" in versions and f"{order.number} v0" in versions
    assert f"Önskat aktiveringsdatum: {(new_date - dt.timedelta(days=20)).isoformat()}" in versions
    assert f"→ {new_date.isoformat()}" in versions and "Ort: Umeå → Luleå" in versions
    assert "Ändrad till v1" in page.split("Historik", 1)[1]
    mails = outbox(f"{order.number} v1 har ändrats")
    assert sorted(m.recipient for m in mails) == sorted([order.created_by.email, "inkop@a3demo.se"])
    assert "Ort: Umeå → Luleå" in mails[0].body and f"/orders/{order.id}" in mails[0].body


def test_line_end_user_changes(demo_client, login):
    order = make_order(ADMIN)
    line = order.lines.where(order.lines.model.parent.is_null()).get()
    login(demo_client, ADMIN)
    demo_client.post(
        f"/orders/{order.id}/change", data=change_form(order, **{f"end_user_{line.id}": "Bo Ek"})
    )
    assert reload(order).version == 1
    assert "Slutanvändare/Alias Bo Ek" in text(demo_client.get(f"/orders/{order.id}"))


def test_change_mail_arrives_at_the_smtp_server(demo_client, login, smtp_server):
    demo_client.application.config.update(smtp_server.config)
    order = make_order(ADMIN, contact_email="")
    login(demo_client, ADMIN)
    demo_client.post(
        f"/orders/{order.id}/change", data=change_form(order, delivery_street="Kungsgatan 5")
    )
    assert reload(order).version == 1
    assert [m["To"] for m in smtp_server.messages] == [order.created_by.email]
    message = smtp_server.messages[0]
    assert message["Subject"] == f"Beställning {order.number} v1 har ändrats"
    assert "Kungsgatan 5" in message.get_content()


def test_no_mail_when_the_company_profile_switch_is_off(demo_client, login):
    from database import write_tx
    from tables.org import CompanyProfile

    order = make_order(ADMIN)
    with write_tx():
        CompanyProfile.update(notify_email=False).where(
            CompanyProfile.organisation == order.organisation_id
        ).execute()
    login(demo_client, ADMIN)
    demo_client.post(f"/orders/{order.id}/change", data=change_form(order, delivery_city="Piteå"))
    assert reload(order).version == 1
    assert outbox(str(order.number)) == []


def test_nothing_changed_keeps_the_version(demo_client, login):
    order = make_order(ADMIN)
    login(demo_client, ADMIN)
    demo_client.post(f"/orders/{order.id}/change", data=change_form(order))
    assert reload(order).version == 0
    assert versions_of(order) == [0]


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("desired_date", (dt.date.today() - dt.timedelta(days=1)).isoformat(), "redan passerat"),
        ("desired_date", "2026-02-30", "Datumet finns inte"),
        ("desired_date", "imorgon", "ÅÅÅÅ-MM-DD"),
        ("delivery_postcode", "9032", "fem siffror"),
        ("contact_email", "inte-en-adress", "giltig e-postadress"),
        ("extra_contact", "999999", "Välj en kontaktperson"),
        ("delivery_city", "x" * 201, "Högst 200 tecken"),
    ],
)
def test_bad_input_is_explained_next_to_the_field(demo_client, login, field, value, message):
    order = make_order(ADMIN)
    login(demo_client, ADMIN)
    response = demo_client.post(
        f"/orders/{order.id}/change",
        data=change_form(order, **{field: value}),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html and "closeDialog" not in response.headers.get("HX-Trigger", "")
    assert f'id="{field}-error"' in html and message in html
    assert reload(order).version == 0
    assert outbox(str(order.number)) == []


def test_another_organisations_contact_is_refused(demo_client, login):
    from tables.org import Contact, Organisation

    order = make_order(ADMIN)
    other = Contact.get(Contact.organisation != order.organisation_id)
    assert Organisation.get_by_id(other.organisation_id)
    login(demo_client, ADMIN)
    html = demo_client.post(
        f"/orders/{order.id}/change", data=change_form(order, extra_contact=str(other.id))
    ).get_data(as_text=True)
    assert 'id="extra_contact-error"' in html
    assert reload(order).extra_contact_id is None


@pytest.mark.parametrize("status", ["in_progress", "completed", "cancelled", "draft"])
def test_change_refused_once_staff_started_or_closed(demo_client, login, status):
    order = make_order(ADMIN, status=status)
    login(demo_client, ADMIN)
    assert demo_client.get(f"/orders/{order.id}/change").status_code == 403
    response = demo_client.post(
        f"/orders/{order.id}/change", data=change_form(order, delivery_city="Kiruna")
    )
    assert response.status_code == 403
    if status == "in_progress":
        assert "handläggningen har påbörjats" in response.get_data(as_text=True)
    assert reload(order).delivery_city == "Umeå" and reload(order).version == 0
    assert "/change" not in demo_client.get(f"/orders/{order.id}").get_data(as_text=True)


def test_double_submitted_change_counts_once(demo_client, login):
    order = make_order(ADMIN)
    login(demo_client, ADMIN)
    form = change_form(order, delivery_city="Skellefteå")
    first = demo_client.post(f"/orders/{order.id}/change", data=form)
    second = demo_client.post(
        f"/orders/{order.id}/change", data=form, headers={"HX-Request": "true"}
    )
    assert first.status_code == 303
    assert "ladda om sidan" in second.get_data(as_text=True)
    assert reload(order).version == 1 and versions_of(order) == [0, 1]
    assert len(outbox(f"{order.number} v1 har ändrats")) == 2  # creator + contact, once each
    assert outbox(f"{order.number} v2") == []


def test_change_restarts_approval_only_with_a_chain(demo_client, login, monkeypatch):
    """With approvals on the order, a change sends it through the chain again."""
    from database import write_tx
    from domain.orders import approvals, changes
    from tables.orders import OrderApproval
    from tables.org import User

    calls = []
    monkeypatch.setattr(approvals, "restart", lambda order, user: calls.append((order.id, user.id)))

    plain = make_order(ADMIN)
    chained = make_order(ADMIN, status="awaiting_approval")
    with write_tx():
        OrderApproval.create(order=chained, position=1, approver=User.get(User.username == ADMIN))
    with write_tx():
        changes.change_order(reload(plain), plain.created_by, {"delivery_city": "Boden"})
        changes.change_order(reload(chained), chained.created_by, {"delivery_city": "Boden"})
    assert calls == [(chained.id, chained.created_by_id)]


# --------------------------------------------------------------------------- Ångra


def test_undo_cancels_records_who_and_releases_numbers(demo_client, login):
    from database import write_tx
    from tables.orders import OrderEvent, PoolNumber

    order = make_order(ADMIN)
    with write_tx():
        PoolNumber.create(number="0709990001", status="reserved", order=order)
    login(demo_client, ADMIN)
    assert "Ångra beställningen" in demo_client.get(f"/orders/{order.id}/undo").get_data(
        as_text=True
    )
    response = demo_client.post(f"/orders/{order.id}/undo", data={"seen_status": "received"})
    assert response.status_code == 303
    order = reload(order)
    assert order.status == "cancelled"
    event = OrderEvent.select().where(OrderEvent.order == order.id).order_by(OrderEvent.id.desc())
    last = event.first()
    assert (last.to_status, last.user_id) == ("cancelled", order.created_by_id)
    assert order.created_by.name in last.comment
    assert PoolNumber.get(PoolNumber.number == "0709990001").status == "free"
    assert len(outbox(f"{order.number} v0: Avbruten")) == 2
    page = text(demo_client.get(f"/orders/{order.id}"))
    assert f"Ångrad av {order.created_by.name}" in page


def test_undo_needs_orders_undo(demo_client, login):
    from tables.org import Account

    sub = Account.get(Account.customer_number == "99500852")
    order = make_order(ACCOUNT_ADMIN, account=sub)
    login(demo_client, ACCOUNT_ADMIN)  # orders.create and orders.manage, not orders.undo
    assert f"/orders/{order.id}/undo" not in demo_client.get(f"/orders/{order.id}").get_data(
        as_text=True
    )
    response = demo_client.post(f"/orders/{order.id}/undo", data={"seen_status": "received"})
    assert response.status_code == 403
    assert reload(order).status == "received"


@pytest.mark.parametrize("status", ["in_progress", "completed", "rejected"])
def test_undo_only_before_processing(demo_client, login, status):
    order = make_order(ADMIN, status=status)
    login(demo_client, ADMIN)
    response = demo_client.post(f"/orders/{order.id}/undo", data={"seen_status": status})
    assert response.status_code == 403
    assert reload(order).status == status


def test_undo_allowed_while_awaiting_approval(demo_client, login):
    order = make_order(ADMIN, status="awaiting_approval")
    login(demo_client, ADMIN)
    demo_client.post(f"/orders/{order.id}/undo", data={"seen_status": "awaiting_approval"})
    assert reload(order).status == "cancelled"


def test_double_submitted_undo_counts_once(demo_client, login):
    from tables.orders import OrderEvent

    order = make_order(ADMIN)
    login(demo_client, ADMIN)
    demo_client.post(f"/orders/{order.id}/undo", data={"seen_status": "received"})
    demo_client.post(f"/orders/{order.id}/undo", data={"seen_status": "received"})
    events = OrderEvent.select().where(
        (OrderEvent.order == order.id) & (OrderEvent.to_status == "cancelled")
    )
    assert events.count() == 1


def test_undo_of_an_order_changed_meanwhile_is_a_conflict(demo_client, login):
    from database import write_tx
    from domain.orders.flow import set_status

    order = make_order(ADMIN)
    login(demo_client, ADMIN)
    with write_tx():
        set_status(reload(order), "in_progress", comment="Staff började")
    # the dialog was opened while it was Mottagen
    response = demo_client.post(f"/orders/{order.id}/undo", data={"seen_status": "received"})
    assert reload(order).status == "in_progress"
    assert response.status_code == 403


# --------------------------------------------------------------------------- offert


def test_accept_an_answered_offert(demo_client, login):
    order = make_order(ADMIN, status="answered", is_quote=True, answer="Pris: 1 200 kr/mån")
    login(demo_client, ADMIN)
    page = demo_client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Offerten är besvarad" in page and "Pris: 1 200 kr/mån" in page
    response = demo_client.post(f"/orders/{order.id}/accept", data={"seen_status": "answered"})
    assert response.status_code == 303
    order = reload(order)
    assert (order.status, order.is_quote) == ("received", True)
    assert outbox(f"Offert {order.number} v0: Mottagen")
    # once
    again = demo_client.post(f"/orders/{order.id}/accept", data={"seen_status": "answered"})
    assert again.status_code == 403


def test_decline_an_answered_offert(demo_client, login):
    order = make_order(ADMIN, status="answered", is_quote=True, answer="Pris: 900 kr")
    login(demo_client, ADMIN)
    demo_client.post(
        f"/orders/{order.id}/decline", data={"seen_status": "answered", "comment": "För dyrt"}
    )
    order = reload(order)
    assert order.status == "declined"
    assert "Offerten avböjd av" in text(demo_client.get(f"/orders/{order.id}"))
    assert "För dyrt" in text(demo_client.get(f"/orders/{order.id}"))


@pytest.mark.parametrize("status, quote", [("received", True), ("answered", False)])
def test_accept_needs_an_answered_offert(demo_client, login, status, quote):
    order = make_order(ADMIN, status=status, is_quote=quote)
    login(demo_client, ADMIN)
    assert (
        demo_client.post(f"/orders/{order.id}/accept", data={"seen_status": status}).status_code
        == 403
    )
    assert reload(order).status == status


# --------------------------------------------------------------------------- staff, status mail


def test_staff_change_needs_a_comment_and_raises_the_version(demo_app):
    from database import write_tx
    from domain.orders import changes
    from tables.org import StaffUser

    order = make_order(ADMIN, status="in_progress")
    staff = StaffUser.select().first()
    with pytest.raises(changes.ChangeError) as error, write_tx():
        changes.change_by_staff(reload(order), staff, {"desired_date": order.desired_date}, "")
    assert error.value.field == "comment"
    line = order.lines.where(order.lines.model.parent.is_null()).get()
    with write_tx():
        diff = changes.change_by_staff(
            reload(order), staff, {f"number_{line.id}": "070-999 88 77"}, "Numret var upptaget"
        )
    assert diff == [("Mobil Fastpris: Mobilnummer", "070-111 22 33", "070-999 88 77")]
    assert reload(order).version == 1
    mail = outbox(f"{order.number} v1 har ändrats")[0]
    assert "Numret var upptaget" in mail.body


def test_notify_status_goes_to_creator_and_contacts(demo_app):
    from database import write_tx
    from domain.orders.flow import set_status
    from domain.orders.notices import notify_status
    from tables.org import Contact

    contact = Contact.get(
        (Contact.organisation == 1) & (Contact.email != "") & (Contact.email != "inkop@a3demo.se")
    )
    order = make_order(ADMIN, extra_contact=contact)
    with write_tx():
        set_status(order, "in_progress")
        assert notify_status(order) == 3
    recipients = {m.recipient for m in outbox(f"{order.number} v0: Pågår")}
    assert recipients == {order.created_by.email, contact.email, "inkop@a3demo.se"}


# --------------------------------------------------------------------------- sent again


def _rejected_with_chain():
    from database import write_tx
    from domain.orders import approvals
    from tables.orders import PoolNumber
    from tables.org import User

    order = make_order(ACCOUNT_ADMIN, status="draft")
    with write_tx():
        order.product_area = "mobile"
        order.save()
        PoolNumber.create(number="0701112233", kind="mobile", status="reserved", order=order.id)
    approvals.start(reload(order), reload(order).created_by)
    approvals.reject(reload(order), User.get(User.username == ADMIN), "Fel konto")
    return reload(order)


def test_a_rejected_order_corrected_is_sent_again_through_the_chain(demo_app):
    from database import write_tx
    from tables.orders import OrderApproval, PoolNumber

    order = _rejected_with_chain()
    assert order.status == "rejected"
    assert PoolNumber.get(PoolNumber.number == "0701112233").status == "free"
    with write_tx():
        diff = changes.change_order(order, order.created_by, {"delivery_city": "Luleå"})
    order = reload(order)
    assert ("Ort", "Umeå", "Luleå") in diff
    assert (order.status, order.version) == ("awaiting_approval", 1)
    steps = list(OrderApproval.select().where(OrderApproval.order == order.id))
    assert steps and all(s.status in ("pending", "passed") for s in steps)  # from the start
    assert PoolNumber.get(PoolNumber.number == "0701112233").order_id == order.id


def test_only_the_creator_sends_a_rejected_order_again(demo_app):
    from database import write_tx
    from tables.org import User

    order = _rejected_with_chain()
    admin = User.get(User.username == ADMIN)  # orders.manage, but not the creator
    assert changes.change_refusal(admin, order)
    with pytest.raises(changes.ChangeError), write_tx():
        changes.change_order(order, admin, {"delivery_city": "Luleå"})
    assert reload(order).status == "rejected"


def test_sent_again_refused_when_its_number_was_taken_meanwhile(demo_app):
    from database import write_tx
    from tables.orders import PoolNumber

    order = _rejected_with_chain()
    with write_tx():
        PoolNumber.update(status="reserved", order=None).where(
            PoolNumber.number == "0701112233"
        ).execute()
    with pytest.raises(changes.ChangeError, match="0701112233"), write_tx():
        changes.change_order(order, order.created_by, {"delivery_city": "Luleå"})
    order = reload(order)
    assert (order.status, order.version) == ("rejected", 0)  # nothing half-written
