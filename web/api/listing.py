"""A list endpoint of the API on top of the portal's own list (web/lists):
the same filters under the same query parameters (``f_status``,
``f_number``, …), ``sort`` and ``dir`` as in the list's links, the same
scoped query — paged by cursor instead of page number."""

from __future__ import annotations

from flask import request

from web.api.paging import limit_arg, page_ids
from web.api.problems import ApiError
from web.lists.planning import follows_an_index


def list_ids(view, user, sorts: tuple[str, ...], extra=None):
    """(ids of the page in order, next cursor) of ``view`` for ``user``.

    ``sorts`` are the list's sort keys the API offers: those whose values
    are never empty, as the cursor holds the last row's value."""
    args = request.args
    state = view.state(args, request.path)
    errors = {key: message for key, message in state.errors.items()}
    errors = {f"f_{key}": message for key, message in errors.items()}
    sort = args.get("sort")
    if sort is not None and sort not in sorts:
        errors["sort"] = "One of: " + ", ".join(sorts) + "."
    if args.get("dir") not in (None, "asc", "desc"):
        errors["dir"] = "asc or desc."
    try:
        limit = limit_arg()
    except ApiError as error:
        errors["limit"] = error.detail
    if errors:
        raise ApiError(
            400,
            "Some query parameters are not valid.",
            errors=[
                {"name": name, "pointer": f"query/{name}", "detail": detail}
                for name, detail in errors.items()
            ],
        )
    if sort is None:
        sort_key, descending = view.default_sort[0], view.default_sort[1] == "desc"
    else:
        sort_key, descending = state.sort_key, state.descending
    state.sort_key, state.descending = sort_key, descending
    sort_expr = view.by_key[sort_key].sort_expr
    # One index walk per status chosen, merged; a Kontoadministratör's page
    # walked off the organisation's index where that pays (SQLite would
    # otherwise gather and sort every row of the sub-tree for each page).
    arms = view.cursor_arms(user, state, extra, limit + 1)
    if arms and _walks(arms[0], sort_expr, view.model.id, descending):
        return page_ids(arms, sort_expr, view.model.id, descending, limit)
    query = view.narrowed(user, state, extra)
    return page_ids(query, sort_expr, view.model.id, descending, limit)


def _walks(query, sort_expr, tiebreak, descending: bool) -> bool:
    """Whether SQLite reads ``query`` in the list's order off an index (a
    walk that sorts is no walk: the sub-tree's own index is better then)."""
    order = (sort_expr.desc(), tiebreak.desc()) if descending else (sort_expr, tiebreak)
    return follows_an_index(*query.select(tiebreak, sort_expr).order_by(*order).limit(1).sql())


def in_order(rows, ids: list[int]) -> list:
    """``rows`` (loaded by id) in the order of ``ids``."""
    by_id = {row.id: row for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def paging_params(sorts: tuple[str, ...], default: str) -> list:
    """The OpenAPI query parameters of a list endpoint's paging and sort."""
    return [
        ("cursor", {"type": "string"}, "The `next` link's cursor."),
        ("limit", {"type": "integer", "minimum": 1, "maximum": 200}, "Rows a page (50)."),
        ("sort", {"type": "string", "enum": list(sorts)}, f"Sort key, as in the list ({default})."),
        ("dir", {"type": "string", "enum": ["asc", "desc"]}, "Sort direction."),
    ]


def filter_params(view) -> list:
    """The list's filters as query parameters, named as in its links."""
    from web.lists.filters import ChoiceFilter

    params = []
    for column in view.columns:
        if column.filter is None:
            continue
        for name in column.filter.params(column.key):
            schema = {"type": "string"}
            if isinstance(column.filter, ChoiceFilter):  # repeated: f_status=a&f_status=b
                items = {"type": "string"}
                if type(column.filter) is ChoiceFilter:  # fixed choices (not the catalogue's)
                    items["enum"] = list(column.filter.choices)
                schema = {"type": "array", "items": items}
            params.append((name, schema, f"Filter on {column.label}, as in the list."))
    return params
