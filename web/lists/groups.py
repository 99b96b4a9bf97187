"""The group filter of the lists (GRP-4): ``?grupp=<group id>``, repeatable.

Several groups of one category widen the list (or), groups of different
categories narrow it (and). Only the groups of the user's organisation
count: another organisation's id (or one that is not a number) is left out,
as if not given. Which group a row belongs to is decided at the time of the
row (tables/group_filter.py): a list configures that with a
:class:`GroupRule` naming the row's account, service and month.

The Excel export carries one column per category of the organisation with
the row's group name at that time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from peewee import SQL, fn

from tables.billing import Invoice, InvoiceLine
from tables.group_filter import (
    chosen_groups,
    group_name_expr,
    groups_condition,
    month_of,
    organisation_groups,
    owners,
    probe,
    this_month,
)
from web.lists.columns import Column

PARAM = "grupp"
MAX_GROUPS = 100  # group ids one request may name


def parse_group_ids(args) -> list[int]:
    """The ``grupp`` values that are ids; anything else is left out."""
    ids = []
    for value in args.getlist(PARAM)[:MAX_GROUPS]:
        # ASCII digits only: str.isdigit() takes "²", which int() refuses.
        if re.fullmatch(r"[0-9]{1,19}", str(value)) and 0 < int(value) < 2**63:
            ids.append(int(value))
    return sorted(set(ids))


def organisation_of(user):
    return getattr(user, "organisation_id", None)


@dataclass
class GroupRule:
    """Where a list's row finds its group: its ``account`` and ``service``
    (fields; no service: by the account), and ``month``, a function giving
    the SQL (or date) of the month the row counts in."""

    account: Any
    month: Callable[[], Any] = this_month
    service: Any = None

    def condition(self, chosen: dict[int, list[int]]):
        return groups_condition(
            chosen, account=self.account, service=self.service, month=self.month()
        )

    def name_expr(self, category_id):
        return group_name_expr(
            category_id, account=self.account, service=self.service, month=self.month()
        )


def row_month(field) -> Callable[[], Any]:
    """The month of a date or time column of the row, per request."""
    return lambda: month_of(field)


def _invoice_month():
    return month_of(fn.COALESCE(Invoice.period_start, Invoice.invoice_date))


class InvoiceGroupRule(GroupRule):
    """An invoice is in the chosen groups when one of its lines counts
    toward them: a line by its service's own membership, else the
    account's, in the line's period month (the invoice's when the line
    has none). An invoice without lines counts by its account in its own
    period month. The export names the account's group in the invoice's
    period month."""

    def __init__(self):
        super().__init__(account=Invoice.account, month=_invoice_month)

    @staticmethod
    def line_condition(chosen, line=InvoiceLine):
        month = month_of(fn.COALESCE(line.period_start, Invoice.period_start, Invoice.invoice_date))
        return groups_condition(chosen, account=Invoice.account, service=line.service, month=month)

    def condition(self, chosen):
        line = InvoiceLine.alias()
        any_line = InvoiceLine.alias()
        counted = fn.EXISTS(
            line.select(SQL("1")).where(
                (line.invoice == Invoice.id) & self.line_condition(chosen, line)
            )
        )
        no_lines = ~fn.EXISTS(any_line.select(SQL("1")).where(any_line.invoice == Invoice.id))
        by_account = groups_condition(chosen, account=Invoice.account, month=self.month())
        return self.candidates(chosen) & (counted | (no_lines & by_account))

    @staticmethod
    def candidates(chosen):
        """A necessary condition, cheap to test first: for every category,
        the invoice's account ever held one of its chosen groups, or one of
        its lines is of a service that ever did (sets computed once, not
        per invoice: tables/group_filter.py)."""
        condition = None
        for group_ids in chosen.values():
            lines = InvoiceLine.select(InvoiceLine.invoice).where(
                InvoiceLine.service.in_(owners("service", group_ids))
            )
            one = probe(Invoice.account).in_(owners("account", group_ids)) | probe(Invoice.id).in_(
                lines
            )
            condition = one if condition is None else condition & one
        return condition


def chosen(state, user) -> dict[int, list[int]]:
    """The state's groups of the user's organisation by category (cached)."""
    if state.group_ids and state.chosen is None:
        state.chosen = chosen_groups(organisation_of(user), state.group_ids)
    return state.chosen or {}


def group_columns(rule: GroupRule, user) -> list[Column]:
    """One export column per category of the user's organisation."""
    return [
        Column(f"{PARAM}_{category.id}", category.name, export=rule.name_expr(category.id))
        for category, _ in organisation_groups(organisation_of(user))
    ]


def group_choices(state, user) -> list[dict]:
    """The Grupper control: the organisation's categories, each with its
    groups ("Kategori:Grupp") and whether they are ticked."""
    return choices_for(user, state.group_ids)


def choices_for(user, ticked_ids) -> list[dict]:
    """The organisation's categories with groups, each group labelled
    "Kategori:Grupp" and ticked when its id is in ``ticked_ids``: the lists'
    Grupper control and the reports' group picker."""
    ticked = set(ticked_ids)
    return [
        {
            "category": category.name,
            "groups": [
                {
                    "id": group.id,
                    "label": f"{category.name}:{group.name}",
                    "checked": group.id in ticked,
                }
                for group in groups
            ],
        }
        for category, groups in organisation_groups(organisation_of(user))
        if groups
    ]


def invoice_lines_total(invoices, chosen) -> int:
    """The sum (öre, VAT excluded) of the lines that count toward the chosen
    groups, of ``invoices``: the invoice list's query *without* its group
    condition (scope and column filters). A line counting toward the groups
    puts its invoice in the filtered list by definition, so each line's own
    condition is tested once, not again through its invoice's; an invoice
    without lines counts whole (its amount less VAT) when its account held
    the groups in its period month."""
    invoice_ids = invoices.where(InvoiceGroupRule.candidates(chosen)).select(Invoice.id)
    lines = (
        InvoiceLine.select(fn.COALESCE(fn.SUM(InvoiceLine.amount_ore), 0))
        .join(Invoice, on=(InvoiceLine.invoice == Invoice.id))
        .where(InvoiceLine.invoice.in_(invoice_ids) & InvoiceGroupRule.line_condition(chosen))
        .scalar()
    )
    any_line = InvoiceLine.alias()
    no_lines = ~fn.EXISTS(any_line.select(SQL("1")).where(any_line.invoice == Invoice.id))
    by_account = groups_condition(chosen, account=Invoice.account, month=_invoice_month())
    whole = (
        Invoice.select(fn.COALESCE(fn.SUM(Invoice.amount_ore - Invoice.vat_ore), 0))
        .where(Invoice.id.in_(invoice_ids) & no_lines & by_account)
        .scalar()
    )
    return int(lines or 0) + int(whole or 0)
