"""Cursor paging: a page is the rows after the last one of the page before
in the list's order (sort value, then id), so every page costs the same
index walk however deep it lies, and nothing is counted. The cursor is that
last row's sort value and id, opaque to clients."""

from __future__ import annotations

import base64
import datetime as dt
import json
from urllib.parse import urlencode

from flask import request

from web.api.problems import ApiError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def bad_query(name: str, detail: str) -> ApiError:
    return ApiError(
        400, detail, errors=[{"name": name, "pointer": f"query/{name}", "detail": detail}]
    )


def limit_arg() -> int:
    text = request.args.get("limit", "")
    if not text:
        return DEFAULT_LIMIT
    if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise bad_query("limit", f"limit is a whole number from 1 to {MAX_LIMIT}.")
    return int(text)


def _encode_value(value):
    if isinstance(value, dt.datetime):
        return ["t", value.isoformat(sep=" ")]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    return ["v", value]


def _decode_value(pair):
    kind, value = pair
    if kind == "t":
        return dt.datetime.fromisoformat(value)
    if kind == "d":
        return dt.date.fromisoformat(value)
    if kind == "v" and (value is None or isinstance(value, (int, str))):
        return value
    raise ValueError(kind)


def encode_cursor(value, row_id: int) -> str:
    text = json.dumps([_encode_value(value), row_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(text: str):
    try:
        if len(text) > 500:
            raise ValueError("long")
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        pair, row_id = json.loads(raw)
        if not isinstance(row_id, int) or isinstance(row_id, bool):
            raise ValueError("id")
        return _decode_value(pair), row_id
    except (ValueError, TypeError, UnicodeDecodeError) as error:
        raise bad_query("cursor", "The cursor is not one this API handed out.") from error


def page_ids(queries, sort_expr, tiebreak, descending: bool, limit: int):
    """(ids of the page, cursor of the next page or None) of ``queries`` (one
    query, or several whose rows together are the list: the walks of
    ``ListView.cursor_arms``, merged here) in the order of ``sort_expr`` then
    ``tiebreak`` (the id)."""
    queries = queries if isinstance(queries, list) else [queries]
    cursor = request.args.get("cursor")
    after = None
    if cursor:
        value, last_id = decode_cursor(cursor)
        if value is None:
            raise bad_query("cursor", "The cursor is not one this API handed out.")
        # The plain bound first: it is what lets the database start its index
        # walk at the cursor instead of at the list's first row.
        if descending:
            after = (sort_expr <= value) & (
                (sort_expr < value) | ((sort_expr == value) & (tiebreak < last_id))
            )
        else:
            after = (sort_expr >= value) & (
                (sort_expr > value) | ((sort_expr == value) & (tiebreak > last_id))
            )
    order = (sort_expr.desc(), tiebreak.desc()) if descending else (sort_expr, tiebreak)
    rows = []
    for query in queries:
        if after is not None:
            query = query.where(after)
        found = query.select(tiebreak, sort_expr.alias("sort_value")).order_by(*order)
        rows.extend(found.limit(limit + 1).tuples())
    if len(queries) > 1:
        # each walk gave its first limit + 1 rows in order: the page's are among them
        rows.sort(key=lambda row: (row[1], row[0]), reverse=descending)
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1][1], rows[-1][0]) if more and rows else None
    return [row_id for row_id, _ in rows], next_cursor


def next_link(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
    return request.path + "?" + urlencode([*args, ("cursor", cursor)])


def envelope(items: list, cursor: str | None) -> tuple[dict, dict]:
    """The page's body and its ``Link`` header."""
    link = next_link(cursor)
    headers = {"Link": f'<{link}>; rel="next"'} if link else {}
    return {"items": items, "next": link}, headers
