"""The approval chain (ORD-4, Tele2 "Välj ordergodkännare" and "Attestering
av order").

**The chain.** A Superuser keeps up to five ordergodkännare per product area
(Mobiltelefoni, Fast telefoni, Datanät) in Företagsprofil. Each is a user of
the organisation holding orders.approve with access to every account (an
Administratör, so that they see every order they must approve). "Ändra"
swaps the user at a position; only the last position can be removed.

**An order in the chain.** When an order is sent (:func:`start`), its area's
chain is copied into OrderApproval rows: the order keeps the chain it was sent
with, and a later change of the chain applies to later orders. The order is
*Väntar på godkännande* and the first approver gets an e-mail with a link.
Each step is then, in position order:

* ``approved`` — Godkänn by the step's approver;
* ``passed`` — nobody needed to act, with the reason in ``comment``: the
  approver is the order's creator (nobody approves their own order), or was
  removed, deactivated or lost orders.approve since the order was sent;
* ``rejected`` — Avslå, with the approver's comment (required): the order is
  *Avslagen* and returns to its creator, its pool numbers are freed;
* ``pending`` — waiting (the first pending step is the current one).

After the last step the order is *Mottagen* (an offert too: staff answer it
then). If the chain runs out and nobody approved the order (every step was
passed), it falls to the organisation's Superusers (other than the creator,
unless the creator is the only one): the one who decides is added as a step
of its own after the chain. A step's approver who loses the right while the
step is current is passed the next time the order is looked at or acted on.

Two approvals of one step at once count once: a decision is a conditional
UPDATE of the step while it is still ``pending``, and the order's status
change is conditional as well (``flow.set_status``).

**Sent again.** :func:`restart` (an Avslagen order corrected and sent again by
its creator, or a sent order changed) starts the chain from the start with
the area's chain as it is then. The old steps are replaced, not kept: what
happened to them stays in the order's history (the OrderEvent of the
rejection carries the approver and the comment) and in the audit log (every
decision and every pass is audited with the step, the approver and the
comment).

Approval e-mails go out whatever Företagsprofil's notification switch says:
they are part of the work, not notices.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import JOIN, IntegrityError, fn

from database import utcnow, write_tx
from domain import audit
from domain.orders import approval_mail, flow, notices, pool
from domain.text import N_, T_
from tables.orders import PRODUCT_AREAS, ApproverChainEntry, Order, OrderApproval
from tables.org import Account, Role, User

MAX_APPROVERS = 5
MAX_COMMENT = 2000

STEP_STATUSES = {
    "pending": N_("Väntar"),
    "approved": N_("Godkänd"),
    "rejected": N_("Avslagen"),
    "passed": N_("Passerad"),
}
PASSED_OWN = N_("Beställaren själv – ingen godkänner sin egen beställning")
PASSED_REMOVED = N_("Godkännaren finns inte längre som användare")
PASSED_NO_RIGHT = N_("Godkännaren har inte längre behörighet att godkänna beställningar")
COMMENT_REQUIRED = N_("Skriv en kommentar som förklarar varför beställningen avslås.")


class ApprovalError(Exception):
    """A chain change or a decision the rules do not allow; the message is
    for the user."""


class NotApprover(ApprovalError):
    """The user is not the one the order waits for."""


class ApprovalConflict(ApprovalError):
    """Someone decided first (or the order moved on)."""


# --------------------------------------------------------------------------- who


def _users(ids) -> dict[int, User]:
    """Users by id with what the rules read (role, scope account) joined."""
    ids = {i for i in ids if i}
    if not ids:
        return {}
    query = (
        User.select(User, Role, Account)
        .join(Role, JOIN.LEFT_OUTER, on=(User.role == Role.id))
        .switch(User)
        .join(Account, on=(User.scope_account == Account.id))
        .where(User.id.in_(ids))
    )
    return {u.id: u for u in query}


def may_approve(user: User | None) -> bool:
    """An approver who can still act: present, active, holding orders.approve."""
    return bool(
        user is not None and user.active and user.removed_at is None and user.has("orders.approve")
    )


def sees_every_account(user: User) -> bool:
    """An Administratör not narrowed to chosen objects (Tilldela objekt)."""
    return user.is_admin and not user.restricted


def may_be_approver(user: User, organisation_id: int) -> bool:
    """Who may be placed in an organisation's chain."""
    return (
        user.organisation_id == organisation_id and may_approve(user) and sees_every_account(user)
    )


def manages_chain(user) -> bool:
    """Only Superusers with access to every account keep the chain (Tele2:
    "Det är endast superusers som kan lägga till och ändra ordergodkännare")."""
    return bool(
        user is not None and not user.is_staff and user.is_superuser and sees_every_account(user)
    )


def _superusers(organisation_id: int) -> list[User]:
    query = (
        User.select(User, Role, Account)
        .join(Role, on=(User.role == Role.id))
        .switch(User)
        .join(Account, on=(User.scope_account == Account.id))
        .where(
            (User.organisation == organisation_id)
            & Role.is_superuser
            & User.active
            & User.removed_at.is_null()
        )
        .order_by(User.name)
    )
    return [u for u in query if sees_every_account(u)]


def fallback_approvers(order: Order, superusers: list[User] | None = None) -> list[User]:
    """Who decides when the chain ran out and nobody approved: the
    organisation's Superusers other than the creator (the creator only when
    they are the only Superuser, so that the order is never stuck)."""
    superusers = _superusers(order.organisation_id) if superusers is None else superusers
    others = [u for u in superusers if u.id != order.created_by_id]
    return others or superusers


# --------------------------------------------------------------------------- the chain


def chain(organisation_id: int, area: str) -> list[ApproverChainEntry]:
    return list(
        ApproverChainEntry.select(ApproverChainEntry, User)
        .join(User, on=(ApproverChainEntry.user == User.id))
        .where(
            (ApproverChainEntry.organisation == organisation_id)
            & (ApproverChainEntry.product_area == area)
        )
        .order_by(ApproverChainEntry.position)
    )


def chains(organisation_id: int) -> dict[str, list[ApproverChainEntry]]:
    """Every area's chain, in the order of PRODUCT_AREAS."""
    found = {area: [] for area in PRODUCT_AREAS}
    query = (
        ApproverChainEntry.select(ApproverChainEntry, User)
        .join(User, on=(ApproverChainEntry.user == User.id))
        .where(ApproverChainEntry.organisation == organisation_id)
        .order_by(ApproverChainEntry.product_area, ApproverChainEntry.position)
    )
    for entry in query:
        found.setdefault(entry.product_area, []).append(entry)
    return found


def eligible_approvers(organisation_id: int) -> list[User]:
    """The users a Superuser may place in the chain."""
    query = (
        User.select(User, Role, Account)
        .join(Role, JOIN.LEFT_OUTER, on=(User.role == Role.id))
        .switch(User)
        .join(Account, on=(User.scope_account == Account.id))
        .where(
            (User.organisation == organisation_id)
            & User.active
            & User.removed_at.is_null()
            & Account.parent.is_null()
        )
        .order_by(User.name)
    )
    return [u for u in query if may_be_approver(u, organisation_id)]


def _check_manager(manager, area: str) -> None:
    if not manages_chain(manager):
        raise NotApprover(N_("Bara en Superuser kan ändra ordergodkännare."))
    if area not in PRODUCT_AREAS:
        raise ApprovalError(N_("Okänt produktområde."))


def _approver_for(manager, area: str, user_id, entries, position=None) -> User:
    user = _users([user_id]).get(user_id) if user_id else None
    if user is None or not may_be_approver(user, manager.organisation_id):
        raise ApprovalError(
            N_("Välj en Administratör i organisationen med behörigheten Godkänna beställningar.")
        )
    if any(e.user_id == user.id and e.position != position for e in entries):
        raise ApprovalError(
            T_(
                "%(name)s finns redan i kedjan för %(area)s.",
                name=user.name,
                area=PRODUCT_AREAS[area],
            )
        )
    return user


def _audit_chain(manager, area: str, summary: str, before, after) -> None:
    audit.record(
        "company.approvers",
        None,
        summary=f"Ordergodkännare {PRODUCT_AREAS[area]}: {summary}",
        before=before,
        after=after,
        organisation=manager.organisation_id,
        actor=manager,
    )


def _names(entries) -> list[str]:
    return [f"{e.position}. {e.user.name}" for e in entries]


def add_approver(manager, area: str, user_id: int) -> ApproverChainEntry:
    """Lägg till: the user becomes the last approver of ``area``."""
    _check_manager(manager, area)
    with write_tx():
        entries = chain(manager.organisation_id, area)
        if len(entries) >= MAX_APPROVERS:
            raise ApprovalError(
                T_(
                    "Kedjan för %(area)s har redan %(count)s ordergodkännare.",
                    area=PRODUCT_AREAS[area],
                    count=MAX_APPROVERS,
                )
            )
        user = _approver_for(manager, area, user_id, entries)
        try:
            with write_tx():  # a savepoint: a double submit meets the unique index
                entry = ApproverChainEntry.create(
                    organisation=manager.organisation_id,
                    product_area=area,
                    position=len(entries) + 1,
                    user=user.id,
                )
        except IntegrityError:
            raise ApprovalConflict(
                N_("Kedjan ändrades just av någon annan. Ladda om sidan och försök igen.")
            ) from None
        entry.user = user
        _audit_chain(
            manager,
            area,
            f"{entry.position}. {user.name} tillagd",
            {"approvers": _names(entries)},
            {"approvers": [*_names(entries), f"{entry.position}. {user.name}"]},
        )
    return entry


def change_approver(manager, area: str, position: int, user_id: int) -> ApproverChainEntry:
    """Ändra: another user at ``position``."""
    _check_manager(manager, area)
    with write_tx():
        entries = chain(manager.organisation_id, area)
        entry = next((e for e in entries if e.position == position), None)
        if entry is None:
            raise ApprovalError(N_("Det finns ingen ordergodkännare på den positionen."))
        user = _approver_for(manager, area, user_id, entries, position=position)
        before = entry.user.name
        if user.id != entry.user_id:
            ApproverChainEntry.update(user=user.id).where(
                ApproverChainEntry.id == entry.id
            ).execute()
            _audit_chain(
                manager,
                area,
                f"{position}. {before} ersatt av {user.name}",
                {"position": position, "user": before},
                {"position": position, "user": user.name},
            )
        entry.user = user
    return entry


def remove_approver(manager, area: str, position: int) -> str:
    """Ta bort: only the last approver can go (bottom up). Returns the name."""
    _check_manager(manager, area)
    with write_tx():
        entries = chain(manager.organisation_id, area)
        if not entries or position not in {e.position for e in entries}:
            raise ApprovalError(N_("Det finns ingen ordergodkännare på den positionen."))
        last = entries[-1]
        if position != last.position:
            raise ApprovalError(N_("Bara den sista ordergodkännaren i listan kan tas bort."))
        ApproverChainEntry.delete().where(ApproverChainEntry.id == last.id).execute()
        _audit_chain(
            manager,
            area,
            f"{last.position}. {last.user.name} borttagen",
            {"approvers": _names(entries)},
            {"approvers": _names(entries[:-1])},
        )
    return last.user.name


# --------------------------------------------------------------------------- an order's steps


@dataclass
class Progress:
    """Where an order stands in its chain (read, not written)."""

    steps: list[OrderApproval]
    current: OrderApproval | None  # the step waiting for its approver
    to_pass: list[tuple[OrderApproval, str]]  # pending steps nobody needs to act on
    falls_to_superusers: bool  # the chain ran out and nobody approved
    users: dict[int, User]


def steps_of(order: Order) -> list[OrderApproval]:
    return list(
        OrderApproval.select(OrderApproval, User)
        .join(User, on=(OrderApproval.approver == User.id))
        .where(OrderApproval.order == order.id)
        .order_by(OrderApproval.position)
    )


def _pass_reason(order: Order, user: User | None) -> str | None:
    if user is not None and user.id == order.created_by_id:
        return PASSED_OWN
    if user is None or not user.active or user.removed_at is not None:
        return PASSED_REMOVED
    if not user.has("orders.approve"):
        return PASSED_NO_RIGHT
    return None


def progress(order: Order, steps=None, users=None) -> Progress:
    steps = steps_of(order) if steps is None else steps
    users = _users(s.approver_id for s in steps) if users is None else users
    current, to_pass = None, []
    if order.status == "awaiting_approval":
        for step in steps:
            if step.status != "pending":
                continue
            reason = _pass_reason(order, users.get(step.approver_id))
            if reason is None:
                current = step
                break
            to_pass.append((step, reason))
    approved = any(s.status == "approved" for s in steps)
    falls = order.status == "awaiting_approval" and current is None and not approved
    return Progress(steps, current, to_pass, falls, users)


def _record(order: Order, step: OrderApproval, actor, what: str) -> None:
    audit.record(
        "order.approval",
        order,
        summary=f"Beställning {order.number}, godkännare {step.position}: {what}",
        after={
            "position": step.position,
            "status": step.status,
            **({"comment": step.comment} if step.comment else {}),
        },
        organisation=order.organisation_id,
        actor=actor,
    )


def _decide(order: Order, step: OrderApproval, status: str, comment: str, actor) -> None:
    """Decide ``step`` if it is still pending (else ApprovalConflict)."""
    now = utcnow()
    changed = (
        OrderApproval.update(status=status, decided_at=now, comment=comment)
        .where((OrderApproval.id == step.id) & (OrderApproval.status == "pending"))
        .execute()
    )
    if not changed:
        raise ApprovalConflict(
            T_(
                "Beställning %(order)s har redan godkänts eller avslagits av någon annan.",
                order=order.label,
            )
        )
    step.status, step.decided_at, step.comment = status, now, comment
    label = STEP_STATUSES[status].lower()
    _record(order, step, actor, f"{label}{f' ({comment})' if comment else ''}")


def _advance(order: Order, actor) -> None:
    """Pass the steps nobody needs to act on, then tell whoever is next or,
    after the last approval, hand the order to the operator (Mottagen)."""
    state = progress(order)
    for step, reason in state.to_pass:
        _decide(order, step, "passed", reason, actor)
    if state.current is not None:
        approval_mail.to_approver(order, state.users[state.current.approver_id])
    elif state.falls_to_superusers:
        for user in fallback_approvers(order):
            approval_mail.to_approver(order, user, fallback=True)
    else:
        flow.set_status(
            order,
            "received",
            user=actor,
            comment=N_("Godkänd av alla ordergodkännare"),
            expect=("awaiting_approval",),
        )
        notices.notify_status(order)


def start(order: Order, user, *, expect=("draft",), comment: str = "") -> None:
    """A freshly sent order enters its area's chain (Väntar på godkännande,
    the first approver e-mailed), or goes straight to the operator
    (Mottagen) when the area has none. Call inside or outside ``write_tx``."""
    with write_tx():
        entries = chain(order.organisation_id, order.product_area)
        if not entries:
            flow.set_status(order, "received", user=user, comment=comment, expect=expect)
            return
        OrderApproval.delete().where(OrderApproval.order == order.id).execute()
        for entry in entries:
            OrderApproval.create(order=order.id, position=entry.position, approver=entry.user_id)
        flow.set_status(order, "awaiting_approval", user=user, comment=comment, expect=expect)
        _advance(order, user)


def restart(order: Order, user, *, expect=("rejected", "awaiting_approval", "received")) -> None:
    """An order sent again (an Avslagen order corrected by its creator, or a
    sent order changed): the chain from the start, as the area's chain is now.
    The old steps are replaced; their decisions stay in the history and the
    audit log (see the module's docstring)."""
    start(order, user, expect=expect, comment=N_("Skickad igen – godkännandet börjar om"))


def _turn(order: Order, actor, position: int | None):
    """The order as it is now, its progress after passing the steps that
    pass by themselves, and the step ``actor`` decides (None: the order has
    fallen to the Superusers). Call inside ``write_tx``."""
    fresh = _load(order, actor)
    state = progress(fresh)
    for step, reason in state.to_pass:
        _decide(fresh, step, "passed", reason, actor)
    return fresh, state, _acting_step(fresh, actor, state, position)


def _load(order: Order, actor) -> Order:
    """The order as it is now in the database, if it is the actor's
    organisation's and still waiting for approval."""
    fresh = Order.get_or_none(Order.id == order.id)
    if fresh is None or fresh.organisation_id != actor.organisation_id:
        raise NotApprover(N_("Beställningen finns inte."))
    if fresh.status != "awaiting_approval":
        raise ApprovalConflict(
            T_(
                "Beställning %(order)s väntar inte längre på godkännande (status: %(status)s).",
                order=fresh.label,
                status=fresh.status_label,
            )
        )
    return fresh


def _acting_step(order: Order, actor, state: Progress, position) -> OrderApproval | None:
    """The step ``actor`` decides: the current one, or None when the order
    has fallen to the Superusers and the actor is one of them."""
    if state.current is not None:
        if position is not None and position != state.current.position:
            raise ApprovalConflict(
                T_(
                    "Beställning %(order)s har redan godkänts i det steget av någon annan.",
                    order=order.label,
                )
            )
        if state.current.approver_id != actor.id:
            name = state.users[state.current.approver_id].name
            raise NotApprover(
                T_(
                    "Beställning %(order)s väntar på godkännande av %(name)s, inte av dig.",
                    order=order.label,
                    name=name,
                )
            )
        return state.current
    if not any(u.id == actor.id for u in fallback_approvers(order)):
        if state.falls_to_superusers:
            raise NotApprover(
                T_(
                    "Beställning %(order)s väntar på godkännande av en Superuser.",
                    order=order.label,
                )
            )
        raise NotApprover(
            T_("Beställning %(order)s väntar inte på ditt godkännande.", order=order.label)
        )
    if position is not None and position != len(state.steps) + 1:
        raise ApprovalConflict(
            T_("Beställning %(order)s har redan godkänts av någon annan.", order=order.label)
        )
    return None


def _fallback_step(order: Order, actor, status: str, comment: str, steps) -> OrderApproval:
    """A Superuser decides an order nobody in the chain could: a step of its own."""
    position = max((s.position for s in steps), default=0) + 1
    try:
        with write_tx():
            step = OrderApproval.create(
                order=order.id,
                position=position,
                approver=actor.id,
                status=status,
                comment=comment,
                decided_at=utcnow(),
            )
    except IntegrityError:
        raise ApprovalConflict(
            T_("Beställning %(order)s har redan godkänts av någon annan.", order=order.label)
        ) from None
    _record(order, step, actor, f"{STEP_STATUSES[status].lower()} (Superuser)")
    return step


def _sync(order: Order, fresh: Order) -> None:
    order.status, order.changed_at = fresh.status, fresh.changed_at


def approve(order: Order, approver, comment: str = "", *, position: int | None = None) -> None:
    """Godkänn the step ``approver`` is the approver of (``position``: the
    step the approver saw; a different current step is a conflict). After the
    last step the order is Mottagen."""
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ApprovalError(T_("Kommentaren får vara högst %(count)s tecken.", count=MAX_COMMENT))
    with write_tx():
        fresh, state, step = _turn(order, approver, position)
        if step is None:
            _fallback_step(fresh, approver, "approved", comment, state.steps)
            flow.set_status(
                fresh,
                "received",
                user=approver,
                comment=N_("Godkänd av Superuser"),
                expect=("awaiting_approval",),
            )
            notices.notify_status(fresh)
        else:
            _decide(fresh, step, "approved", comment, approver)
            _advance(fresh, approver)
    _sync(order, fresh)


def reject(order: Order, approver, comment: str, *, position: int | None = None) -> None:
    """Avslå: the order is Avslagen with the comment (required), its
    numbers go back to the pool and its creator is e-mailed."""
    comment = (comment or "").strip()
    if not comment:
        raise ApprovalError(COMMENT_REQUIRED)
    if len(comment) > MAX_COMMENT:
        raise ApprovalError(T_("Kommentaren får vara högst %(count)s tecken.", count=MAX_COMMENT))
    with write_tx():
        fresh, state, step = _turn(order, approver, position)
        if step is None:
            _fallback_step(fresh, approver, "rejected", comment, state.steps)
        else:
            _decide(fresh, step, "rejected", comment, approver)
        flow.set_status(
            fresh, "rejected", user=approver, comment=comment, expect=("awaiting_approval",)
        )
        pool.release(fresh)
        approval_mail.rejected(fresh, approver, comment)
    _sync(order, fresh)


# --------------------------------------------------------------------------- Att godkänna


def pending_ids(user) -> list[int]:
    """The orders of the user's organisation waiting for this user: their
    step is the current one, or the order has fallen to the Superusers and
    the user is one of them. Oldest first."""
    if user is None or user.is_staff or not may_approve(user):
        return []
    waiting = (Order.organisation == user.organisation_id) & (Order.status == "awaiting_approval")
    superusers = _superusers(user.organisation_id)
    as_superuser = any(u.id == user.id for u in superusers)
    query = Order.select().where(waiting)
    if not as_superuser:
        query = query.where(
            Order.id.in_(
                OrderApproval.select(OrderApproval.order).where(
                    (OrderApproval.approver == user.id) & (OrderApproval.status == "pending")
                )
            )
        )
    orders = list(query.order_by(Order.created_at, Order.id))
    if not orders:
        return []
    steps: dict[int, list[OrderApproval]] = {o.id: [] for o in orders}
    for step in (
        OrderApproval.select()
        .where(OrderApproval.order.in_(list(steps)))
        .order_by(OrderApproval.order, OrderApproval.position)
    ):
        steps[step.order_id].append(step)
    users = _users(s.approver_id for found in steps.values() for s in found)
    ids = []
    for order in orders:
        state = progress(order, steps[order.id], users)
        if state.current is not None:
            if state.current.approver_id == user.id:
                ids.append(order.id)
        elif as_superuser and any(u.id == user.id for u in fallback_approvers(order, superusers)):
            ids.append(order.id)
    return ids


def pending_for(user):
    """Att godkänna as a query of Order (for the list view)."""
    return Order.select().where(Order.id.in_(pending_ids(user) or [0]))


def pending_count(user) -> int:
    return len(pending_ids(user))


def may_decide(order: Order, user) -> bool:
    """Whether ``user`` sees Godkänn/Avslå on ``order`` now."""
    return order.status == "awaiting_approval" and order.id in set(pending_ids(user))


def is_approver_of(order: Order, user) -> bool:
    """Whether ``user`` is (or was) an approver of ``order`` — such a user may
    see the order even without orders.manage."""
    return (
        OrderApproval.select()
        .where((OrderApproval.order == order.id) & (OrderApproval.approver == user.id))
        .exists()
    ) or order.id in set(pending_ids(user))


def last_position(order: Order) -> int:
    return (
        OrderApproval.select(fn.MAX(OrderApproval.position))
        .where(OrderApproval.order == order.id)
        .scalar()
        or 0
    )
