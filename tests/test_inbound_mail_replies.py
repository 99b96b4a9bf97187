"""Replies by e-mail keep only what the person wrote.

tests/mail_replies/ holds replies as Gmail, Outlook, Apple Mail, iPhone,
BlackBerry and Thunderbird write them, in Swedish, English and Danish: top and
bottom posting, wrapped "On … wrote:" headers, Outlook separators and HTML-only
mail. Each ``<name>.eml`` has beside it ``<name>.txt``: exactly what the person
wrote.
"""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from domain import inbound_mail
from models import Ticket, TicketMessage

CORPUS = Path(__file__).parent / "mail_replies"
REPLIES = sorted(CORPUS.glob("*.eml"))


def _message(path: Path):
    return BytesParser(policy=policy.default).parsebytes(path.read_bytes())


def _written(path: Path) -> str:
    return path.with_suffix(".txt").read_text(encoding="utf-8").strip()


def test_the_corpus_covers_clients_languages_and_styles():
    names = {path.stem for path in REPLIES}
    for client in ("gmail", "outlook", "applemail", "iphone", "blackberry", "thunderbird"):
        assert any(name.startswith(client) for name in names), client
    for language in ("_sv", "_en", "_da"):
        assert any(language in name for name in names), language
    assert any("bottom" in name for name in names)
    assert any("html_only" in name for name in names)


@pytest.mark.parametrize("path", REPLIES, ids=[path.stem for path in REPLIES])
def test_kept_text_is_exactly_what_the_person_wrote(path):
    kept = inbound_mail.strip_quoted(inbound_mail.body_text(_message(path)))
    assert kept == _written(path)


ALTERNATIVES = [
    path for path in REPLIES if _message(path).get_body(preferencelist=("html",)) is not None
]


@pytest.mark.parametrize("path", ALTERNATIVES, ids=[path.stem for path in ALTERNATIVES])
def test_the_html_part_keeps_the_same_text(path):
    """The HTML a client sends (alone or beside the plain text) gives the same text."""
    html = _message(path).get_body(preferencelist=("html",)).get_content()
    assert inbound_mail.strip_quoted(inbound_mail.html_to_text(html)) == _written(path)


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        # Lists and sign-offs are the person's own words, not a signature.
        (
            "Två fel:\n- port 1\n- port 2\n\nTack,\nAnna",
            "Två fel:\n- port 1\n- port 2\n\nTack,\nAnna",
        ),
        ("Tak for hjælpen.\nMvh\nMette", "Tak for hjælpen.\nMvh\nMette"),
        # A quoted block without a header: the lines around it are kept.
        ("Svar ett.\n> fråga två\nSvar två.", "Svar ett.\nSvar två."),
        # Only quotes: nothing was written.
        ("> bara citat\n> mer citat", ""),
        # "On … wrote:" wrapped over three lines, as some clients do.
        (
            "Okej!\n\nOn Mon, 7 Dec 2026 at 09:14, Teleportal Kundservice\n<arende+x@y>\nwrote:\n> Hej",
            "Okej!",
        ),
    ],
)
def test_the_persons_own_words_survive(body, kept):
    assert inbound_mail.strip_quoted(body) == kept


def test_a_bottom_posted_reply_reaches_the_ticket_whole(demo_app):
    """The whole path: an e-mailed bottom-posted answer lands in its ticket as written."""
    ticket = Ticket.get(Ticket.subject == "Message Delivery Failure")
    message = _message(CORPUS / "thunderbird_sv_bottom.eml")
    message.replace_header("To", f"arende+{ticket.reply_token}@teleportal.example")
    row = inbound_mail.ingest(message.as_bytes())
    assert row.status == "accepted", row.reason
    added = (
        TicketMessage.select()
        .where((TicketMessage.ticket == ticket) & (TicketMessage.kind == "message"))
        .order_by(TicketMessage.id.desc())
        .first()
    )
    assert added.body == _written(CORPUS / "thunderbird_sv_bottom.eml")
    assert added.via == "email" and added.author_user.username == "konto@a3demo.se"
