"""How numbers, money and times read wherever they are shown: pages, Excel
files, PDFs and e-mail. Pure functions without Flask, so domain code (the
invoice PDF, the lock-out notice) formats the same way as the templates;
``web/formatting.py`` registers them as Jinja filters."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from domain.numbers import format_phone

LOCAL_TZ = ZoneInfo("Europe/Stockholm")


def _group_thousands(digits: str) -> str:
    out = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return "\u00a0".join(out)


def integer(value: int) -> str:
    """A whole number with Swedish thousands spaces: "10 000"."""
    sign = "-" if value < 0 else ""
    return sign + _group_thousands(str(abs(value)))


def amount(ore: int | None) -> str:
    """Öre as "1 234,00"."""
    if ore is None:
        return ""
    sign = "-" if ore < 0 else ""
    kronor, rest = divmod(abs(int(ore)), 100)
    return f"{sign}{_group_thousands(str(kronor))},{rest:02d}"


def kr(ore: int | None) -> str:
    return "" if ore is None else f"{amount(ore)}\u00a0kr"


def local(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC).astimezone(LOCAL_TZ)


def isodate(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = local(value).date()
    return value.isoformat()


def stamp(value: dt.datetime | None) -> str:
    """UTC timestamp as local "2021-12-03 11:35"."""
    if value is None:
        return ""
    return local(value).strftime("%Y-%m-%d %H:%M")


def when(value: dt.datetime | None) -> str:
    """Like stamp, but "Idag kl 14:26" for today."""
    if value is None:
        return ""
    shown = local(value)
    if shown.date() == dt.datetime.now(LOCAL_TZ).date():
        return f"Idag kl {shown:%H:%M}"
    return shown.strftime("%Y-%m-%d %H:%M")


def gigabytes(mb: int | None) -> str:
    """MB as "12,70 GB" (the manual writes "1,00GB"; a space reads better)."""
    if mb is None:
        return ""
    return f"{mb / 1024:.2f}".replace(".", ",") + "\u00a0GB"


def phone(number: str | None) -> str:
    """ "0701234567" as "070-123 45 67" (domain/numbers.py), kept on one line."""
    return format_phone(number).replace(" ", "\u00a0")


def phone_range(first: str | None, last: str | None = None) -> str:
    """A number series "090-695 30 00 – 090-695 30 99"; one number alone."""
    ends = [first] if not last or last == first else [first, last]
    return " – ".join(phone(end) for end in ends)


def duration(seconds: int | None) -> str:
    """Seconds as "01:39:27"."""
    seconds = int(seconds or 0)
    hours, rest = divmod(seconds, 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
