"""Swedish number formats: Luhn check digits, organisation numbers, ICC,
postal codes and phone numbers (SPEC §4, CATALOGUE.md)."""

from __future__ import annotations

import re


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


def is_mobile_number(number: str) -> bool:
    return bool(re.fullmatch(r"07\d{8}", number or ""))
