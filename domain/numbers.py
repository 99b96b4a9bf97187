"""Swedish number formats: Luhn check digits, organisation numbers, ICC,
postal codes and phone numbers (SPEC §4, CATALOGUE.md).

Numbers are stored as plain digits ("0701234567", "5566290549") and shown
the way people write them ("070-123 45 67", "556629-0549"). Phone numbers
are grouped by Google's libphonenumber (``phonenumbers``), which knows every
Swedish area code and number series, rather than by rules of our own.
"""

from __future__ import annotations

import functools
import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from domain.text import N_, T_


def luhn_digit(digits: str) -> str:
    """The check digit that makes ``digits`` + digit pass the Luhn test."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    return number.isdigit() and len(number) > 1 and luhn_digit(number[:-1]) == number[-1]


def ocr_from_invoice_number(number: str) -> str:
    """The OCR reference of an invoice that billing gave none: the digits of
    its number and a Luhn check digit ("6789-711662" → "67897116629"), as
    bankgiro and plusgiro check it. Empty when the number holds no digits."""
    digits = re.sub(r"\D", "", number or "")
    return digits + luhn_digit(digits) if digits else ""


def normalise_org_number(text: str) -> str | None:
    """ "556629-0549" or "5566290549" → "5566290549" when the check digit holds."""
    digits = re.sub(r"[\s-]", "", text or "")
    return digits if len(digits) == 10 and luhn_valid(digits) else None


def normalise_postcode(text: str) -> str | None:
    """ "903 04" → "90304"; None unless five digits."""
    digits = re.sub(r"\s", "", text or "")
    return digits if re.fullmatch(r"\d{5}", digits) else None


def format_postcode(code: str) -> str:
    return f"{code[:3]} {code[3:]}" if len(code) == 5 else code


def valid_icc(text: str) -> bool:
    """A SIM card's ICC: 19 digits starting 89, Luhn check digit last."""
    return bool(re.fullmatch(r"89\d{17}", text or "")) and luhn_valid(text)


def normalise_phone(text: str) -> str | None:
    """Swedish numbers "070-100 84 59", "+46701008459" → "0701008459"."""
    cleaned = re.sub(r"[\s()-]", "", text or "")
    if cleaned.startswith("+46"):
        cleaned = "0" + cleaned[3:]
    elif cleaned.startswith("0046"):
        cleaned = "0" + cleaned[4:]
    return cleaned if re.fullmatch(r"0\d{6,11}", cleaned) else None


# --------------------------------------------------------------------------- shown

SWEDEN = "SE"
# What a stored or typed phone number may hold besides digits.
_PHONE_TEXT = re.compile(r"\+?[\d\s()-]+")
_SEPARATORS = re.compile(r"[\s()-]")


def _parsed(text: str):
    """``text`` as a valid phone number (Swedish unless it says +CC), or None."""
    if not _PHONE_TEXT.fullmatch(text):
        return None
    try:
        number = phonenumbers.parse(text, SWEDEN)
    except NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


@functools.lru_cache(maxsize=8192)
def format_phone(value: str | None) -> str:
    """A phone number as people read it: Swedish numbers grouped with their
    area code ("070-123 45 67", "08-123 456 78", "0920-123 45"), foreign ones
    with their country code ("+45 33 12 34 56"). Anything else (a service id
    such as "BB-552601", a short number, an unallocated series) as stored.

    Remembered: libphonenumber takes 0.1 ms a number, and a list page shows
    the same numbers request after request (20 of them cost 2 ms a page)."""
    text = (value or "").strip()
    # Only a number written with a trunk or international prefix: bare digits
    # ("4570123456") could be read as an international number without its +.
    if not text.startswith(("0", "+")):
        return text
    number = _parsed(text)
    if number is None:
        return text
    if number.country_code == 46:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def format_org_number(value: str | None) -> str:
    """ "5566290549" → "556629-0549"; anything else as stored."""
    text = (value or "").strip()
    return f"{text[:6]}-{text[6:]}" if re.fullmatch(r"\d{10}", text) else text


def number_query(text: str) -> str | None:
    """Typed text brought to the stored form of a number, for searching
    number columns: "070-123 45 67", "070 123 45 67" and "+46 70 123 45 67"
    → "0701234567", "556629-0549" → "5566290549". None when the text is not
    a number (a name, a service id like "BB-552601"): search it as typed."""
    text = (text or "").strip().replace("(0)", "")
    if not _PHONE_TEXT.fullmatch(text) or not re.search(r"\d", text):
        return None
    digits = _SEPARATORS.sub("", text)
    if digits.startswith("+46"):
        return "0" + digits[3:]
    if digits.startswith("0046"):
        return "0" + digits[4:]
    return digits


EXAMPLE_MOBILE = "070-123 45 67"
# "… har tio siffror, t.ex. 070-123 45 67." ends the too short/too long messages.


def _too_short() -> str:
    return T_(
        "Mobilnumret är för kort. Ett svenskt mobilnummer har tio siffror, t.ex. %(example)s.",
        example=EXAMPLE_MOBILE,
    )


def mobile_number_problem(text: str) -> str | None:
    """What is wrong with ``text`` as a Swedish mobile number, in words a
    person can act on; None when it is one."""
    text = (text or "").strip()
    if re.search(r"[^\W\d_]", text):
        return N_("Mobilnumret får bara innehålla siffror, inte bokstäver.")
    if not _PHONE_TEXT.fullmatch(text) or not re.search(r"\d", text):
        return N_("Skriv mobilnumret med siffror, gärna med mellanslag och bindestreck.")
    try:
        number = phonenumbers.parse(text, SWEDEN)
    except NumberParseException:
        return _too_short()
    if number.country_code != 46:
        return N_("Ange ett svenskt mobilnummer (07… eller +46 7…), inte ett utländskt.")
    kind = phonenumbers.number_type(number)
    if kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return None
    if phonenumbers.is_valid_number(number):  # a real number, but not a mobile's
        shown = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        return T_(
            "%(number)s är inte ett mobilnummer. Svenska mobilnummer börjar med 07.", number=shown
        )
    reason = phonenumbers.is_possible_number_for_type_with_reason(number, PhoneNumberType.MOBILE)
    if reason == phonenumbers.ValidationResult.TOO_SHORT:
        return _too_short()
    if reason == phonenumbers.ValidationResult.TOO_LONG:
        return T_(
            "Mobilnumret är för långt. Ett svenskt mobilnummer har tio siffror, t.ex. %(example)s.",
            example=EXAMPLE_MOBILE,
        )
    return T_(
        "Numret är inte ett svenskt mobilnummer. Kontrollera siffrorna, t.ex. %(example)s.",
        example=EXAMPLE_MOBILE,
    )


def normalise_mobile(text: str) -> str | None:
    """A Swedish mobile number as stored ("0701234567"), None unless it is one."""
    if mobile_number_problem(text) is not None:
        return None
    number = phonenumbers.parse(text.strip(), SWEDEN)
    return "0" + str(number.national_number)
