"""Billing files for the importer's tests, written from the demo data (A3
Demo Connect's top account and mobile services) so that every row names a
real customer number and service."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tables.org import Organisation
from tables.services import Service

INVOICE_HEADER = (
    "fakturanummer;kundnummer;fakturadatum;förfallodatum;periodstart;periodslut;referens;"
    "status;betaldatum;ocr;moms;belopp;tjänst;beskrivning;användare;radbelopp"
)
CDR_HEADER = "kundnummer;tjänst;starttid;typ;b_nummer;riktning;längd;pris;fakturerad;fakturanummer"
USAGE_HEADER = "kundnummer;tjänst;månad;data_mb;samtalstid;samtal;sms;kostnad"
CREDIT_HEADER = (
    "kreditnummer;kundnummer;fakturanummer;datum;orsak;moms;tjänst;beskrivning;radbelopp"
)


class Demo:
    def __init__(self):
        self.org = Organisation.get(Organisation.name.contains("A3"))
        self.account = self.org.top_account()
        self.customer = self.account.customer_number
        services = (
            Service.select()
            .where((Service.organisation == self.org) & (Service.kind == "mobile"))
            .order_by(Service.id)
            .limit(3)
        )
        self.numbers = [s.number for s in services]
        self.services = list(services)


def write(path: Path, header: str, rows: list[str], encoding="utf-8-sig") -> Path:
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode(encoding))
    return path


def invoice_rows(demo: Demo, number: str, status="obetald", paid="", due="2026-02-10", total=""):
    """An invoice of two lines, 100,00 + 50,50 kr and 37,63 kr VAT."""
    c, (s1, s2, _) = demo.customer, demo.numbers
    head = (
        f"{number};{c};2026-01-11;{due};2025-12-01;2025-12-31;Ref 1;{status};{paid};;37,63;{total}"
    )
    return [
        f"{head};{s1};Abonnemang;Anna;100,00",
        f"{head};{s2};Samtal och meddelanden;Bo;50.50",
    ]


def cdr_row(demo: Demo, i: int, *, invoiced="nej", invoice="", price="0,00", number=0):
    """Call ``i``: 2026-01-0X 10:MM:SS Stockholm time (09:MM UTC in winter)."""
    start = dt.datetime(2026, 1, 2, 10, 0, 0) + dt.timedelta(minutes=i, seconds=i)
    return (
        f"{demo.customer};{demo.numbers[number]};{start:%Y-%m-%d %H:%M:%S};mobil;"
        f"07011{i:05d};ut;{60 + i};{price};{invoiced};{invoice}"
    )
