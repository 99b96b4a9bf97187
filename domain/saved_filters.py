"""Sparade filter: a list's filter and sort saved under a name (SPEC §10).

A saved filter is the list's query string without what only says where in the
list one is (page, rows per page) or asks for something else (an export, ticked
rows). It is private to its owner or shared with the owner's organisation; a
shared one shows on that list for every user of the organisation, and applying
it runs the list for the viewer, so each still sees only their own scope (the
query string carries filters, and the list's query is scoped by the viewer).

Private filters change nothing anyone else sees and are not audited; shared
ones are (created, renamed, removed), as they appear for the whole
organisation.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from database import write_tx
from domain import audit
from tables.org import SavedFilter, User

MAX_PER_LIST = 50
MAX_NAME = 100
MAX_QUERY = 4000
# Where in the list one is, or a request for something else than the list.
NOT_SAVED = frozenset({"page", "per_page", "export", "ids", "partial"})


class FilterError(ValueError):
    """Why a filter cannot be saved; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def clean_query(query_string: str) -> str:
    """``query_string`` without the parameters a saved filter leaves out."""
    pairs = parse_qsl(query_string or "", keep_blank_values=True)
    return urlencode([(k, v) for k, v in pairs if k not in NOT_SAVED])


def may_share(user) -> bool:
    """Sharing with the whole organisation is for those who manage its users."""
    return user.has("users.manage")


def visible(user, list_name: str) -> list[SavedFilter]:
    """The user's own filters for the list and the organisation's shared ones."""
    return list(
        SavedFilter.select(SavedFilter, User)
        .join(User, on=(SavedFilter.user == User.id))
        .where(
            (SavedFilter.list_name == list_name)
            & (SavedFilter.organisation == user.organisation_id)
            & ((SavedFilter.user == user.id) | (SavedFilter.shared == True))  # noqa: E712
        )
        .order_by(SavedFilter.name, SavedFilter.id)
    )


def get_visible(user, filter_id: int) -> SavedFilter | None:
    return (
        SavedFilter.select()
        .where(
            (SavedFilter.id == filter_id)
            & (SavedFilter.organisation == user.organisation_id)
            & ((SavedFilter.user == user.id) | (SavedFilter.shared == True))  # noqa: E712
        )
        .first()
    )


def may_remove(user, saved: SavedFilter) -> bool:
    """One's own, or (an administrator) a shared one of the organisation."""
    return saved.user_id == user.id or (saved.shared and user.has("users.manage"))


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise FilterError("Ange ett namn.", "name")
    if len(name) > MAX_NAME:
        raise FilterError(f"Namnet får vara högst {MAX_NAME} tecken.", "name")
    return name


def _taken(user_id: int, list_name: str, name: str, exclude: int | None = None) -> bool:
    query = SavedFilter.select().where(
        (SavedFilter.user == user_id)
        & (SavedFilter.list_name == list_name)
        & (SavedFilter.name == name)
    )
    if exclude is not None:
        query = query.where(SavedFilter.id != exclude)
    return query.exists()


def create(user, list_name: str, name: str, query_string: str, shared: bool) -> SavedFilter:
    name = _name(name)
    query = clean_query(query_string)
    if len(query) > MAX_QUERY:
        raise FilterError("Filtret är för långt för att sparas.")
    if shared and not may_share(user):
        raise FilterError("Du får inte dela filter med organisationen.")
    with write_tx():
        same = SavedFilter.get_or_none(
            (SavedFilter.user == user.id)
            & (SavedFilter.list_name == list_name)
            & (SavedFilter.name == name)
        )
        if same is not None and (same.query_string, same.shared) == (query, bool(shared)):
            return same  # the same form sent twice: saved once
        if same is not None:
            raise FilterError("Du har redan ett sparat filter med det namnet i listan.", "name")
        mine = (
            SavedFilter.select()
            .where((SavedFilter.user == user.id) & (SavedFilter.list_name == list_name))
            .count()
        )
        if mine >= MAX_PER_LIST:
            raise FilterError(
                f"Du har redan {MAX_PER_LIST} sparade filter i listan, som är det högsta "
                "antalet. Ta bort ett filter först."
            )
        saved = SavedFilter.create(
            organisation=user.organisation_id,
            user=user.id,
            list_name=list_name,
            name=name,
            query_string=query,
            shared=bool(shared),
        )
        if saved.shared:
            audit.record(
                "saved_filter.create",
                saved,
                summary=f"Delat filter {name} ({list_name})",
                after={"name": name, "list": list_name, "query": query},
            )
        return saved


def rename(user, saved: SavedFilter, name: str) -> None:
    name = _name(name)
    with write_tx():
        if _taken(saved.user_id, saved.list_name, name, exclude=saved.id):
            raise FilterError("Du har redan ett sparat filter med det namnet i listan.", "name")
        SavedFilter.update(name=name).where(SavedFilter.id == saved.id).execute()
        if saved.shared:
            audit.record(
                "saved_filter.rename",
                saved,
                summary=f"Delat filter {saved.name} heter nu {name}",
                before={"name": saved.name},
                after={"name": name},
            )


def remove(user, saved: SavedFilter) -> None:
    with write_tx():
        SavedFilter.delete().where(SavedFilter.id == saved.id).execute()
        if saved.shared:
            audit.record(
                "saved_filter.delete",
                saved,
                summary=f"Delat filter {saved.name} ({saved.list_name}) togs bort",
                before={"name": saved.name, "list": saved.list_name, "owner": saved.user_id},
            )
