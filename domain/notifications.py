"""Broadcast e-mail by the contact persons' preferences (SPEC §10, issue 17
item 5). A contact's three boxes steer exactly this mail:

* **Fakturor och ekonomi** (``notify_billing``): the invoices a billing
  import created for the contact's account or an account below it; one mail
  per import listing them (:func:`invoices_imported`, called by the import).
* **Driftstörningar** (``notify_outage``): an outage or planned maintenance
  that touches services of the contact's account or below it, by the one
  rule of :func:`domain.outages.touching`; sent when it is published, and
  its updates and resolution to those who got the first
  (:func:`outage_changed`, registered in ``OUTAGE_LISTENERS``).
* **Tekniska meddelanden** (``notify_technical``): the notices the operator
  writes in the back office (:func:`send_notice`).

Ticket and order mail does not look at these boxes (SPEC ORD-1, TIC-4).

Every mail says why it came and carries a signed link (and a
List-Unsubscribe header) that turns that box off without signing in. An
address on several contacts gets one mail per event, naming every account;
contacts without e-mail and organisations that are suspended get none.
``NotificationLog`` (contact, kind, event, unique) keeps anyone from getting
the same event twice, also when a listener is called again.
"""

from __future__ import annotations

import hashlib
import logging
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from peewee import fn

from database import utcnow, write_tx
from domain import audit, formats, operator
from domain.mail import send_email
from domain.outages import OUTAGE_LISTENERS, RUNNING, postcodes_of, touching
from domain.text import LANGUAGES, N_, T_, translate
from tables.billing import Invoice
from tables.ops import NOTIFICATION_KINDS, NotificationLog, Outage, TechnicalNotice
from tables.org import Account, Contact, Organisation, User
from tables.services import SERVICE_KINDS, Service

log = logging.getLogger("teleportal.notifications")

BOX = {
    "billing": Contact.notify_billing,
    "technical": Contact.notify_technical,
    "outage": Contact.notify_outage,
}
OUTAGE_EVENTS = ("published", "updated", "resolved")
CHUNK = 200  # addresses mailed in one transaction
SHOWN = 10  # services listed in an outage mail (the rest counted)

# The boxes' names (tables.ops.NOTIFICATION_KINDS), marked for translation.
_KIND_NAMES = (N_("Fakturor och ekonomi"), N_("Tekniska meddelanden"), N_("Driftstörningar"))


# --------------------------------------------------------------------------- unsubscribe links


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="teleportal.unsubscribe")


def unsubscribe_token(contact_ids: Iterable[int], kind: str) -> str:
    """A signed token naming the contacts (one address's) and the box."""
    return _serializer().dumps({"c": sorted(set(contact_ids)), "k": kind})


def read_unsubscribe_token(token: str) -> tuple[list[int], str] | None:
    """(contact ids, kind) of a token this app signed; None when it is not one."""
    if not token or len(token) > 2000:
        return None
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in NOTIFICATION_KINDS:
        return None
    ids = data.get("c")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, int) for i in ids):
        return None
    return ids, data["k"]


def unsubscribe_url(contact_ids: Iterable[int], kind: str) -> str:
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return f"{base}/unsubscribe/{unsubscribe_token(contact_ids, kind)}"


def contacts_of_token(contact_ids: list[int]) -> list[Contact]:
    return list(
        Contact.select(Contact, Account)
        .join(Account)
        .where(Contact.id.in_(contact_ids))
        .order_by(Account.customer_number, Contact.id)
    )


def unsubscribe(contact_ids: list[int], kind: str) -> list[Contact]:
    """Turn ``kind``'s box off on those of the contacts that still have it
    ticked, audited each; returns them (empty: already unsubscribed).
    Opens its own write transaction."""
    field_ = BOX[kind]
    with write_tx():
        changed = [c for c in contacts_of_token(contact_ids) if getattr(c, field_.name)]
        if changed:
            Contact.update({field_: False}).where(Contact.id.in_([c.id for c in changed])).execute()
        for contact in changed:
            audit.record(
                "contact.unsubscribe",
                contact,
                summary=f"{contact.name} ({contact.email}) avregistrerade sig från "
                f"{NOTIFICATION_KINDS[kind]} via länken i e-post",
                before={field_.name: True},
                after={field_.name: False},
                organisation=contact.organisation_id,
            )
    return changed


# --------------------------------------------------------------------------- recipients


@dataclass
class Recipient:
    """One address and the contacts (with their accounts) it stands for."""

    email: str
    contacts: list[Contact] = field(default_factory=list)
    language: str = "sv"  # the portal user's with this address (recipient_language)

    @property
    def contact_ids(self) -> list[int]:
        return [c.id for c in self.contacts]

    @property
    def accounts(self) -> list[Account]:
        seen: dict[int, Account] = {}
        for contact in self.contacts:
            seen.setdefault(contact.account.id, contact.account)
        return sorted(seen.values(), key=lambda a: a.customer_number)


def opted_in(kind: str, organisations=None):
    """Contacts with ``kind``'s box ticked and an e-mail address, of active
    organisations (``organisations``: a query or ids to keep to), with their
    accounts joined."""
    query = (
        Contact.select(Contact, Account)
        .join(Account)
        .switch(Contact)
        .join(Organisation)
        .where(BOX[kind] & (Contact.email != "") & Organisation.active)
        .order_by(Contact.id)
    )
    if organisations is not None:
        query = query.where(Contact.organisation.in_(organisations))
    return query


def by_address(contacts: Iterable[Contact]) -> list[Recipient]:
    """One recipient per address (case-insensitive), in the contacts' order."""
    recipients: dict[str, Recipient] = {}
    for contact in contacts:
        email = contact.email.strip()
        if not email:
            continue
        recipients.setdefault(email.lower(), Recipient(email)).contacts.append(contact)
    return list(recipients.values())


class Paths:
    """Account paths (``/1/5/12/``, unique across organisations) kept sorted,
    so that the paths under a contact's account are one range found by
    bisection, as Account.under_path finds them in SQL."""

    def __init__(self, paths: Iterable[str]):
        self.sorted = sorted(set(paths))

    def _range(self, path: str) -> tuple[int, int]:
        # '0' is the character after '/': every path under ``path`` sorts before it.
        return bisect_left(self.sorted, path), bisect_left(self.sorted, path[:-1] + "0")

    def under(self, path: str) -> list[str]:
        start, end = self._range(path)
        return self.sorted[start:end]

    def covers(self, contact: Contact) -> bool:
        """Whether the contact's account is one of the paths' accounts or above one."""
        start, end = self._range(contact.account.path)
        return start < end


def _already(kind: str, subject_key: str) -> tuple[set[int], set[str]]:
    """Contacts and addresses that have had the event."""
    rows = NotificationLog.select(NotificationLog.contact, NotificationLog.email).where(
        (NotificationLog.kind == kind) & (NotificationLog.subject_key == subject_key)
    )
    contacts, emails = set(), set()
    for row in rows:
        contacts.add(row.contact_id)
        emails.add(row.email.lower())
    return contacts, emails


# --------------------------------------------------------------------------- sending


def recipient_language(recipient: Recipient) -> str:
    """The language of the portal user with the recipient's address (one in
    the contacts' organisation first); Swedish for an address with no user."""
    organisations = {c.organisation_id for c in recipient.contacts}
    users = User.select(User.language, User.organisation).where(
        (fn.LOWER(User.email) == recipient.email.lower()) & User.active & User.removed_at.is_null()
    )
    found = sorted(users, key=lambda u: (u.organisation_id not in organisations, u.language))
    lang = found[0].language if found else "sv"
    return lang if lang in LANGUAGES else "sv"


def reason(recipient: Recipient, kind: str) -> str:
    """Why the person got the mail (every account the address is contact for)."""
    lang = recipient.language
    labels = [f"{a.customer_number} {a.company_name}" for a in recipient.accounts]
    box = translate(NOTIFICATION_KINDS[kind], lang)
    if len(labels) == 1:
        text = T_(
            "Du får detta e-postmeddelande eftersom du är kontaktperson för konto "
            "%(account)s med %(box)s ikryssat.",
            account=labels[0],
            box=box,
        )
    else:
        text = T_(
            "Du får detta e-postmeddelande eftersom du är kontaktperson för kontona "
            "%(accounts)s och %(last)s med %(box)s ikryssat.",
            accounts=", ".join(labels[:-1]),
            last=labels[-1],
            box=box,
        )
    return translate(text, lang)


def _gettext(lang: str):
    """``_("…", name=value)`` for a mail template in ``lang`` (the page's
    ``_`` is Flask-Babel's, which follows the request, not the recipient)."""

    def gettext(msgid: str, **params) -> str:
        return translate(T_(msgid, **params), lang)

    return gettext


def _render(template: str, lang: str = "sv", **context) -> str:
    return current_app.jinja_env.get_template(f"mail/notifications/{template}").render(
        _=_gettext(lang), **context
    )


def _mail(
    kind: str,
    keys: tuple[str, ...],
    recipient: Recipient,
    subject: str,
    template: str,
    **ctx,
):
    """Queue one recipient's mail and log it under ``keys`` (the event's,
    and any it stands in for) for each of its contacts; inside ``write_tx``."""
    url = unsubscribe_url(recipient.contact_ids, kind)
    body = _render(
        template,
        recipient.language,
        operator=operator.current(),
        recipient=recipient,
        reason=reason(recipient, kind),
        unsubscribe_url=url,
        kind_label=translate(NOTIFICATION_KINDS[kind], recipient.language),
        portal_url=current_app.config["PUBLIC_URL"].rstrip("/"),
        **ctx,
    )
    send_email(
        recipient.email,
        subject,
        body,
        organisation=recipient.contacts[0].organisation_id,
        headers={
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    now = utcnow()
    NotificationLog.insert_many(
        [
            {
                "contact": contact.id,
                "kind": kind,
                "subject_key": key,
                "email": recipient.email,
                "sent_at": now,
            }
            for contact in recipient.contacts
            for key in keys
        ]
    ).execute()


def _send_all(
    kind: str, subject_key: str, contacts: list[Contact], compose, also: tuple[str, ...] = ()
) -> int:
    """Mail the contacts' addresses that have not had the event, a chunk of
    addresses per transaction; ``compose(recipient)`` gives (subject,
    template, context) or None to skip; ``also``: events the mail stands in
    for (logged too). Returns the number of mails queued."""
    sent = 0
    recipients = by_address(contacts)
    for start in range(0, len(recipients), CHUNK):
        with write_tx():
            done_contacts, done_emails = _already(kind, subject_key)
            for recipient in recipients[start : start + CHUNK]:
                if recipient.email.lower() in done_emails:
                    continue
                recipient.contacts = [c for c in recipient.contacts if c.id not in done_contacts]
                if not recipient.contacts:
                    continue
                recipient.language = recipient_language(recipient)
                composed = compose(recipient)
                if composed is None:
                    continue
                subject, template, context = composed
                _mail(kind, (subject_key, *also), recipient, subject, template, **context)
                sent += 1
    return sent


# --------------------------------------------------------------------------- billing


def invoices_imported(batch) -> int:
    """Tell the contacts who want billing mail about the invoices ``batch``
    created for their account or below it: one mail per address listing
    them. Call after the import has committed."""
    invoices = list(
        Invoice.select(Invoice, Account)
        .join(Account)
        .where(Invoice.import_batch == batch.id)
        .order_by(Invoice.number)
    )
    if not invoices:
        return 0
    organisations = {invoice.organisation_id for invoice in invoices}
    paths = Paths(invoice.account.path for invoice in invoices)
    contacts = [c for c in opted_in("billing", list(organisations)) if paths.covers(c)]

    def compose(recipient: Recipient):
        under = {p for c in recipient.contacts for p in paths.under(c.account.path)}
        mine = [invoice for invoice in invoices if invoice.account.path in under]
        subject = (
            T_("Ny faktura %(number)s", number=mine[0].number)
            if len(mine) == 1
            else T_(
                "%(count)s nya fakturor från %(operator)s",
                count=len(mine),
                operator=operator.current().name,
            )
        )
        subject = translate(subject, recipient.language)
        return subject, "invoices.txt", {"invoices": mine, "formats": formats}

    return _send_all("billing", f"import:{batch.id}", contacts, compose)


# --------------------------------------------------------------------------- outages


@dataclass
class _Touched:
    """The services an outage touches, by their accounts' paths."""

    services: dict[str, list[tuple[str, str]]]  # account path: [(number, kind)]
    organisations: set[int]
    paths: Paths

    def services_for(self, recipient: Recipient) -> list[tuple[str, str]]:
        under = {p for c in recipient.contacts for p in self.paths.under(c.account.path)}
        return sorted({service for path in under for service in self.services[path]})


def touched_services(outage: Outage) -> _Touched:
    by_account: dict[int, list[tuple[str, str]]] = {}
    for condition in touching(outage):
        rows = (
            Service.select(Service.account, Service.number, Service.kind).where(condition).tuples()
        )
        for account, number, kind in rows:
            by_account.setdefault(account, []).append((number, kind))
    services: dict[str, list[tuple[str, str]]] = {}
    organisations = set()
    if by_account:
        accounts = (
            Account.select(Account.id, Account.path, Account.organisation)
            .where(Account.id.in_(list(by_account)))
            .tuples()
        )
        for account, path, organisation in accounts:
            services[path] = by_account[account]
            organisations.add(organisation)
    return _Touched(services, organisations, Paths(services))


def latest_update(outage: Outage):
    """The outage's newest news item ("Uppdatering <tid>: <text>"), where the
    staff outage pages keep them (``outage.updates``, rows with ``at`` and
    ``text``); None when it has none."""
    updates = getattr(outage, "updates", None)
    if updates is None:
        return None
    model = updates.model
    return updates.order_by(model.at.desc(), model.id.desc()).first()


def outage_event_key(outage: Outage, event: str) -> str:
    """The event's key in NotificationLog. An update is named by what it
    says (the outage's fields and its newest news item), so the same update
    told twice is sent once and a new one again."""
    if event != "updated":
        return f"outage:{outage.id}:{event}"
    update = latest_update(outage)
    content = "|".join(
        str(value)
        for value in (
            outage.title,
            outage.description,
            outage.area,
            outage.postcodes,
            outage.service_kinds,
            outage.starts_at,
            outage.expected_end,
            getattr(outage, "kind", ""),
            getattr(update, "id", ""),
        )
    )
    return f"outage:{outage.id}:updated:{hashlib.sha256(content.encode()).hexdigest()[:16]}"


def _planned(outage: Outage) -> bool:
    return getattr(outage, "kind", "") == "maintenance" or outage.state() == "planned"


# The mail's heading by (planned, event), marked for translation.
_HEADINGS = {
    (True, "published"): N_("Planerat underhåll"),
    (True, "resolved"): N_("Planerat underhåll avslutat"),
    (True, "updated"): N_("Uppdatering: planerat underhåll"),
    (False, "published"): N_("Driftstörning"),
    (False, "resolved"): N_("Driftstörning åtgärdad"),
    (False, "updated"): N_("Uppdatering: driftstörning"),
}


def _outage_heading(outage: Outage, event: str) -> str:
    """The heading (Swedish, a marked msgid) of the mail about ``event``."""
    return _HEADINGS[(_planned(outage), event)]


def outage_changed(outage: Outage, event: str) -> int:
    """Mail the contacts who want outage notices about ``event`` of
    ``outage``: "published" to everyone whose account (or one below it) has
    a service the outage touches; "updated" and "resolved" to those who got
    the first (an update that reaches further also sends the first to the
    newly touched). Returns the number of mails queued."""
    if event not in OUTAGE_EVENTS:
        raise ValueError(f"unknown outage event {event!r}")
    outage = Outage.get_by_id(outage.id)  # as committed
    touched = touched_services(outage)
    first_key = outage_event_key(outage, "published")
    context = {
        "outage": outage,
        "postcodes": postcodes_of(outage),
        "formats": formats,
        "shown": SHOWN,
        "update": latest_update(outage),
        "planned": _planned(outage),
    }

    def compose_for(event_: str):
        def compose(recipient: Recipient):
            lang = recipient.language
            heading = translate(_outage_heading(outage, event_), lang)
            services = touched.services_for(recipient)
            labels = {key: translate(label, lang) for key, label in SERVICE_KINDS.items()}
            return (
                f"{heading}: {outage.title}",
                "outage.txt",
                {
                    **context,
                    "event": event_,
                    "heading": heading,
                    "services": services,
                    "kinds": [labels.get(k, k) for k in outage.kinds],
                    "kind_labels": labels,
                },
            )

        return compose

    def newly_touched():
        if not touched.organisations:
            return []
        return [
            c for c in opted_in("outage", list(touched.organisations)) if touched.paths.covers(c)
        ]

    # Those who got the first notice before this event: the newly touched
    # get the first below, in its latest form, and no update on top of it.
    got_first = []
    if event in ("updated", "resolved"):
        got_first = list(
            opted_in("outage").where(
                Contact.id.in_(
                    NotificationLog.select(NotificationLog.contact).where(
                        (NotificationLog.kind == "outage")
                        & (NotificationLog.subject_key == first_key)
                    )
                )
            )
        )
    key = outage_event_key(outage, event)
    sent = 0
    if event in ("published", "updated") and outage.state() != "resolved":
        also = (key,) if event == "updated" else ()
        sent += _send_all("outage", first_key, newly_touched(), compose_for("published"), also)
    if got_first:
        sent += _send_all("outage", key, got_first, compose_for(event))
    return sent


def _outage_listener(outage: Outage, event: str) -> None:
    """The staff pages call this after their change has committed: a mail
    failure must not turn the published outage into an error page."""
    try:
        outage_changed(outage, event)
    except Exception:
        log.exception("outage %s: notifying contacts of %s failed", outage.id, event)


if _outage_listener not in OUTAGE_LISTENERS:
    OUTAGE_LISTENERS.append(_outage_listener)


# --------------------------------------------------------------------------- technical notices


def notice_contacts(organisations: list[int] | None, kinds: list[str]) -> list[Contact]:
    """Contacts who want technical notices, of ``organisations`` (None: all);
    with ``kinds``, only those whose account or one below it has a running
    service of one of the kinds."""
    contacts = list(opted_in("technical", organisations))
    if not kinds or not contacts:
        return contacts
    orgs = {c.organisation_id for c in contacts}
    rows = (
        Account.select(Account.path)
        .where(
            Account.organisation.in_(list(orgs))
            & Account.id.in_(
                Service.select(Service.account).where(
                    Service.kind.in_(kinds)
                    & Service.status.in_(RUNNING)
                    & Service.organisation.in_(list(orgs))
                )
            )
        )
        .tuples()
    )
    paths = Paths(path for (path,) in rows)
    return [c for c in contacts if paths.covers(c)]


def notice_recipients(organisations: list[int] | None, kinds: list[str]) -> list[Recipient]:
    return by_address(notice_contacts(organisations, kinds))


def send_notice(notice: TechnicalNotice, organisations: list[int] | None, kinds: list[str]) -> int:
    """Mail a saved notice to its audience; returns the number of addresses."""
    contacts = notice_contacts(organisations, kinds)

    def compose(recipient: Recipient):
        return notice.subject, "notice.txt", {"notice": notice}

    sent = _send_all("technical", f"notice:{notice.id}", contacts, compose)
    with write_tx():
        TechnicalNotice.update(recipients=TechnicalNotice.recipients + sent).where(
            TechnicalNotice.id == notice.id
        ).execute()
    return sent
