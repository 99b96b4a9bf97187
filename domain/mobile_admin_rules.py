"""The rules of the service page's Mobiladministration (SRV-4): spending
limits, options (directory, roaming), add-ons, auto-upgrade, a lost SIM's
barring, caller id, invoice text, the user profile and the switchboard's
log-in; each ``prepare_*`` checks what was entered and returns what the
request records, or raises :class:`~domain.service_rules.ActionError`.
Nothing here writes. The rules of the other actions are
domain/service_rules.py's; domain/service_actions.py offers both.
"""

from __future__ import annotations

import datetime as dt

from domain.numbers import format_phone, normalise_phone
from domain.service_rules import (
    VOICE_KINDS,
    ActionError,
    listed,
    translatable_summary,
    valid_email,
)
from domain.service_terms import (
    active_sim,
    addon_options,
    current_addon_codes,
    first_of_month,
    prices,
)
from domain.text import N_, T_
from tables.services import PhoneNumber, Service

MEX_STATUSES = {"in": N_("Inloggad i växeln"), "out": N_("Utloggad ur växeln")}
CALLER_ID_MODES = {
    "own": N_("Eget nummer"),
    "other": N_("Annat nummer"),
    "hidden": N_("Dolt nummer"),
}


def _gb_to_mb(text: str, field: str) -> int | None:
    text = (text or "").strip().replace(",", ".").replace(" ", "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ActionError(N_("Ange mängden i GB, t.ex. 2 eller 0,5."), field) from None
    if not 0.1 <= value <= 1000:
        raise ActionError(N_("Ange mellan 0,1 och 1000 GB."), field)
    return round(value * 1024)


@translatable_summary
def prepare_limits(service, call_kr: str, data_gb: str) -> dict:
    call_text = (call_kr or "").strip().replace(" ", "")
    call = None
    if call_text:
        if not call_text.isdigit() or not 1 <= int(call_text) <= 100000:
            raise ActionError(N_("Ange samtalsgränsen i hela kronor, 1–100 000."), "call_limit")
        call = int(call_text) * 100
    if call is not None and service.kind == "mbb":
        raise ActionError(N_("Mobilt bredband har ingen samtalsgräns."), "call_limit")
    data = _gb_to_mb(data_gb, "data_limit")
    parts = [
        T_("samtal %(amount)s kr", amount=call // 100) if call else T_("ingen samtalsgräns"),
        T_("Speed Stop %(gb)s GB", gb=data_gb.strip()) if data else T_("ingen Speed Stop"),
    ]
    return {
        "op": "limits",
        "payload": {"call_ore": call, "data_mb": data},
        "summary": T_("Förbrukningsgränser: %(list)s", list=listed(parts)),
    }


@translatable_summary
def prepare_options(service, directory: bool, roaming_voice: bool, roaming_data: bool) -> dict:
    voice = service.kind in VOICE_KINDS
    values = {
        "directory_listed": bool(directory) if voice else service.directory_listed,
        "roaming_voice": bool(roaming_voice) if voice else service.roaming_voice,
        "roaming_data": bool(roaming_data),
    }
    labels = {
        "directory_listed": N_("Katalogpost"),
        "roaming_voice": N_("Roaming tal"),
        "roaming_data": N_("Roaming data"),
    }
    parts = [
        T_("%(option)s på", option=T_(labels[k]))
        if v
        else T_("%(option)s av", option=T_(labels[k]))
        for k, v in values.items()
        if voice or k == "roaming_data"
    ]
    summary = T_("Optioner: %(list)s", list=listed(parts))
    return {"op": "options", "payload": values, "summary": summary}


@translatable_summary
def prepare_addons(service, codes: list[str], today=None) -> dict:
    today = today or dt.date.today()
    options = {p.code: p for p in addon_options(service)}
    unknown = [c for c in codes if c not in options]
    if unknown:
        raise ActionError(N_("Välj bland tilläggsabonnemangen i listan."), "addons")
    current = {c for c in current_addon_codes(service) if c in options}
    chosen = set(codes)
    added = sorted(chosen - current)
    removed = sorted(current - chosen)
    if not added and not removed:
        raise ActionError(N_("Inga ändringar att spara."))
    org = service.organisation
    lines = []
    for code in added:
        monthly, start, binding = prices(org, options[code])
        lines.append((options[code], monthly, start, binding))
    parts = [f"+{options[c].name}" for c in added] + [f"−{options[c].name}" for c in removed]
    return {
        "op": "addons",
        "payload": {
            "add": added,
            "remove": removed,
            "effective": first_of_month(today).isoformat(),
        },
        "summary": T_("Tilläggsabonnemang: %(list)s", list=", ".join(parts)),
        "lines": lines,
    }


@translatable_summary
def prepare_auto_upgrade(service, on: bool) -> dict:
    return {
        "op": "auto_upgrade",
        "payload": {"auto_upgrade": bool(on)},
        "summary": T_("Auto-uppgradering på") if on else T_("Auto-uppgradering av"),
    }


class AlreadyBlocked(ActionError):
    """The SIM card is blocked already (by someone else, or a second submit)."""


@translatable_summary
def prepare_lost_sim(service) -> dict:
    sim = active_sim(service)
    if sim is None:
        raise ActionError(N_("Tjänsten har inget aktivt SIM-kort att spärra."))
    if sim.status != "active":
        raise AlreadyBlocked(N_("SIM-kortet är redan spärrat."))
    return {
        "op": "lost_sim",
        "payload": {"icc": sim.icc},
        "summary": T_("Spärr av förlorat SIM-kort %(icc)s", icc=sim.icc),
    }


@translatable_summary
def prepare_lost_sim_lift(service) -> dict:
    sim = active_sim(service)
    if sim is None or sim.status != "blocked":
        raise ActionError(N_("SIM-kortet är inte spärrat."))
    return {
        "op": "lost_sim_lift",
        "payload": {"icc": sim.icc},
        "summary": T_("Häv spärr av SIM-kort %(icc)s", icc=sim.icc),
    }


def organisation_numbers_match(service, number: str) -> bool:
    """Whether ``number`` is one of the organisation's own numbers."""
    own = Service.select(Service.id).where(
        (Service.organisation == service.organisation_id)
        & (Service.number == number)
        & (Service.status != "terminated")
    )
    if own.exists():
        return True
    numbers = (
        PhoneNumber.select(PhoneNumber.number, PhoneNumber.range_end)
        .join(Service, on=(PhoneNumber.service == Service.id))
        .where((Service.organisation == service.organisation_id) & (Service.status != "terminated"))
        .tuples()
    )
    for first, last in numbers:
        if number == first:
            return True
        if last and len(first) == len(number) == len(last) and first <= number <= last:
            return True
    return False


@translatable_summary
def prepare_caller_id(service, mode: str, number: str) -> dict:
    if mode not in CALLER_ID_MODES:
        raise ActionError(N_("Välj vilket nummer som ska visas."), "mode")
    shown = ""
    if mode == "other":
        shown = normalise_phone(number) or ""
        if not shown:
            raise ActionError(N_("Ange ett giltigt telefonnummer, t.ex. 090-695 32 00."), "number")
        if shown == service.number:
            shown = ""
            mode = "own"
        elif not organisation_numbers_match(service, shown):
            raise ActionError(
                N_("Numret måste vara ett av er organisations egna nummer."), "number"
            )
    summary = {
        "own": T_("Nummervisning: eget nummer"),
        "hidden": T_("Nummervisning: dolt nummer"),
        "other": T_("Nummervisning: %(number)s", number=format_phone(shown)),
    }[mode]
    return {
        "op": "caller_id",
        "payload": {"caller_id": shown, "caller_id_hidden": mode == "hidden"},
        "summary": summary,
    }


@translatable_summary
def prepare_invoice_text(service, text: str) -> dict:
    text = (text or "").strip()
    if len(text) > 50:
        raise ActionError(N_("Högst 50 tecken."), "invoice_text")
    return {
        "op": "invoice_text",
        "payload": {"invoice_text": text},
        "summary": T_("Fakturatext: %(text)s", text=text) if text else T_("Fakturatext borttagen"),
    }


@translatable_summary
def prepare_profile(service, name, address, user_email, admin_email) -> dict:
    values = {
        "profile_name": (name or "").strip(),
        "profile_address": (address or "").strip(),
        "profile_user_email": (user_email or "").strip(),
        "profile_admin_email": (admin_email or "").strip(),
    }
    limits = {"profile_name": 100, "profile_address": 200}
    for key, limit in limits.items():
        if len(values[key]) > limit:
            raise ActionError(T_("Högst %(limit)s tecken.", limit=limit), key)
    for key in ("profile_user_email", "profile_admin_email"):
        if values[key] and not valid_email(values[key]):
            raise ActionError(N_("Ange en giltig e-postadress."), key)
    return {"op": "profile", "payload": values, "summary": T_("Profil uppdaterad")}


@translatable_summary
def prepare_mex(service, status: str) -> dict:
    if status not in MEX_STATUSES:
        raise ActionError(N_("Välj växelstatus."), "mex_status")
    return {
        "op": "mex",
        "payload": {"mex_status": status},
        "summary": T_("Växelstatus: %(status)s", status=T_(MEX_STATUSES[status])),
    }
