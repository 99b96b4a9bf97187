"""Request types (BBGRUPPEN's "förfrågningar"): their own fields, reading a
form's values for them, and staff editing their definitions."""

from __future__ import annotations

import datetime as dt
import json
import re

from domain import audit
from domain.text import N_, T_

# BBGRUPPEN's seven request types with their own fields. Field types: text,
# textarea, number, date, select (with "choices"). The operator enables them
# (RequestType.enabled); seed/demo.py installs them.
BBGRUPPEN_REQUEST_TYPES = [
    (
        "lost_tag_block",
        "Spärra förlorad tagg",
        [
            {"name": "tag", "label": "Taggnummer", "type": "text", "required": True},
            {"name": "property", "label": "Fastighet / adress", "type": "text", "required": True},
            {"name": "holder", "label": "Hyresgäst / företag", "type": "text"},
        ],
    ),
    (
        "lost_tag_reactivate",
        "Återaktivera förlorad tagg",
        [
            {"name": "tag", "label": "Taggnummer", "type": "text", "required": True},
            {"name": "property", "label": "Fastighet / adress", "type": "text", "required": True},
        ],
    ),
    (
        "tag_order",
        "Beställning av taggar",
        [
            {"name": "quantity", "label": "Antal taggar", "type": "number", "required": True},
            {
                "name": "delivery",
                "label": "Leverans",
                "type": "select",
                "choices": ["Skickas", "Hämtas i butik"],
                "required": True,
            },
            {"name": "where", "label": "Leveransadress eller butik", "type": "text"},
        ],
    ),
    (
        "suggest_change",
        "Föreslå en förändring",
        [
            {
                "name": "area",
                "label": "Förslaget gäller",
                "type": "select",
                "choices": ["Portalen", "Vårt system", "Annat"],
            },
        ],
    ),
    (
        "log_extract",
        "Begäran om utdrag/logg",
        [
            {
                "name": "extract",
                "label": "Typ av utdrag",
                "type": "select",
                "choices": [
                    "Utdrag på användare",
                    "Logg över hela systemet",
                    "Logg över en specifik sak",
                ],
                "required": True,
            },
            {"name": "from", "label": "Period från", "type": "date"},
            {"name": "to", "label": "Period till", "type": "date"},
        ],
    ),
    (
        "portal_users",
        "Hantering av portalanvändare",
        [
            {
                "name": "action",
                "label": "Åtgärd",
                "type": "select",
                "choices": ["Lägg till användare", "Ta bort användare", "Lista aktuella användare"],
                "required": True,
            },
            {"name": "person", "label": "Användarens namn", "type": "text"},
            {"name": "email", "label": "Användarens e-postadress", "type": "text"},
        ],
    ),
    (
        "password_reset",
        "Lösenordsåterställning",
        [
            {
                "name": "service",
                "label": "Tjänst (t.ex. Administrera Själv)",
                "type": "text",
                "required": True,
            },
            {"name": "username", "label": "Användarnamn", "type": "text", "required": True},
        ],
    ),
]


def request_type_fields(request_type) -> list[dict]:
    """The request type's own fields, ignoring malformed entries."""
    try:
        fields = json.loads(request_type.fields or "[]")
    except ValueError:
        return []
    out = []
    for field in fields if isinstance(fields, list) else []:
        if isinstance(field, dict) and field.get("name") and field.get("label"):
            out.append(
                {
                    "name": str(field["name"]),
                    "label": str(field["label"]),
                    "type": field.get("type", "text"),
                    "required": bool(field.get("required")),
                    "choices": [str(c) for c in field.get("choices", [])],
                }
            )
    return out


def read_request_fields(request_type, source) -> tuple[dict, dict]:
    """(values, errors by field name) of a request type's fields from a form
    (``rt_<name>`` parameters)."""
    values, errors = {}, {}
    for field in request_type_fields(request_type):
        name = field["name"]
        raw = (source.get(f"rt_{name}") or "").strip()[:2000]
        if not raw:
            if field["required"]:
                errors[name] = (
                    T_("Välj %(what)s.", what=field["label"].lower())
                    if field["type"] == "select"
                    else T_("Ange %(what)s.", what=field["label"].lower())
                )
            continue
        kind = field["type"]
        if kind == "number":
            if not raw.isdigit() or int(raw) > 1_000_000:
                errors[name] = N_("Ange ett heltal.")
                continue
        elif kind == "date":
            try:
                raw = dt.date.fromisoformat(raw).isoformat()
            except ValueError:
                errors[name] = N_("Ange datum som ÅÅÅÅ-MM-DD.")
                continue
        elif kind == "select" and raw not in field["choices"]:
            errors[name] = N_("Välj ett av alternativen.")
            continue
        values[name] = raw
    return values, errors


FIELD_TYPES = {
    "text": N_("Text"),
    "textarea": N_("Flera rader"),
    "number": N_("Heltal"),
    "date": N_("Datum"),
    "select": N_("Val"),
}


def parse_field_definitions(text: str) -> tuple[list[dict] | None, str | None]:
    """A request type's fields as edited by staff (JSON), checked:
    (fields, None) or (None, error message)."""
    try:
        fields = json.loads(text or "[]")
    except ValueError as exc:
        return None, T_("Ogiltig JSON: %(error)s (rad %(line)s).", error=exc.msg, line=exc.lineno)
    if not isinstance(fields, list):
        return None, N_("Fälten ska vara en lista.")
    names = set()
    out = []
    for number, field in enumerate(fields, start=1):
        if not isinstance(field, dict):
            return None, T_("Fält %(number)s ska vara ett objekt.", number=number)
        name, label = str(field.get("name", "")), str(field.get("label", "")).strip()
        kind = field.get("type", "text")
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", name) or name in names:
            return None, T_("Fält %(number)s: name ska vara unikt, a–z, 0–9 och _.", number=number)
        if not label:
            return None, T_("Fält %(number)s: label saknas.", number=number)
        if kind not in FIELD_TYPES:
            return None, T_(
                "Fält %(number)s: type ska vara en av %(types)s.",
                number=number,
                types=", ".join(FIELD_TYPES),
            )
        item = {"name": name, "label": label[:100], "type": kind}
        if field.get("required"):
            item["required"] = True
        if kind == "select":
            choices = field.get("choices")
            if not isinstance(choices, list) or not choices:
                return None, T_(
                    "Fält %(number)s: ett val behöver choices (en lista).", number=number
                )
            item["choices"] = [str(c)[:100] for c in choices]
        names.add(name)
        out.append(item)
    return out, None


def save_request_type(request_type, *, label, enabled, price_ore, fields, staff) -> None:
    """Staff change an operator request type; call inside ``write_tx``."""
    before = {
        "label": request_type.label,
        "enabled": request_type.enabled,
        "price_ore": request_type.price_ore,
        "fields": request_type.fields,
    }
    request_type.label = label
    request_type.enabled = enabled
    request_type.price_ore = price_ore
    request_type.fields = json.dumps(fields, ensure_ascii=False)
    request_type.save()
    audit.record(
        "request_type.save",
        request_type,
        actor=staff,
        summary=f"Förfrågningstyp {label} {'aktiv' if enabled else 'avstängd'}",
        before=before,
        after={"label": label, "enabled": enabled, "price_ore": price_ore, "fields": fields},
    )
