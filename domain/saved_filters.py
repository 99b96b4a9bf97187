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

from peewee import IntegrityError

from database import write_tx
from domain import audit
from domain.text import N_, T_
from tables.org import SavedFilter, User, name_key

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
        raise FilterError(N_("Ange ett namn."), "name")
    if len(name) > MAX_NAME:
        raise FilterError(T_("Namnet får vara högst %(count)s tecken.", count=MAX_NAME), "name")
    return name


MINE_TAKEN = N_("Du har redan ett filter med det namnet i listan.")
SHARED_TAKEN = N_("Det finns redan ett delat filter med det namnet i listan.")


def _clash(
    owner_id: int,
    organisation_id: int,
    list_name: str,
    name: str,
    shared: bool,
    exclude: int | None = None,
) -> SavedFilter | None:
    """The filter that already holds ``name`` in the list, if any: one of
    the owner's own (private or shared), or for a shared one, any shared
    filter of the organisation. Case does not count ("Mobiler" = "mobiler")."""
    key = name_key(name)
    same = (SavedFilter.list_name == list_name) & (SavedFilter.name_key == key)
    mine = SavedFilter.user == owner_id
    if shared:
        mine |= (SavedFilter.organisation == organisation_id) & (SavedFilter.shared == True)  # noqa: E712
    query = SavedFilter.select().where(same & mine)
    if exclude is not None:
        query = query.where(SavedFilter.id != exclude)
    # The owner's own first: that message is the one to act on.
    return query.order_by((SavedFilter.user != owner_id), SavedFilter.id).first()


def _taken_error(clash: SavedFilter, owner_id: int) -> FilterError:
    message = MINE_TAKEN if clash.user_id == owner_id else SHARED_TAKEN
    return FilterError(message, "name")


def create(user, list_name: str, name: str, query_string: str, shared: bool) -> SavedFilter:
    name = _name(name)
    query = clean_query(query_string)
    shared = bool(shared)
    if len(query) > MAX_QUERY:
        raise FilterError(N_("Filtret är för långt för att sparas."))
    if shared and not may_share(user):
        raise FilterError(N_("Du får inte dela filter med organisationen."))
    try:
        return _create(user, list_name, name, query, shared)
    except IntegrityError:
        # Another save of the same name got in between the check and the
        # insert (the unique indexes of migration 0290 refused this one).
        clash = _clash(user.id, user.organisation_id, list_name, name, shared)
        if clash is None:
            raise
        if _same(clash, user, name, query, shared):
            return clash
        raise _taken_error(clash, user.id) from None


def _same(saved: SavedFilter, user, name: str, query: str, shared: bool) -> bool:
    """The same form sent twice: saved once."""
    return (saved.user_id, saved.name, saved.query_string, saved.shared) == (
        user.id,
        name,
        query,
        shared,
    )


def _create(user, list_name: str, name: str, query: str, shared: bool) -> SavedFilter:
    with write_tx():
        clash = _clash(user.id, user.organisation_id, list_name, name, shared)
        if clash is not None and _same(clash, user, name, query, shared):
            return clash
        if clash is not None:
            raise _taken_error(clash, user.id)
        mine = (
            SavedFilter.select()
            .where((SavedFilter.user == user.id) & (SavedFilter.list_name == list_name))
            .count()
        )
        if mine >= MAX_PER_LIST:
            raise FilterError(
                T_(
                    "Du har redan %(count)s sparade filter i listan, som är det högsta "
                    "antalet. Ta bort ett filter först.",
                    count=MAX_PER_LIST,
                )
            )
        saved = SavedFilter.create(
            organisation=user.organisation_id,
            user=user.id,
            list_name=list_name,
            name=name,
            query_string=query,
            shared=shared,
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
    """The same rule as saving: unique in the owner's filters of the list
    and, for a shared one, among the organisation's shared ones."""
    name = _name(name)

    def clash():
        return _clash(
            saved.user_id, saved.organisation_id, saved.list_name, name, saved.shared, saved.id
        )

    try:
        with write_tx():
            found = clash()
            if found is not None:
                raise _taken_error(found, saved.user_id)
            SavedFilter.update(name=name, name_key=name_key(name)).where(
                SavedFilter.id == saved.id
            ).execute()
            if saved.shared:
                audit.record(
                    "saved_filter.rename",
                    saved,
                    summary=f"Delat filter {saved.name} heter nu {name}",
                    before={"name": saved.name},
                    after={"name": name},
                )
    except IntegrityError:
        found = clash()
        if found is None:
            raise
        raise _taken_error(found, saved.user_id) from None


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
