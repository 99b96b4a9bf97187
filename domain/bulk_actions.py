"""Bulk actions on Tjänster (issue 18 item 7, UI-4): one action on many
services, each service through exactly the code of the single action.

* Lägg till i grupp — domain/groups.change_group (as Byt grupp: a current
  membership in the category ends the month before);
* Byt prisplan, Byt datapaket — Ändra tjänst (``change``):
  service_rules.prepare_change_service → orders/service_requests.request;
* Spärra, Häv spärr — Mobilspärrar (``barrings``): prepare_barring_add /
  prepare_barring_remove → request;
* Fakturatext — prepare_invoice_text → request.

Every row is checked with service_actions.check (kind, status, permission)
and its ``prepare_*`` rules, and carried out in a transaction of its own
together with the row's outcome: one refused row never undoes another, and
a run taken up again after its worker died finds the rows already done
marked so (they are never done twice). :func:`start` records the run and
its rows (pending); :func:`run` carries the pending rows out — in the
request for a few, in the worker (worker.py ``run_bulk``) for more.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from peewee import fn

from database import utcnow, write_tx
from domain import audit
from domain import groups as group_rules
from domain import service_actions as sa
from domain.orders import service_requests
from domain.text import N_, T_, Text
from permissions import holds_any
from tables.bulk import BulkAction, BulkActionRow
from tables.catalogue import Product
from tables.org import Group
from tables.services import BARRING_KINDS, Barring, Service

ACTIVE = ("queued", "running")
MAX_ATTEMPTS = 3
STALE_AFTER = dt.timedelta(minutes=2)
BEAT_EVERY = 10  # rows between two progress writes
# Up to this many services the confirmation counts the refusals up front.
PREVIEW_ROWS = 500


class BulkError(ValueError):
    """The bulk action's values cannot be used (a message for the form)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class BulkKind:
    key: str
    label: str  # the bulk bar's button
    action: str | None  # the single service action (service_actions.ACTIONS)
    permission: str | tuple[str, ...]


KINDS: dict[str, BulkKind] = {
    k.key: k
    for k in [
        BulkKind("group", N_("Lägg till i grupp"), None, "accounts.edit"),
        BulkKind("price_plan", N_("Byt prisplan"), "change", sa.ACTIONS["change"].permission),
        BulkKind("data_package", N_("Byt datapaket"), "change", sa.ACTIONS["change"].permission),
        BulkKind("bar", N_("Spärra"), "barrings", sa.ACTIONS["barrings"].permission),
        BulkKind("unbar", N_("Häv spärr"), "barrings", sa.ACTIONS["barrings"].permission),
        BulkKind("invoice_text", N_("Fakturatext"), "invoice_text",
                 sa.ACTIONS["invoice_text"].permission),
    ]
}  # fmt: skip


def may_use(user, key: str) -> bool:
    kind = KINDS.get(key)
    return kind is not None and holds_any(user, kind.permission)


def permitted(user) -> list[BulkKind]:
    """The bulk actions the user may use (the bulk bar offers only these)."""
    return [k for k in KINDS.values() if holds_any(user, k.permission)]


# ----------------------------------------------------------------- the values


def products(kind: str) -> list[Product]:
    """The catalogue's active price plans or data packages, by name."""
    return list(
        Product.select()
        .where((Product.kind == kind) & (Product.active == True))  # noqa: E712
        .order_by(Product.name)
    )


def _product(kind: str, code: str, field: str, missing: str) -> Product:
    product = Product.get_or_none((Product.kind == kind) & (Product.code == (code or "")))
    if product is None:
        raise BulkError(missing, field)
    return product


def _date(value: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise BulkError(N_("Ange datumet som ÅÅÅÅ-MM-DD."), "desired_date") from error


def clean(organisation_id: int, key: str, values: dict) -> tuple[dict, str]:
    """The action's values checked as far as they do not depend on the
    service: (params to store, what the action does in words). Raises
    BulkError. What depends on the service is checked per row."""
    if key == "group":
        group = group_rules.group_of(organisation_id, _int(values.get("group")))
        if group is None or group.removed_at is not None:
            raise BulkError(N_("Välj en grupp."), "group")
        start = group_rules.parse_month(values.get("start_month") or "")
        if values.get("start_month") and start is None:
            raise BulkError(N_("Ange månaden som ÅÅÅÅ-MM, t.ex. 2026-01."), "start_month")
        start = start or group_rules.current_month()
        params = {"group": group.id, "start": start.isoformat()}
        return params, describe(key, params, group.label)
    if key in ("price_plan", "data_package"):
        if key == "price_plan":
            product = _product("price_plan", values.get("code"), "code", N_("Välj en prislista."))
        else:
            product = _product(
                "data_package", values.get("code"), "code", N_("Välj ett datapaket.")
            )
        desired = _date(values.get("desired_date") or "")
        params = {"code": product.code, "desired": desired.isoformat() if desired else ""}
        return params, describe(key, params, product.name)
    if key in ("bar", "unbar"):
        kind = values.get("kind") or ""
        if kind not in BARRING_KINDS:
            raise BulkError(N_("Välj en spärr i listan."), "kind")
        return {"kind": kind}, describe(key, {"kind": kind})
    if key == "invoice_text":
        text = (values.get("invoice_text") or "").strip()
        try:
            sa.prepare_invoice_text(None, text)  # the same length rule, once for the form
        except sa.ActionError as error:
            raise BulkError(error.message, "invoice_text") from error
        return {"invoice_text": text}, describe(key, {"invoice_text": text})
    raise BulkError(N_("Okänd åtgärd."))


def describe(key: str, params: dict, name: str = "") -> Text:
    """What the action does in words, from its stored params (``name``: the
    group's or product's name, looked up when not given). A barring's kind
    is the parameter ``kind``, a marked label the web layer translates too."""
    if key == "group":
        if not name:
            group = Group.get_or_none(Group.id == params.get("group"))
            name = group.label if group is not None else ""
        month = group_rules.format_month(dt.date.fromisoformat(params["start"]))
        return T_("Lägg till i %(group)s från %(month)s", group=name, month=month)
    if key in ("price_plan", "data_package"):
        if not name:
            product = Product.get_or_none(
                (Product.kind == key) & (Product.code == params.get("code"))
            )
            name = product.name if product is not None else params.get("code", "")
        desired = params.get("desired")
        if key == "price_plan" and desired:
            return T_("Byt prisplan till %(name)s från %(date)s", name=name, date=desired)
        if key == "price_plan":
            return T_("Byt prisplan till %(name)s (tidigast möjliga datum)", name=name)
        if desired:
            return T_("Byt datapaket till %(name)s från %(date)s", name=name, date=desired)
        return T_("Byt datapaket till %(name)s (tidigast möjliga datum)", name=name)
    if key in ("bar", "unbar"):
        label = BARRING_KINDS.get(params.get("kind"), params.get("kind", ""))
        if key == "bar":
            return T_("Lägg till spärr: %(kind)s", kind=label)
        return T_("Ta bort spärr: %(kind)s", kind=label)
    if key == "invoice_text":
        text = params.get("invoice_text", "")
        if text:
            return T_("Sätt fakturatexten ”%(text)s”", text=text)
        return T_("Ta bort fakturatexten")
    return T_("Okänd åtgärd.")


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


# ----------------------------------------------------------------- one service


def refusal(user, service, key: str, params: dict | None = None) -> str | None:
    """Why the row will be refused, as far as it shows without trying: the
    single action's kind, status and permission check, and for a price
    plan or data package whether the service has it among its options."""
    kind = KINDS[key]
    if kind.action is None:
        return None if holds_any(user, kind.permission) else N_("Du har inte behörighet.")
    message = sa.refusal(user, service, kind.action)
    if message is not None or key not in ("price_plan", "data_package") or not params:
        return message
    if params["code"] not in {p.code for p in sa.change_options(service)[key]}:
        return _not_offered(key)
    plan, data = (params["code"], None) if key == "price_plan" else (None, params["code"])
    if not sa.change_preview(service, plan, data)["changed"]:
        return _unchanged(key)
    return None


def _unchanged(key: str) -> str:
    if key == "price_plan":
        return N_("Tjänsten har redan prislistan.")
    return N_("Tjänsten har redan datapaketet.")


def _not_offered(key: str) -> str:
    if key == "price_plan":
        return N_("Prislistan finns inte att välja för den här tjänsten.")
    return N_("Datapaketet finns inte att välja för den här tjänsten.")


def _change(user, service, params: dict, plan_code, data_code):
    sa.check(user, service, "change")
    desired = dt.date.fromisoformat(params["desired"]) if params.get("desired") else None
    preview = sa.change_preview(service, plan_code, data_code)
    if not preview["changed"]:
        raise sa.ActionError(_unchanged("price_plan" if plan_code else "data_package"))
    if desired is None:  # the earliest date the single dialog proposes
        desired = preview["earliest"]
    try:
        args = sa.prepare_change_service(service, plan_code, data_code, desired)
    except sa.ActionError as error:
        if error.field in ("price_plan", "data_package"):
            raise sa.ActionError(_not_offered(error.field)) from error
        raise
    return args


def perform(user, service, key: str, params: dict):
    """Carry out the action on one service as the single action does: the
    Order it made, or None (a group change makes no order). Raises
    ActionError or GroupError with the reason it is refused."""
    if key == "group":
        if not holds_any(user, KINDS["group"].permission):
            raise sa.ActionError(N_("Du har inte behörighet att ändra grupper."))
        group = group_rules.group_of(service.organisation_id, params["group"])
        if group is None or group.removed_at is not None:
            raise group_rules.GroupError(N_("Gruppen finns inte längre."))
        group_rules.change_group(service, group, dt.date.fromisoformat(params["start"]))
        return None
    if key == "price_plan":
        args = _change(user, service, params, params["code"], None)
    elif key == "data_package":
        args = _change(user, service, params, None, params["code"])
    elif key == "bar":
        sa.check(user, service, "barrings")
        args = sa.prepare_barring_add(service, params["kind"])
    elif key == "unbar":
        sa.check(user, service, "barrings")
        barring = Barring.get_or_none(
            (Barring.service == service.id) & (Barring.kind == params["kind"])
        )
        if barring is None:
            label = BARRING_KINDS.get(params["kind"], params["kind"])
            raise sa.ActionError(T_("Tjänsten har ingen spärr %(label)s.", label=label))
        args = sa.prepare_barring_remove(service, barring.id)
    elif key == "invoice_text":
        sa.check(user, service, "invoice_text")
        args = sa.prepare_invoice_text(service, params["invoice_text"])
    else:
        raise sa.ActionError(N_("Okänd åtgärd."))
    return service_requests.request(user, service, args.pop("op"), args.pop("payload"), **args)


# ----------------------------------------------------------------- the run


def selection_key(key: str, params: dict, service_ids: list[int]) -> str:
    text = json.dumps([key, params, sorted(service_ids)], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def start(user, key: str, params: dict, summary: str, service_ids: list[int], token: str):
    """Record the run and its rows (pending), audited once (``bulk.start``).
    Returns (run, started): a double click (the same ``token``) or the same
    action on the same services while one is on its way gives the run
    already there, not a second. None when ``token`` is someone else's."""
    digest = selection_key(key, params, service_ids)
    with write_tx():
        existing = BulkAction.get_or_none(BulkAction.token == token)
        if existing is not None:
            return (existing, False) if existing.user_id == user.id else (None, False)
        running = (
            BulkAction.select()
            .where(
                (BulkAction.user == user.id)
                & (BulkAction.key == digest)
                & BulkAction.status.in_(ACTIVE)
            )
            .first()
        )
        if running is not None:
            return running, False
        bulk = BulkAction.create(
            organisation=user.organisation_id,
            user=user.id,
            action=key,
            params=json.dumps(params, sort_keys=True),
            summary=summary[:250],
            token=token,
            key=digest,
            rows_total=len(service_ids),
            heartbeat_at=utcnow(),
        )
        rows = [
            {"bulk": bulk.id, "service": service_id, "position": n}
            for n, service_id in enumerate(service_ids)
        ]
        for first in range(0, len(rows), 500):
            BulkActionRow.insert_many(rows[first : first + 500]).execute()
        audit.record(
            "bulk.start",
            bulk,
            summary=f"Massåtgärd: {summary} för {len(service_ids)} tjänster",
            after={"action": key, "params": params, "services": len(service_ids)},
            organisation=user.organisation_id,
            actor=user,
        )
    return bulk, True


def for_user(user, bulk_id: int) -> BulkAction | None:
    """The user's own run (None for anyone else's: the caller answers 404)."""
    return BulkAction.get_or_none(
        (BulkAction.id == bulk_id)
        & (BulkAction.user == user.id)
        & (BulkAction.organisation == user.organisation_id)
    )


def claim(bulk_id: int, now: dt.datetime | None = None) -> bool:
    """Take the run: queued, or running with a stale heartbeat (its worker
    died). One conditional UPDATE, so two workers never both have it."""
    now = now or utcnow()
    with write_tx():
        return bool(
            BulkAction.update(status="running", attempts=BulkAction.attempts + 1, heartbeat_at=now)
            .where(
                (BulkAction.id == bulk_id)
                & (
                    (BulkAction.status == "queued")
                    | (
                        (BulkAction.status == "running")
                        & (BulkAction.heartbeat_at < now - STALE_AFTER)
                    )
                )
            )
            .execute()
        )


def _progress(bulk_id: int, **fields) -> None:
    with write_tx():
        BulkAction.update(heartbeat_at=utcnow(), **fields).where(BulkAction.id == bulk_id).execute()


def _done_count(bulk_id: int) -> int:
    return (
        BulkActionRow.select()
        .where((BulkActionRow.bulk == bulk_id) & (BulkActionRow.status != "pending"))
        .count()
    )


def _mark(row_id: int, **fields) -> int:
    return (
        BulkActionRow.update(done_at=utcnow(), **fields)
        .where((BulkActionRow.id == row_id) & (BulkActionRow.status == "pending"))
        .execute()
    )


class _Taken(Exception):
    """The row was carried out meanwhile (by another worker): undo ours."""


def run_row(user, bulk: BulkAction, params: dict, row_id: int, service) -> str:
    """One row in a transaction of its own with its outcome."""
    if service is None:
        with write_tx():
            _mark(row_id, status="refused", message=N_("Tjänsten finns inte i din behörighet."))
        return "refused"
    try:
        with write_tx():
            order = perform(user, service, bulk.action, params)
            if not _mark(row_id, status="done", order=order.id if order else None):
                raise _Taken
    except _Taken:
        return "skipped"
    except (sa.ActionError, group_rules.GroupError) as error:
        with write_tx():
            if not _mark(row_id, status="refused", message=str(error)[:1000]):
                return "skipped"
        return "refused"
    return "done"


def run(bulk_id: int, user, on_row: Callable[[int], None] | None = None) -> str:
    """Carry out the run's pending rows as ``user`` (None: the user is gone;
    the run fails). Returns the run's final status, or "skipped" when
    another worker has it."""
    if not claim(bulk_id):
        return "skipped"
    bulk = BulkAction.get_by_id(bulk_id)
    if user is None or user.id != bulk.user_id:
        _progress(bulk_id, status="failed", error=N_("Användaren finns inte längre eller är inaktiverad."),
                  finished_at=utcnow())  # fmt: skip
        return "failed"
    params = bulk.values
    pending = list(
        BulkActionRow.select(BulkActionRow.id, BulkActionRow.service)
        .where((BulkActionRow.bulk == bulk_id) & (BulkActionRow.status == "pending"))
        .order_by(BulkActionRow.position)
        .tuples()
    )
    done = bulk.rows_total - len(pending)
    for first in range(0, len(pending), 200):
        chunk = pending[first : first + 200]
        # The user's scope now, not when the run started.
        visible = {
            s.id: s
            for s in Service.visible_to(user).where(Service.id.in_([sid for _, sid in chunk]))
        }
        for row_id, service_id in chunk:
            run_row(user, bulk, params, row_id, visible.get(service_id))
            done += 1
            if on_row is not None:
                on_row(done)
            if done % BEAT_EVERY == 0:
                _progress(bulk_id, rows_done=done)
    _progress(bulk_id, status="done", rows_done=_done_count(bulk_id), finished_at=utcnow())
    return "done"


def take_up_lost(now: dt.datetime | None = None) -> list[int]:
    """Runs to queue again: running ones whose heartbeat stopped and queued
    ones never picked up; after MAX_ATTEMPTS runs they fail instead."""
    now = now or utcnow()
    cutoff = now - STALE_AFTER
    lost = list(
        BulkAction.select().where(
            BulkAction.status.in_(ACTIVE) & (BulkAction.heartbeat_at < cutoff)
        )
    )
    again = []
    with write_tx():
        for bulk in lost:
            if bulk.attempts >= MAX_ATTEMPTS:
                BulkAction.update(
                    status="failed",
                    error=N_("Massåtgärden avbröts upprepade gånger och har stoppats."),
                    finished_at=now,
                ).where(BulkAction.id == bulk.id).execute()
                continue
            BulkAction.update(status="queued", heartbeat_at=now).where(
                BulkAction.id == bulk.id
            ).execute()
            again.append(bulk.id)
    return again


def counts(bulk: BulkAction) -> dict[str, int]:
    """The run's rows by outcome: pending, done, refused."""
    out = {"pending": 0, "done": 0, "refused": 0}
    query = (
        BulkActionRow.select(BulkActionRow.status, fn.COUNT(BulkActionRow.id))
        .where(BulkActionRow.bulk == bulk.id)
        .group_by(BulkActionRow.status)
        .tuples()
    )
    out.update(dict(query))
    return out
