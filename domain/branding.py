"""Branding (UI-10): the operator's details, logo and primary colour as set
in the back office, checked and kept in the ``Setting`` table.

Decisions:

* **Logo**: PNG or SVG up to ``MAX_LOGO_BYTES``. A PNG must open as a PNG
  (Pillow). An SVG is kept as it was uploaded only when it is well-formed XML
  whose root is ``<svg>`` and holds no ``<script>``, no ``<foreignObject>``,
  no event attributes (``on…``), no DOCTYPE/entities and no links other than
  to its own fragments (``#id``) — otherwise it is refused with a reason, not
  "cleaned": a rewritten file might not look as the operator meant. It is
  served with its own ``Content-Security-Policy: default-src 'none'`` as well.
* **Colour**: ``#rrggbb``; the layout puts white text on it (buttons, the
  top bar's links), so it must reach WCAG AA's 4.5:1 against white.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re

from flask import current_app

from domain import audit
from domain.operator import CONFIG_KEYS, LOGO_KEY, SETTING_PREFIX, current, forget, from_config
from domain.text import N_, T_
from tables.ops import Setting

MAX_LOGO_BYTES = 200 * 1024
MIN_CONTRAST = 4.5
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"

# The fields staff edit, in the form's order, with their labels.
FIELD_LABELS = {
    "name": N_("Operatörens namn"),
    "phone": N_("Kundservice, telefon"),
    "email": N_("Kundservice, e-post"),
    "web": N_("Webbplats"),
    "support_url": N_("Supportsida"),
    "address": N_("Postadress"),
    "org_number": N_("Organisationsnummer"),
    "vat_number": N_("Momsregistreringsnummer"),
    "bankgiro": N_("Bankgiro"),
    "plusgiro": N_("Plusgiro"),
    "colour": N_("Primärfärg"),
}
assert set(FIELD_LABELS) - {"colour"} == set(CONFIG_KEYS)


class LogoRefused(ValueError):
    """A logo that is not taken, with the reason as its message."""


# -- colour


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_with_white(colour: str) -> float:
    return 1.05 / (luminance(colour) + 0.05)


def colour_problem(text: str) -> str | None:
    """Why ``text`` cannot be the primary colour, or None."""
    if not COLOUR.fullmatch(text or ""):
        return N_("Ange färgen som #rrggbb, till exempel #0b5cad.")
    ratio = contrast_with_white(text)
    if ratio < MIN_CONTRAST:
        return T_(
            "För ljus: vit text på färgen får kontrasten %(ratio)s:1, minst 4,5:1 krävs (WCAG AA).",
            ratio=f"{ratio:.1f}".replace(".", ","),
        )
    return None


def shade(colour: str, factor: float) -> str:
    """``colour`` mixed towards black (factor < 1) or white (factor > 1)."""
    out = []
    for i in (1, 3, 5):
        c = int(colour[i : i + 2], 16)
        c = c * factor if factor <= 1 else c + (255 - c) * (factor - 1)
        out.append(max(0, min(255, round(c))))
    return "#" + "".join(f"{c:02x}" for c in out)


# The dark scheme's surfaces (static/app.css): the panel the accent is
# read on, and the text drawn on the accent.
DARK_PANEL = "#182029"
DARK_ON_ACCENT = "#0b1622"


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def dark_variant(colour: str) -> dict[str, str]:
    """The operator's colour for the dark scheme: lightened until it reads
    as text on the dark panel and carries dark text itself (4.5:1 both)."""
    accent = colour
    step = 1.0
    while step < 2.0 and (
        contrast(accent, DARK_PANEL) < MIN_CONTRAST
        or contrast(accent, DARK_ON_ACCENT) < MIN_CONTRAST
    ):
        step += 0.05
        accent = shade(colour, step)
    return {
        "--accent": accent,
        "--accent-dark": shade(accent, 1.35),
        "--accent-soft": shade(colour, 0.3),
        "--accent-line": shade(colour, 0.55),
    }


# -- logo


def check_logo(data: bytes, filename: str) -> str:
    """The logo's content type; :class:`LogoRefused` when it is not taken."""
    if not data:
        raise LogoRefused(N_("Filen är tom."))
    if len(data) > MAX_LOGO_BYTES:
        raise LogoRefused(T_("Logotypen får vara högst %(kb)s kB.", kb=MAX_LOGO_BYTES // 1024))
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        _check_png(data)
        return "image/png"
    if filename.lower().endswith(".svg") or data.lstrip()[:5] in (b"<?xml", b"<svg ", b"<svg>"):
        _check_svg(data)
        return "image/svg+xml"
    raise LogoRefused(N_("Logotypen måste vara en PNG- eller SVG-fil."))


def _check_png(data: bytes) -> None:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            if image.format != "PNG":
                raise LogoRefused(N_("Filen är ingen giltig PNG-bild."))
    except LogoRefused:
        raise
    except Exception as error:  # Pillow raises many kinds for a broken file
        raise LogoRefused(N_("Filen är ingen giltig PNG-bild.")) from error


def _check_svg(data: bytes) -> None:
    from lxml import etree

    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise LogoRefused(N_("SVG-filen får inte innehålla DOCTYPE eller entiteter."))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise LogoRefused(N_("SVG-filen kunde inte läsas (ogiltig XML).")) from error
    if root.tag not in (f"{SVG_NS}svg", "svg"):
        raise LogoRefused(N_("Filen är ingen SVG-bild."))
    for element in root.iter():
        if not isinstance(element.tag, str):  # comments, processing instructions
            continue
        local = etree.QName(element).localname.lower()
        if local == "script":
            raise LogoRefused(N_("SVG-filen får inte innehålla skript."))
        if local == "foreignobject":
            raise LogoRefused(N_("SVG-filen får inte innehålla foreignObject."))
        for name, value in element.attrib.items():
            attr = etree.QName(name).localname.lower()
            if attr.startswith("on"):
                raise LogoRefused(
                    T_("SVG-filen får inte ha händelseattribut (%(attr)s).", attr=attr)
                )
            if attr == "href" and not value.strip().startswith("#"):
                raise LogoRefused(N_("SVG-filen får bara länka till sina egna delar (#id)."))
            if "javascript:" in value.lower().replace(" ", ""):
                raise LogoRefused(N_("SVG-filen får inte innehålla javascript:-länkar."))


def logo() -> tuple[bytes, str] | None:
    """The uploaded logo and its content type, or None."""
    row = Setting.get_or_none(Setting.key == LOGO_KEY)
    operator = current()
    if row is None or not operator.logo_type:
        return None
    return base64.b64decode(row.value), operator.logo_type


# -- saving (inside write_tx)


def _put(field: str, value: str) -> None:
    key = SETTING_PREFIX + field
    if value:
        Setting.insert(key=key, value=value).on_conflict(
            conflict_target=[Setting.key], update={Setting.value: value}
        ).execute()
    else:
        Setting.delete().where(Setting.key == key).execute()


def save(values: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Keep the changed fields (an empty one falls back to the configuration)
    and audit them; returns field → (before, after) of what changed."""
    stored = {k: v for k, v in Setting.select().tuples() if k.startswith(SETTING_PREFIX)}
    configured = from_config(current_app.config)
    changes = {}
    for field in FIELD_LABELS:
        new = (values.get(field) or "").strip()
        if new == getattr(configured, field, None):
            new = ""  # the same as configured: no setting of its own
        old = stored.get(SETTING_PREFIX + field, "")
        if new != old:
            _put(field, new)
            changes[field] = (old, new)
    if changes:
        audit.record(
            "branding.changed",
            summary="Operatörens uppgifter ändrade: "
            + ", ".join(FIELD_LABELS[f].lower() for f in changes),
            before={f: old for f, (old, _) in changes.items()},
            after={f: new for f, (_, new) in changes.items()},
            organisation=audit.STAFF_ONLY,
        )
    forget()
    return changes


def save_logo(data: bytes, content_type: str) -> None:
    encoded = base64.b64encode(data).decode()
    Setting.insert(key=LOGO_KEY, value=encoded).on_conflict(
        conflict_target=[Setting.key], update={Setting.value: encoded}
    ).execute()
    _put("logo_type", content_type)
    _put("logo_version", hashlib.sha256(data).hexdigest()[:12])
    audit.record(
        "branding.logo",
        summary=f"Ny logotyp ({content_type}, {len(data) // 1024 + 1} kB)",
        organisation=audit.STAFF_ONLY,
    )
    forget()


def remove_logo() -> None:
    Setting.delete().where(Setting.key == LOGO_KEY).execute()
    _put("logo_type", "")
    _put("logo_version", "")
    audit.record(
        "branding.logo_removed", summary="Logotypen borttagen", organisation=audit.STAFF_ONLY
    )
    forget()
