"""Call detail records (kind ``cdr``), one row per call, message or data
session; see docs/BILLING_IMPORT.md for the columns.

Natural key: the service, the start time (to the second), the B-number and
the traffic type. A stored record with that key is compared field by field:
``invoiced`` and ``invoice`` may change (billing invoices the traffic
later); any other difference is a conflict, reported and not applied.

The key has no unique index: call records loaded before the importer (the
demo seed, earlier systems) were never held to it, and such an index would
refuse to build on them. The look-up uses the existing (service, started_at)
index, and the importer itself never stores a key twice.
"""

from __future__ import annotations

import datetime as dt

from database import db, is_sqlite
from domain.billing import csvfile as f
from domain.billing.engine import (
    CONFLICT,
    NEW,
    UNCHANGED,
    UPDATE,
    Context,
    Outcome,
    parsed,
    record_change,
    save_changes,
)
from domain.text import N_
from tables.billing import CallRecord, Invoice

REQUIRED = ("kundnummer", "tjänst", "starttid", "typ", "b_nummer")
OPTIONAL = (
    "riktning",
    "a_nummer",
    "land",
    "längd",
    "bytes",
    "pris",
    "fakturerad",
    "fakturanummer",
)

TYPES = {
    "mobile": "mobile",
    "mobil": "mobile",
    "national": "national",
    "nationell": "national",
    "international": "international",
    "utland": "international",
    "sms": "sms",
    "mms": "mms",
    "data": "data",
    "roaming": "roaming",
}
DIRECTIONS = {"ut": "out", "out": "out", "in": "in"}

# Fields a later file may change, and those that must agree.
BILLING_FIELDS = ("invoiced", "invoice")
FIXED_FIELDS = ("direction", "a_number", "country", "duration_s", "bytes", "price_ore")
LABELS = {
    "direction": "riktning",
    "a_number": "a_nummer",
    "country": "land",
    "duration_s": "längd",
    "bytes": "bytes",
    "price_ore": "pris",
}
STORED_NAMES = (
    "id",
    "service",
    "started_at",
    "b_number",
    "traffic_type",
    *FIXED_FIELDS,
    "invoiced",
    "invoice",
)
STORED_COLUMNS = [
    {"service": "service_id", "invoice": "invoice_id"}.get(name, name) for name in STORED_NAMES
]
INSERT_FIELDS = [
    CallRecord.organisation,
    CallRecord.account,
    CallRecord.service,
    CallRecord.started_at,
    CallRecord.direction,
    CallRecord.a_number,
    CallRecord.b_number,
    CallRecord.traffic_type,
    CallRecord.country,
    CallRecord.duration_s,
    CallRecord.bytes,
    CallRecord.price_ore,
    CallRecord.invoiced,
    CallRecord.invoice,
    CallRecord.import_batch,
]


class CallRecords:
    name = "cdr"
    label = N_("Samtal (CDR)")
    required = REQUIRED
    optional = OPTIONAL

    def records(self, path):
        with open(path, "rb") as stream:
            yield from f.read_rows(stream, REQUIRED, OPTIONAL)

    def parse(self, row: f.Row, ctx: Context) -> dict:
        v = row.values
        if "__width__" in v:
            raise f.RowError(f"fel antal fält ({v['__width__']})")
        account = ctx.account(v)
        service_id, service_account = ctx.service(account, f.text(v, "tjänst"))
        traffic = f.choice(v, "typ", TYPES)
        b_number = f.text(v, "b_nummer", required=False, max_length=40)
        if traffic != "data" and not b_number:
            raise f.RowError("b_nummer saknas (krävs utom för data)")
        country = (v.get("land") or "SE").upper()
        if len(country) != 2 or not country.isalpha():
            raise f.RowError(f"land: {v.get('land')!r} är ingen landskod (två bokstäver, t.ex. SE)")
        invoice_id = None
        if v.get("fakturanummer"):
            invoice_id = self._invoice(ctx, v["fakturanummer"], account.organisation_id)
        invoiced = f.choice(v, "fakturerad", f.YES_NO, default=invoice_id is not None)
        if invoice_id is not None and not invoiced:
            raise f.RowError("fakturanummer är angivet men fakturerad är nej")
        return {
            "organisation": account.organisation_id,
            "account": service_account,
            "service": service_id,
            "started_at": f.local_time(v, "starttid"),
            "direction": f.choice(v, "riktning", DIRECTIONS, default="out"),
            "a_number": f.text(v, "a_nummer", required=False, max_length=40) or v["tjänst"],
            "b_number": b_number,
            "traffic_type": traffic,
            "country": country,
            "duration_s": f.integer(v, "längd", default=0),
            "bytes": f.integer(v, "bytes", default=0),
            "price_ore": f.amount(v, "pris", required=False) or 0,
            "invoiced": invoiced,
            "invoice": invoice_id,
        }

    def _invoice(self, ctx: Context, number: str, organisation_id: int) -> int:
        cache = ctx.__dict__.setdefault("_invoices", {})
        if number not in cache:
            cache[number] = (
                Invoice.select(Invoice.id, Invoice.organisation)
                .where(Invoice.number == number)
                .tuples()
                .first()
            )
            if len(cache) > 10000:  # bounded: files refer to a few invoices at a time
                cache.clear()
                return self._invoice(ctx, number, organisation_id)
        found = cache[number]
        if found is None:
            raise f.RowError(f"fakturanummer: det finns ingen faktura {number}")
        if found[1] != organisation_id:
            raise f.RowError(f"fakturanummer: faktura {number} tillhör en annan kund")
        return found[0]

    def check(self, rows: list[f.Row], ctx: Context) -> list[Outcome]:
        outcomes, valid = parsed(
            rows,
            lambda row: self.parse(row, ctx),
            lambda data: (
                f"{data['service']}|{data['started_at']:%Y-%m-%d %H:%M:%S}|"
                f"{data['b_number']}|{data['traffic_type']}"
            ),
        )
        stored = self._stored(valid)
        for outcome in valid:
            d = outcome.data
            match = stored.get((d["service"], d["started_at"], d["b_number"], d["traffic_type"]))
            if match is None:
                continue
            outcome.stored = match
            differing = [LABELS[k] for k in FIXED_FIELDS if match[k] != d[k]]
            if differing:
                outcome.status = CONFLICT
                outcome.message = (
                    f"samtalet {d['started_at']:%Y-%m-%d %H:%M:%S} UTC finns redan med andra värden "
                    f"för {', '.join(differing)}; inte ändrat"
                )
                continue
            changes = {k: (match[k], d[k]) for k in BILLING_FIELDS if match[k] != d[k]}
            if changes:
                outcome.status = UPDATE
                outcome.changes = changes
            else:
                outcome.status = UNCHANGED
        return outcomes

    def _stored(self, outcomes: list[Outcome]) -> dict:
        """The stored records with the chunk's (service, start) pairs, by key.

        A join from a VALUES list: SQLite serves it from the (service,
        started_at) index, where ``(a, b) IN (VALUES …)`` scans the table."""
        if not outcomes:
            return {}
        pairs = list({(o.data["service"], o.data["started_at"]) for o in outcomes})
        mark = db.obj.param
        values = ", ".join(f"({mark}, {mark})" for _ in pairs)
        params = []
        for service, started in pairs:
            params += [service, started.strftime("%Y-%m-%d %H:%M:%S") if is_sqlite() else started]
        columns = ", ".join(f"cr.{c}" for c in STORED_COLUMNS)
        cursor = db.execute_sql(
            f'SELECT {columns} FROM (VALUES {values}) AS v JOIN "call_record" AS cr '
            "ON cr.service_id = v.column1 AND cr.started_at = v.column2 ORDER BY cr.id",
            params,
        )
        found = {}
        for values_row in cursor.fetchall():
            row = dict(zip(STORED_NAMES, values_row, strict=True))
            row["started_at"] = _as_datetime(row["started_at"])
            row["invoiced"] = bool(row["invoiced"])
            key = (row["service"], row["started_at"], row["b_number"], row["traffic_type"])
            found.setdefault(key, row)
        return found

    def _insert(self, rows: list[dict], batch_id: int) -> None:
        """One ``executemany`` of the chunk's new records. Peewee's
        ``insert_many`` spends 250 µs a row building the SQL of 15 columns
        (bench/import.py); the statement here is built once."""
        assert db.obj.in_write_tx
        sqlite = is_sqlite()
        names = [field.column_name for field in INSERT_FIELDS]
        marks = ", ".join([db.obj.param] * len(names))
        sql = f'INSERT INTO "call_record" ({", ".join(names)}) VALUES ({marks})'
        params = []
        for d in rows:
            values = [d[field.name] for field in INSERT_FIELDS[:-1]]
            if sqlite:
                values[3] = values[3].strftime("%Y-%m-%d %H:%M:%S")
            params.append((*values, batch_id))
        db.cursor().executemany(sql, params)

    def write(self, outcomes: list[Outcome], ctx: Context) -> None:
        new = [o.data for o in outcomes if o.status == NEW]
        if new:
            self._insert(new, ctx.batch.id)
        updates = [o for o in outcomes if o.status == UPDATE]
        groups: dict[tuple, list[int]] = {}
        changes = []
        for o in updates:
            groups.setdefault((o.data["invoiced"], o.data["invoice"]), []).append(o.stored["id"])
            changes.append(
                record_change(
                    ctx,
                    "call_record",
                    o.stored["id"],
                    "update",
                    before={k: o.stored[k] for k in BILLING_FIELDS},
                    after={k: o.data[k] for k in BILLING_FIELDS},
                )
            )
        for (invoiced, invoice), ids in groups.items():
            CallRecord.update(invoiced=invoiced, invoice=invoice).where(
                CallRecord.id.in_(ids)
            ).execute()
        save_changes(changes)


def _as_datetime(value):
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    return value
