"""Replies to ticket e-mail: taking an RFC 822 message into its ticket.

``flask tickets ingest-mail`` pipes one message from the MTA (e.g. a Postfix
alias ``arende: "|flask --app app tickets ingest-mail"``) and ``flask tickets
poll-mail`` fetches unread mail from an IMAP or POP3 mailbox. Either way
:func:`ingest` does the work:

1. find the ticket by the token in the recipient address
   (``TICKET_REPLY_ADDRESS``, e.g. ``arende+<token>@…``) or in the subject
   (``[ref:<token>]``);
2. check the sender belongs to the ticket's organisation: an active portal
   user's or a contact person's e-mail address;
3. keep only what the person wrote (quoted history, reply headers in
   Swedish, Danish and English, ``>`` lines and "Sent from my iPhone"
   signatures are cut by mail-parser-reply; see :func:`strip_quoted`) and the
   attachments that pass the same checks as uploads;
4. add it to the ticket as the customer's reply (Väntar på kund → Under
   hantering; a Slutfört ticket within the reopening period is reopened).

Every message is stored in ``InboundMail`` byte for byte, accepted or not;
rejected ones wait in the back office (Avvisad e-post) with the reason.
Each Message-ID is taken in once, so a mailbox polled twice adds nothing.
"""

from __future__ import annotations

import contextlib
import logging
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from flask import current_app
from mailparser_reply.constants import MAIL_LANGUAGES, QUOTED_MATCH_INCLUDE
from mailparser_reply.parser import EmailMessage as ParsedMailText
from peewee import fn

from database import utcnow, write_tx
from domain import attachments as files
from domain import tickets as ticketing
from domain.text import N_, T_
from tables.org import Contact, User
from tables.tickets import InboundMail, Ticket

log = logging.getLogger("teleportal.inbound")

MAX_RAW_BYTES = 40 * 1024 * 1024
SUBJECT_TOKEN = re.compile(r"\[ref:([A-Za-z0-9_-]{8,64})\]")
RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")


# --------------------------------------------------------------------------- finding the ticket


def _address_pattern() -> re.Pattern:
    template = current_app.config.get("TICKET_REPLY_ADDRESS", ticketing.DEFAULT_REPLY_ADDRESS)
    before, _, after = template.partition("{token}")
    return re.compile(
        re.escape(before) + r"([A-Za-z0-9_-]{8,64})" + re.escape(after), re.IGNORECASE
    )


def find_token(recipients: list[str], subject: str) -> str | None:
    pattern = _address_pattern()
    for address in recipients:
        match = pattern.fullmatch(address.strip())
        if match:
            return match.group(1)
    match = SUBJECT_TOKEN.search(subject or "")
    return match.group(1) if match else None


def ticket_for_token(token: str) -> Ticket | None:
    ticket = Ticket.get_or_none(Ticket.reply_token == token)
    if ticket is None:  # a mail system may have changed the case
        ticket = Ticket.get_or_none(fn.LOWER(Ticket.reply_token) == token.lower())
    return ticket


def sender_identity(ticket: Ticket, address: str):
    """(portal user or None, allowed?) for the sender's address."""
    address = address.strip().lower()
    if not address:
        return None, False
    user = (
        User.select()
        .where(
            (User.organisation == ticket.organisation_id)
            & (fn.LOWER(User.email) == address)
            & (User.active == True)  # noqa: E712
        )
        .first()
    )
    if user is not None:
        return user, True
    contact = (
        Contact.select()
        .where(
            (Contact.organisation == ticket.organisation_id) & (fn.LOWER(Contact.email) == address)
        )
        .first()
    )
    return None, contact is not None


# --------------------------------------------------------------------------- the text


class _HtmlText(HTMLParser):
    """HTML to plain text as a mail program shows it: whitespace collapsed,
    a line per block and per <br>, quoted blocks, scripts and styles left out."""

    BLOCKS = {
        "p", "div", "li", "tr", "table", "ul", "ol", "hr",
        "h1", "h2", "h3", "h4", "h5", "h6", "pre", "body",
    }  # fmt: skip
    SKIP = {"blockquote", "script", "style", "head", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0

    def _line_break(self, always: bool = False):
        if always or (self.out and not self.out[-1].endswith("\n")):
            self.out.append("\n")

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif self.skipping:
            return
        elif tag == "br":
            self._line_break(always=True)
        elif tag in self.BLOCKS:
            self._line_break()

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS and not self.skipping:
            self._line_break()

    def handle_data(self, data):
        if not self.skipping:
            self.out.append(re.sub(r"[ \t\r\n]+", " ", data))


def html_to_text(markup: str) -> str:
    parser = _HtmlText()
    parser.feed(markup)
    parser.close()
    lines = [line.strip(" ") for line in "".join(parser.out).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, AssertionError):
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", "replace")
    if part.get_content_subtype() == "html":
        content = html_to_text(content)
    return content.replace("\r\n", "\n")


# Quote stripping is mail-parser-reply's: it knows the reply headers of Gmail,
# Outlook, Apple Mail and phones in Swedish, Danish and English ("Den … skrev
# …:", "Från:/Skickat:", "Fra:/Sendt:", "-----Original Message-----", wrapped
# "On … wrote:"). Two things are narrowed or added here, in a subclass:
#
# * Signatures. The library also reads sign-offs ("Thanks,", "Mvh", "/Anna")
#   and any line starting with "- " as the start of a signature and drops
#   everything below, which would cut the person's own words and lists. Here a
#   signature is only what a program adds: the "-- " separator line and the
#   library's own "Sent from my iPhone" lines (sv, da, en), with anything after
#   them on the line ("Sent from my BlackBerry® wireless device").
# * Our own "-- Skriv ditt svar ovanför denna rad --" line starts the history,
#   and so do the separator lines of Swedish and Danish Outlook and of
#   forwarded mail ("-----Ursprungligt meddelande-----"), which the library
#   knows only in English.
#
# Bottom posting is a step after the library: it splits a mail at each reply
# header and keeps only the text above the first one, so an answer written
# below a ">" quote would be lost. See :func:`strip_quoted`.
REPLY_LANGUAGES = ("sv", "da", "en")
_EXTRA_SENT_FROM = ("Hämta Outlook för",)
_SEPARATORS = (
    "Original Message",
    "Ursprungligt meddelande",
    "Originalmeddelande",
    "Oprindelig meddelelse",
    "Forwarded message",
    "Vidarebefordrat meddelande",
    "Videresendt meddelelse",
)


def _sent_from_lines() -> str:
    phrases = [MAIL_LANGUAGES[language]["sent_from"] for language in REPLY_LANGUAGES]
    return "|".join([*phrases, *(re.escape(p) for p in _EXTRA_SENT_FROM)])


_SIGNATURE = re.compile(
    rf"^{QUOTED_MATCH_INCLUDE}(?:--|(?:{_sent_from_lines()})\b.*)$(?:.|\s)*",
    re.MULTILINE | re.IGNORECASE,
)


class _ReplyText(ParsedMailText):
    @property
    def SIGNATURE_REGEX(self) -> re.Pattern:
        return _SIGNATURE

    @property
    def HEADER_REGEX(self) -> re.Pattern:
        if self._header_regex is None:
            markers = "|".join(re.escape(m) for m in ticketing.reply_markers())
            marker = rf"(^(?:{markers})$)"
            separators = rf"(^-{{2,}} ?(?:{'|'.join(_SEPARATORS)}) ?-{{2,}}$)"
            library = super().HEADER_REGEX
            self._header_regex = re.compile(
                f"{library.pattern}|{marker}|{separators}", library.flags
            )
        return self._header_regex


def _unquoted(text: str) -> str:
    lines = [line for line in text.split("\n") if not line.lstrip().startswith(">")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def strip_quoted(text: str) -> str:
    """What the person wrote: the text above the quoted history, and text
    written below or between ``>`` quotes (bottom posting), without the
    quotes, reply headers, forwarded history and program signatures."""
    parsed_text = _ReplyText(text=text, languages=list(REPLY_LANGUAGES)).read()
    if not parsed_text.replies:
        return ""
    kept = [_unquoted(parsed_text.replies[0].body)]
    for reply in parsed_text.replies[1:]:
        body = reply.body
        first = next((line for line in body.split("\n") if line.strip()), "")
        # Under a header, text quoted with ">" is history the person answered
        # below; unquoted text there is the forwarded original (Outlook).
        if first.lstrip().startswith(">"):
            kept.append(_unquoted(body))
    return "\n\n".join(part for part in kept if part)


# --------------------------------------------------------------------------- attachments


def mail_attachments(message: EmailMessage) -> list[tuple[str, bytes]]:
    """(file name, bytes) of every attached part (forwarded mail as .eml)."""
    out = []
    for part in message.iter_attachments():
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            data = inner.as_bytes() if hasattr(inner, "as_bytes") else b""
            out.append((part.get_filename() or "vidarebefordrat-meddelande.eml", data))
            continue
        name = part.get_filename()
        if not name:
            continue
        out.append((name, part.get_payload(decode=True) or b""))
    return out


# --------------------------------------------------------------------------- ingest


def _raw_text(raw: bytes) -> tuple[str, str]:
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"  # lossless: one byte, one character


def raw_bytes(mail: InboundMail) -> bytes:
    return mail.raw.encode(mail.raw_charset or "utf-8")


def parsed(mail: InboundMail) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(raw_bytes(mail))


def _header(message, name: str) -> str:
    try:
        return str(message.get(name, "") or "")
    except (ValueError, TypeError, IndexError):  # a malformed header
        return ""


def _recipients(message) -> list[str]:
    values = []
    for name in RECIPIENT_HEADERS:
        try:
            values += [str(v) for v in message.get_all(name, [])]
        except (ValueError, TypeError, IndexError):
            continue
    return [address for _, address in getaddresses(values) if address]


def ingest(raw: bytes) -> InboundMail:
    """Take one e-mail in; returns its InboundMail row (accepted or rejected).

    A Message-ID seen before returns the earlier row unchanged.
    """
    message = BytesParser(policy=policy.default).parsebytes(raw[:MAX_RAW_BYTES])
    sender = parseaddr(_header(message, "From"))[1].strip()
    recipients = _recipients(message)
    subject = _header(message, "Subject")
    message_id = _header(message, "Message-ID").strip()[:255]
    if message_id:
        earlier = InboundMail.get_or_none(InboundMail.message_id == message_id)
        if earlier is not None:
            earlier.duplicate = True
            return earlier
    text, charset = _raw_text(raw)
    row = InboundMail(
        received_at=utcnow(),
        sender=sender[:255],
        recipient=", ".join(recipients)[:255],
        subject=subject[:255],
        message_id=message_id,
        raw=text,
        raw_charset=charset,
    )
    row.duplicate = False

    def reject(reason: str, ticket=None) -> InboundMail:
        row.status, row.reason, row.ticket = "rejected", reason[:255], ticket
        with write_tx():
            row.save(force_insert=True)
        log.warning("inbound mail from %s rejected: %s", sender, reason)
        return row

    if len(raw) > MAX_RAW_BYTES:
        return reject(N_("Meddelandet är för stort."))
    token = find_token(recipients, subject)
    if token is None:
        return reject(N_("Ingen ärendereferens i mottagaradressen eller ämnesraden."))
    ticket = ticket_for_token(token)
    if ticket is None or ticket.status == "draft":
        return reject(N_("Okänd ärendereferens."))
    user, allowed = sender_identity(ticket, sender)
    if not allowed:
        return reject(N_("Avsändaren hör inte till ärendets organisation."), ticket)
    reopen = False
    if ticket.status == "done":
        if not ticketing.can_reopen(ticket):
            return reject(
                T_(
                    "Ärendet är slutfört sedan mer än %(days)s dagar.",
                    days=ticketing.REOPEN_DAYS,
                ),
                ticket,
            )
        reopen = True

    reply = strip_quoted(body_text(message))
    accepted, refused = [], []
    for name, data in mail_attachments(message):
        try:
            accepted.append(files.check(name, data))
        except files.AttachmentRejected as exc:
            refused.append(str(exc))
    if not reply and not accepted:
        return reject(N_("Meddelandet saknar text."), ticket)
    if refused:
        reply = (reply + "\n\n" if reply else "") + "\n".join(
            f"(Bilagan togs inte emot: {reason})" for reason in refused
        )
    row.status, row.ticket = "accepted", ticket
    row.reason = "; ".join(refused)[:255]
    with files.staged(accepted) as stored, write_tx():
        row.save(force_insert=True)
        if reopen:
            ticketing.reopen_by_customer(
                ticket, user, reply or "(bilaga)", email=sender, via="email", attachments=stored
            )
        else:
            ticketing.add_customer_reply(
                ticket,
                body=reply or "(bilaga)",
                user=user,
                email=sender,
                via="email",
                attachments=stored,
            )
    return row


# --------------------------------------------------------------------------- mailboxes


def poll_mailbox(config) -> tuple[int, int, int]:
    """Fetch unread mail from the configured IMAP or POP3 mailbox and ingest it.

    Returns (accepted, rejected, duplicates). A message is marked read (IMAP)
    or deleted (POP3) only after it is stored, so a crash loses nothing.
    """
    protocol = (config.get("INBOUND_MAIL_PROTOCOL") or "imap").lower()
    counts = {"accepted": 0, "rejected": 0, "duplicate": 0}

    def take(raw: bytes) -> None:
        row = ingest(raw)
        counts["duplicate" if row.duplicate else row.status] += 1

    if protocol == "imap":
        _poll_imap(config, take)
    elif protocol == "pop3":
        _poll_pop3(config, take)
    else:
        raise ValueError(f"INBOUND_MAIL_PROTOCOL must be imap or pop3, not {protocol!r}")
    return counts["accepted"], counts["rejected"], counts["duplicate"]


def _tls(config) -> str:
    return (config.get("INBOUND_MAIL_TLS") or "ssl").lower()


def _poll_imap(config, take) -> None:
    import imaplib
    import ssl

    host, tls = config["INBOUND_MAIL_HOST"], _tls(config)
    port = int(config.get("INBOUND_MAIL_PORT") or (993 if tls == "ssl" else 143))
    if tls == "ssl":
        client = imaplib.IMAP4_SSL(host, port, ssl_context=ssl.create_default_context())
    else:
        client = imaplib.IMAP4(host, port)
        if tls == "starttls":
            client.starttls(ssl_context=ssl.create_default_context())
    try:
        client.login(config["INBOUND_MAIL_USER"], config["INBOUND_MAIL_PASSWORD"])
        client.select(config.get("INBOUND_MAIL_FOLDER") or "INBOX")
        _, data = client.uid("search", None, "UNSEEN")
        for uid in (data[0] or b"").split():
            _, parts = client.uid("fetch", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple)), None)
            if raw is None:
                continue
            take(raw)
            client.uid("store", uid, "+FLAGS", "(\\Seen)")
    finally:
        with contextlib.suppress(Exception):  # the connection may be gone already
            client.logout()


def _poll_pop3(config, take) -> None:
    import poplib
    import ssl

    host, tls = config["INBOUND_MAIL_HOST"], _tls(config)
    port = int(config.get("INBOUND_MAIL_PORT") or (995 if tls == "ssl" else 110))
    if tls == "ssl":
        client = poplib.POP3_SSL(host, port, context=ssl.create_default_context())
    else:
        client = poplib.POP3(host, port)
        if tls == "starttls":
            client.stls(context=ssl.create_default_context())
    try:
        client.user(config["INBOUND_MAIL_USER"])
        client.pass_(config["INBOUND_MAIL_PASSWORD"])
        count, _ = client.stat()
        for number in range(1, count + 1):
            _, lines, _ = client.retr(number)
            take(b"\r\n".join(lines) + b"\r\n")
            client.dele(number)
    finally:
        client.quit()


def file_manually(mail: InboundMail, ticket: Ticket, staff):
    """Staff judged a rejected mail genuine: add it to ``ticket`` as the
    customer's reply. Returns the new message, or None when nothing in the
    mail can be taken in."""
    from domain import audit

    message = parsed(mail)
    reply = strip_quoted(body_text(message))
    accepted, refused = [], []
    for name, data in mail_attachments(message):
        try:
            accepted.append(files.check(name, data))
        except files.AttachmentRejected as exc:
            refused.append(str(exc))
    if not reply and not accepted:
        return None
    if refused:
        reply = (reply + "\n\n" if reply else "") + "\n".join(
            f"(Bilagan togs inte emot: {reason})" for reason in refused
        )
    user, _ = sender_identity(ticket, mail.sender)
    with files.staged(accepted) as stored, write_tx():
        added = ticketing.add_customer_reply(
            ticket,
            body=reply or "(bilaga)",
            user=user,
            email=mail.sender,
            via="email",
            attachments=stored,
        )
        InboundMail.update(
            status="accepted",
            ticket=ticket.id,
            handled_at=utcnow(),
            handled_by=staff.id,
            reason=(f"Tillagd i ärendet av personal. Tidigare: {mail.reason}")[:255],
        ).where(InboundMail.id == mail.id).execute()
        audit.record(
            "inbound_mail.file",
            ticket,
            actor=staff,
            organisation=ticket.organisation_id,
            summary=f"Avvisad e-post från {mail.sender} tillagd i ärende {ticket.number}",
        )
    return added
