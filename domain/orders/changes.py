"""A sent order changed (a new version), undone (Ångra beställning), an
offert accepted or declined, and the e-mails about each (ORD-1, ORD-5).

Every write here is conditional: it is made only if the order is still as
the caller saw it (status, and for a change its version), else
:class:`OrderConflict` is raised and nothing is written, so a double-clicked
button or two people acting at once change the order once.

Call the functions inside ``write_tx``; the e-mails are queued in the outbox
in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from database import utcnow
from domain import audit
from domain.formats import isodate, kr
from domain.numbers import format_phone, normalise_mobile, normalise_phone, normalise_postcode
from domain.orders import approvals, notices, pool
from domain.orders.flow import OrderConflict, save_version, set_status
from domain.orders.notices import notify_change, notify_status
from domain.text import N_, T_
from tables.orders import (
    ORDER_STATUSES,
    Order,
    OrderApproval,
    OrderEvent,
    OrderLine,
    PoolNumber,
)
from tables.org import Account, Contact
from tables.scope import visible_accounts

CONFLICT_MESSAGE = N_("Beställningen har ändrats av någon annan – ladda om sidan.")

# What the creator (or orders.manage) may change until staff start on it.
CHANGEABLE_STATUSES = ("awaiting_approval", "received")
# What staff may change (a delivery date, a number) until the order is closed.
STAFF_CHANGEABLE_STATUSES = ("awaiting_approval", "received", "in_progress", "answered")
UNDOABLE_STATUSES = ("awaiting_approval", "received")

# The order's own fields a change may touch, with their labels (the diff's words).
ORDER_FIELDS = {
    "desired_date": N_("Önskat aktiveringsdatum"),
    "end_user": N_("Slutanvändare/Alias"),
    "delivery_name": N_("Leveransmottagare"),
    "delivery_street": N_("Leveransadress"),
    "delivery_postcode": N_("Postnummer"),
    "delivery_city": N_("Ort"),
    "contact_phone": N_("Kontakttelefon"),
    "contact_email": N_("E-post för kontakt"),
    "extra_contact": N_("Extra kontaktperson"),
    "mobile_number": N_("Mobilnummer"),
}
CUSTOMER_FIELDS = tuple(k for k in ORDER_FIELDS if k != "mobile_number")
STAFF_FIELDS = ("desired_date", "mobile_number")

# Labels of the snapshot's keys that are not order fields (the diff's words).
SNAPSHOT_LABELS = {
    **ORDER_FIELDS,
    "agreement_number": N_("Ramavtalsnummer"),
    "billing_account": N_("Faktureringsadress"),
    "contact_method": N_("Kontaktsätt"),
    "is_quote": N_("Offert"),
    "comment": N_("Kommentar"),
    "quantity": N_("Antal"),
    "monthly_ore": N_("Månadskostnad"),
    "start_ore": N_("Startkostnad"),
    "binding_months": N_("Bindningstid"),
    "number": N_("Mobilnummer"),
    "sim": N_("SIM-kort"),
    "icc": N_("ICC"),
    "esim_email": N_("E-post för eSIM"),
    "number_choice": N_("Nummerval"),
    "port_org_number": N_("Nuvarande innehavares org.nr"),
    "port_date": N_("Porteringsdatum"),
    "mbb_public_ip": N_("MBB Publik IP"),
    "mbb_contact_number": N_("Kontaktnummer MBB"),
    "address": N_("Installationsadress"),
    "technology": N_("Teknik"),
    "summary": N_("Gäller"),
}

MAX_DAYS_AHEAD = 366
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ChangeError(Exception):
    """Bad input or a change not allowed; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# --------------------------------------------------------------------------- snapshots


def _details(line) -> dict:
    try:
        value = json.loads(line.details or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def snapshot(order: Order) -> dict:
    """What the order holds now, as one version stores it (OrderVersion)."""
    lines = []
    for line in order.lines.order_by(OrderLine.position, OrderLine.id):
        lines.append(
            {
                "id": line.id,
                "parent": line.parent_id,
                "name": line.name,
                "option_group": line.option_group,
                "quantity": line.quantity,
                "monthly_ore": line.monthly_ore,
                "start_ore": line.start_ore,
                "binding_months": line.binding_months,
                "details": _details(line),
            }
        )
    fields = {name: getattr(order, name) for name in ORDER_FIELDS if name != "extra_contact"}
    fields["desired_date"] = isodate(order.desired_date) if order.desired_date else ""
    fields["extra_contact"] = order.extra_contact.name if order.extra_contact_id else ""
    fields["billing_account"] = order.billing_account_id or ""
    fields["agreement_number"] = order.agreement_number
    fields["is_quote"] = order.is_quote
    out = {"order": fields, "lines": lines}
    if order.type != "new":
        try:
            out["payload"] = json.loads(order.payload or "{}")
        except ValueError:
            out["payload"] = {}
    return out


def _flatten(value, prefix: tuple = ()) -> dict:
    if isinstance(value, dict):
        out = {}
        for key, inner in value.items():
            out.update(_flatten(inner, (*prefix, str(key))))
        return out
    return {prefix: value}


def _shown(key: str, value) -> str:
    if value in (None, ""):
        return "–"
    if isinstance(value, bool):
        return N_("Ja") if value else N_("Nej")
    if key in ("monthly_ore", "start_ore") and isinstance(value, int):
        return kr(value)
    if key in ("number", "mobile_number", "contact_phone", "mbb_contact_number"):
        return format_phone(str(value))
    if isinstance(value, (list, dict)):
        return ", ".join(str(v) for v in value) if isinstance(value, list) else json.dumps(value)
    return str(value)


def differences(before: dict, after: dict) -> list[tuple[str, str, str]]:
    """What changed between two snapshots, as (what, before, after) in words.

    Lines are matched by id (a line added or removed shows as such);
    snapshots of other shapes (seeded ones, a service action's payload) are
    compared key by key."""
    out = []
    before_lines = {str(line.get("id")): line for line in before.get("lines", []) if _is_line(line)}
    after_lines = {str(line.get("id")): line for line in after.get("lines", []) if _is_line(line)}
    plain_before = {
        k: v for k, v in before.items() if k != "changes" and (k != "lines" or not before_lines)
    }
    plain_after = {
        k: v for k, v in after.items() if k != "changes" and (k != "lines" or not after_lines)
    }
    flat_before, flat_after = _flatten(plain_before), _flatten(plain_after)
    for path in sorted(set(flat_before) | set(flat_after), key=lambda p: list(p)):
        old, new = flat_before.get(path), flat_after.get(path)
        if old != new and path[-1] not in ("version", "id"):
            label = SNAPSHOT_LABELS.get(path[-1], path[-1])
            out.append((label, _shown(path[-1], old), _shown(path[-1], new)))
    for key in [*before_lines, *(k for k in after_lines if k not in before_lines)]:
        old, new = before_lines.get(key), after_lines.get(key)
        name = (new or old).get("name", "")
        if old is None:
            out.append((f"{name}", "–", N_("tillagd")))
            continue
        if new is None:
            out.append((f"{name}", N_("borttagen"), "–"))
            continue
        flat_old, flat_new = _flatten(old), _flatten(new)
        for path in sorted(set(flat_old) | set(flat_new), key=lambda p: list(p)):
            if path[-1] in ("id", "parent"):
                continue
            if flat_old.get(path) != flat_new.get(path):
                label = SNAPSHOT_LABELS.get(path[-1], path[-1])
                out.append(
                    (
                        f"{name}: {label}",
                        _shown(path[-1], flat_old.get(path)),
                        _shown(path[-1], flat_new.get(path)),
                    )
                )
    return out


def _is_line(line) -> bool:
    return isinstance(line, dict) and "id" in line


# --------------------------------------------------------------------------- who may do what


def _is_creator_or_manager(user, order: Order) -> bool:
    return order.created_by_id == user.id or user.has("orders.manage")


# "Beställningen kan inte ändras när den är …" per status, whole sentences so
# that each translates with its status in the right words.
NOT_CHANGEABLE = {
    "draft": N_("Beställningen kan inte ändras när den är utkast."),
    "completed": N_("Beställningen kan inte ändras när den är slutförd."),
    "cancelled": N_("Beställningen kan inte ändras när den är avbruten."),
    "rejected": N_("Beställningen kan inte ändras när den är avslagen."),
    "answered": N_("Beställningen kan inte ändras när den är besvarad."),
    "declined": N_("Beställningen kan inte ändras när den är avböjd."),
}


def not_changeable(order: Order) -> str:
    return NOT_CHANGEABLE.get(order.status) or T_(
        "Beställningen kan inte ändras när den är %(status)s.",
        status=ORDER_STATUSES[order.status].lower(),
    )


def change_refusal(user, order: Order) -> str | None:
    """Why ``user`` may not change ``order`` now; None when they may. An
    Avslagen order may be corrected and sent again by its creator."""
    if order.status == "rejected":
        if order.created_by_id != user.id:
            return N_("Bara den som lade beställningen kan ändra den och skicka den igen.")
        return None
    if not _is_creator_or_manager(user, order):
        return N_(
            "Bara den som lade beställningen eller den som hanterar beställningar kan ändra den."
        )
    if order.status == "in_progress":
        return N_("Beställningen kan inte ändras: handläggningen har påbörjats.")
    if order.status not in CHANGEABLE_STATUSES:
        return not_changeable(order)
    return None


def undo_refusal(user, order: Order) -> str | None:
    if not user.has("orders.undo"):
        return N_("Du har inte behörighet att ångra beställningar.")
    if not _is_creator_or_manager(user, order):
        return N_(
            "Bara den som lade beställningen eller den som hanterar beställningar kan ångra den."
        )
    if order.status not in UNDOABLE_STATUSES:
        return N_("Beställningen kan inte ångras: den är redan under behandling eller avslutad.")
    return None


def offer_refusal(user, order: Order) -> str | None:
    if not order.is_quote or order.status != "answered":
        return N_("Det finns ingen besvarad offert att ta ställning till.")
    if not _is_creator_or_manager(user, order):
        return N_("Bara den som begärde offerten eller den som hanterar beställningar kan svara.")
    return None


# --------------------------------------------------------------------------- input


def parse_changes(
    order: Order, changes: dict, allowed: tuple[str, ...], user=None, today=None
) -> dict:
    """The ``changes`` that differ from the order, checked and in stored
    form: order fields by name and ``lines`` as {line id: {key: value}}.
    Raises ChangeError on the first bad value (its field named)."""
    today = today or dt.date.today()
    out: dict = {}
    lines: dict[int, dict] = {}
    for key, raw in changes.items():
        if key.startswith(("end_user_", "number_")):
            name, _, line_id = key.rpartition("_")
            if (name == "end_user" and "end_user" not in allowed) or (
                name == "number" and "mobile_number" not in allowed
            ):
                raise ChangeError(N_("Fältet kan inte ändras."), key)
            line = _line_of(order, line_id, key)
            value = _clean_text(raw, key)
            if name == "number" and value:
                value = normalise_mobile(value) or _bad(
                    N_("Ange ett svenskt mobilnummer, t.ex. 070-123 45 67."), key
                )
            if value != _details(line).get(name, ""):
                lines.setdefault(line.id, {})[name] = value
            continue
        if key not in allowed:
            raise ChangeError(N_("Fältet kan inte ändras."), key)
        value = _parse_field(order, key, raw, user, today)
        current = getattr(order, f"{key}_id" if key == "extra_contact" else key)
        if value != current:
            out[key] = value
    if lines:
        out["lines"] = lines
    return out


def _bad(message: str, field: str):
    raise ChangeError(message, field)


def _clean_text(raw, field: str, limit: int = 200) -> str:
    value = ("" if raw is None else str(raw)).strip()
    if len(value) > limit:
        raise ChangeError(T_("Högst %(limit)s tecken.", limit=limit), field)
    return value


def _line_of(order: Order, raw_id: str, field: str) -> OrderLine:
    line = (
        OrderLine.get_or_none((OrderLine.id == int(raw_id)) & (OrderLine.order == order.id))
        if raw_id.isdigit() and len(raw_id) < 19
        else None
    )
    if line is None or line.parent_id is not None:
        raise ChangeError(N_("Raden finns inte i beställningen."), field)
    return line


def _parse_field(order, key: str, raw, user, today: dt.date):
    if key == "desired_date":
        if isinstance(raw, dt.date):
            value = raw
        else:
            text = _clean_text(raw, key)
            if not text:
                return None
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ChangeError(N_("Ange datum som ÅÅÅÅ-MM-DD."), key)
            try:
                value = dt.date.fromisoformat(text)
            except ValueError:
                raise ChangeError(N_("Datumet finns inte."), key) from None
        if value == order.desired_date:
            return value  # an unchanged date in the past is left as it is
        if value < today:
            raise ChangeError(
                N_("Datumet har redan passerat. Välj idag eller ett senare datum."), key
            )
        if value > today + dt.timedelta(days=MAX_DAYS_AHEAD):
            raise ChangeError(N_("Välj ett datum inom ett år."), key)
        return value
    if key == "delivery_postcode":
        text = _clean_text(raw, key)
        if not text:
            return ""
        return normalise_postcode(text) or _bad(N_("Ange postnumret med fem siffror."), key)
    if key == "contact_email":
        text = _clean_text(raw, key, 254)
        if text and not EMAIL_RE.match(text):
            raise ChangeError(N_("Ange en giltig e-postadress."), key)
        return text
    if key == "contact_phone":
        text = _clean_text(raw, key, 40)
        if not text:
            return ""
        return normalise_phone(text) or _bad(N_("Ange ett giltigt telefonnummer."), key)
    if key == "mobile_number":
        text = _clean_text(raw, key, 40)
        if not text:
            return ""
        return normalise_mobile(text) or _bad(
            N_("Ange ett svenskt mobilnummer, t.ex. 070-123 45 67."), key
        )
    if key == "extra_contact":
        text = _clean_text(raw, key, 20)
        if not text:
            return None
        query = Contact.select().where(
            (Contact.organisation == order.organisation_id) & (Contact.id == _int(text, key))
        )
        if user is not None and not user.is_staff:
            query = query.where(Contact.account.in_(visible_accounts(user).select(Account.id)))
        contact = query.get_or_none()
        if contact is None:
            raise ChangeError(N_("Välj en kontaktperson i listan."), key)
        return contact.id
    return _clean_text(raw, key)


def _int(text: str, field: str) -> int:
    if not text.isdigit() or len(text) > 18:
        raise ChangeError(N_("Välj en kontaktperson i listan."), field)
    return int(text)


# --------------------------------------------------------------------------- changes


def _apply(order: Order, parsed: dict, *, expect_statuses, version: int | None) -> None:
    """Raise the version by one with the new values, conditionally."""
    expected = order.version if version is None else version
    fields = {k: v for k, v in parsed.items() if k != "lines"}
    now = utcnow()
    updated = (
        Order.update(version=Order.version + 1, changed_at=now, **fields)
        .where(
            (Order.id == order.id) & (Order.version == expected) & Order.status.in_(expect_statuses)
        )
        .execute()
    )
    if not updated:
        raise OrderConflict(CONFLICT_MESSAGE)
    order.version, order.changed_at = expected + 1, now
    for name, value in fields.items():
        setattr(order, f"{name}_id" if name == "extra_contact" else name, value)
    if "extra_contact" in fields:
        contact_id = fields["extra_contact"]
        order.extra_contact = Contact.get_by_id(contact_id) if contact_id else None
    for line_id, values in parsed.get("lines", {}).items():
        line = OrderLine.get_by_id(line_id)
        details = _details(line)
        if "number" in values and details.get("number") != values["number"]:
            _move_number(order, details.get("number", ""), values["number"])
        details.update(values)
        line.details = json.dumps(details, ensure_ascii=False)
        line.save(only=[OrderLine.details])


def _move_number(order: Order, old: str, new: str) -> None:
    """A line's number changed by staff: give back the old pool number and
    take the new one when it is a free pool number."""
    if old:
        PoolNumber.update(status="free", order=None, changed_at=utcnow()).where(
            (PoolNumber.number == old)
            & (PoolNumber.order == order.id)
            & (PoolNumber.status == "reserved")
        ).execute()
    if new and PoolNumber.select().where(PoolNumber.number == new).exists():
        try:
            pool.reserve(new, order)
        except pool.NumberTaken as error:
            raise ChangeError(error.args[0], "number") from None


def _record_change(order, actor, diff, comment, *, staff=None, user=None) -> None:
    """The change in the order's history (an event in the same status) and the audit log."""
    what = "; ".join(f"{label}: {old} → {new}" for label, old, new in diff)
    text = f"Ändrad till v{order.version}. {what}." + (f" Kommentar: {comment}" if comment else "")
    OrderEvent.create(
        order=order,
        from_status=order.status,
        to_status=order.status,
        user=getattr(user, "id", None),
        staff=getattr(staff, "id", None),
        comment=text,
    )
    audit.record(
        "order.changed",
        order,
        summary=f"Beställning {order.label} ändrad",
        before={label: old for label, old, _ in diff},
        after={label: new for label, _, new in diff} | ({"comment": comment} if comment else {}),
        organisation=order.organisation_id,
        actor=actor,
    )


def change_order(
    order: Order, user, changes: dict, comment: str = "", *, version: int | None = None
) -> list[tuple[str, str, str]]:
    """The creator (or orders.manage) changes a sent order that staff have
    not started on: one version more, its snapshot saved, the change in the
    history, the creator and contacts told by e-mail, and the approval
    restarted when the order has an approval chain.

    ``version`` is the version the user saw (the form carries it); returns
    what changed (empty: nothing did, nothing written). Raises ChangeError
    or OrderConflict."""
    refusal = change_refusal(user, order)
    if refusal:
        raise ChangeError(refusal)
    if version is not None and version != order.version:
        raise OrderConflict(CONFLICT_MESSAGE)
    parsed = parse_changes(order, changes, CUSTOMER_FIELDS, user)
    comment = _clean_text(comment, "comment", 2000)
    if order.status == "rejected":  # sent again, changed or not
        return _send_again(order, parsed, comment, version, user)
    if not parsed:
        return []
    return _change(order, parsed, comment, CHANGEABLE_STATUSES, version, user=user)


def _send_again(order: Order, parsed: dict, comment: str, version, user):
    """An Avslagen order corrected by its creator: a new version, its pool
    numbers taken again (they went back at the rejection) and the approval
    chain from the start."""
    before = snapshot(order)
    _apply(order, parsed, expect_statuses=("rejected",), version=version)
    for line in order.lines.where(OrderLine.parent.is_null()):
        chosen = _details(line)
        if chosen.get("number_choice") == "new" and chosen.get("number"):
            try:
                pool.reserve(chosen["number"], order)
            except pool.NumberTaken as taken:
                raise ChangeError(taken.args[0]) from taken
    after = snapshot(order)
    diff = differences(before, after) or [(N_("Beställningen"), "–", N_("skickad igen"))]
    save_version(order, {**after, "changes": [list(d) for d in diff]}, user=user)
    _record_change(order, user, diff, comment, user=user)
    approvals.restart(order, user, expect=("rejected",))
    notices.notify_status(order)
    return diff


def change_by_staff(
    order: Order, staff, changes: dict, comment: str, *, version: int | None = None
) -> list[tuple[str, str, str]]:
    """Staff change a delivery date or a number, with a comment the customer
    sees; one version more, as for the customer's own change."""
    if order.status not in STAFF_CHANGEABLE_STATUSES:
        raise ChangeError(not_changeable(order))
    comment = _clean_text(comment, "comment", 2000)
    if not comment:
        raise ChangeError(N_("Skriv en kommentar till kunden om ändringen."), "comment")
    parsed = parse_changes(order, changes, STAFF_FIELDS)
    if not parsed:
        return []
    return _change(order, parsed, comment, STAFF_CHANGEABLE_STATUSES, version, staff=staff)


def _change(order, parsed, comment, statuses, version, *, user=None, staff=None):
    before = snapshot(order)
    actor = staff or user
    _apply(order, parsed, expect_statuses=statuses, version=version)
    after = snapshot(order)
    diff = differences(before, after) or [(N_("Beställningen"), "–", N_("ändrad"))]
    # The version keeps what changed in words as well: an earlier version's
    # snapshot may have another shape (seeded, or sent before a field existed).
    save_version(order, {**after, "changes": [list(d) for d in diff]}, user=user)
    _record_change(order, actor, diff, comment, staff=staff, user=user)
    if user is not None and order.status in CHANGEABLE_STATUSES:
        restart_approval(order, user)
    notify_change(order, diff, comment, by_operator=staff is not None)
    return diff


def restart_approval(order: Order, user) -> bool:
    """A change by the customer sends an order that went through an approval
    chain through it again."""
    if not OrderApproval.select().where(OrderApproval.order == order.id).exists():
        return False
    approvals.restart(order, user)
    return True


# --------------------------------------------------------------------------- undo, offert


def undo(order: Order, user) -> None:
    """Ångra beställning: Avbruten, with who undid it; its numbers go back to the pool."""
    refusal = undo_refusal(user, order)
    if refusal:
        raise ChangeError(refusal)
    set_status(
        order,
        "cancelled",
        user=user,
        comment=f"Ångrad av {user.name}",
        expect=UNDOABLE_STATUSES,
        completed_at=utcnow(),
    )
    pool.release(order)
    notify_status(order)


def accept_offer(order: Order, user) -> None:
    """The customer accepts an answered offert: it becomes an order the
    operator processes (Mottagen). ``is_quote`` stays True as the record that
    it started as an offert; the status says what it is now."""
    refusal = offer_refusal(user, order)
    if refusal:
        raise ChangeError(refusal)
    set_status(
        order, "received", user=user, comment=f"Offerten accepterad av {user.name}",
        expect=("answered",),
    )  # fmt: skip
    notify_status(order)


def decline_offer(order: Order, user, comment: str = "") -> None:
    """The customer declines an answered offert (Avböjd, closed)."""
    refusal = offer_refusal(user, order)
    if refusal:
        raise ChangeError(refusal)
    comment = _clean_text(comment, "comment", 2000)
    text = f"Offerten avböjd av {user.name}" + (f": {comment}" if comment else "")
    set_status(order, "declined", user=user, comment=text, expect=("answered",),
               completed_at=utcnow())  # fmt: skip
    pool.release(order)
    notify_status(order)
