"""Kontoåtgärder (ACC-3, ACC-4): every account action as an in-place dialog.

Each action checks its permission on the server (accounts.edit or
accounts.create; 403 without it) and finds the account through the user's
scope (404 outside it). GET and an invalid POST answer the dialog (200,
errors next to the fields, nothing written); a valid POST writes through
domain/accounts.py (audited) and answers ``web.dialogs.done`` with events
that make the changed parts of the page refresh themselves:

    accountChanged   <account id>                  Kunduppgifter, the tree node
    contactsChanged  <account id>                  Kontaktuppgifter
    accountCreated   {"id": …, "parent": …}        the tree branch, the list
"""

from __future__ import annotations

from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.accounts import account_or_404, bp, tree
from blueprints.accounts.forms import (
    NOTIFICATIONS,
    AccountForm,
    AddressForm,
    AliasForm,
    ContactForm,
    InvoiceAddressForm,
    ReferenceForm,
)
from domain import accounts as domain
from tables.org import Account, Contact
from tables.scope import visible_accounts
from web import dialogs
from web.auth import parse_id, require
from web.i18n import N_, error_text, tr

# Above this many visible accounts "Välj huvudkonto" takes a kundnummer
# instead of offering a drop-down of every account.
PARENT_SELECT_LIMIT = 300


def _back(account: Account) -> str:
    return url_for("accounts.detail", account_id=account.id)


def _edit_account(
    account_id: int, form_class, template: str, action: str, summary: str, message: str
):
    """The shared flow of the dialogs that change fields of the account:
    ``summary`` goes to the audit log, ``message`` confirms it to the user."""
    account = account_or_404(account_id)
    form = form_class(obj=account) if request.method == "GET" else form_class()
    if form.validate_on_submit():
        values = {name: form[name].data or "" for name in form_class.FIELDS}
        domain.update_account(account, action, summary, **values)
        return dialogs.done(_back(account), tr(message), accountChanged=account.id)
    return dialogs.show(template, _back(account), form=form, account=account)


@bp.route("/<int:account_id>/alias", methods=["GET", "POST"])
@require("accounts.edit")
def edit_alias(account_id: int):
    return _edit_account(
        account_id,
        AliasForm,
        "partials/accounts/_alias.html",
        "account.alias",
        "Alias ändrat",
        N_("Aliaset är sparat."),
    )


@bp.route("/<int:account_id>/reference", methods=["GET", "POST"])
@require("accounts.edit")
def edit_reference(account_id: int):
    return _edit_account(
        account_id,
        ReferenceForm,
        "partials/accounts/_reference.html",
        "account.reference",
        "Fakturareferens ändrad",
        N_("Fakturareferensen är sparad."),
    )


@bp.route("/<int:account_id>/address", methods=["GET", "POST"])
@require("accounts.edit")
def edit_address(account_id: int):
    return _edit_account(
        account_id,
        AddressForm,
        "partials/accounts/_address.html",
        "account.address",
        "Adress ändrad",
        N_("Adressen är sparad."),
    )


@bp.route("/<int:account_id>/invoice-address", methods=["GET", "POST"])
@require("accounts.edit")
def edit_invoice_address(account_id: int):
    return _edit_account(
        account_id,
        InvoiceAddressForm,
        "partials/accounts/_invoice_address.html",
        "account.invoice_address",
        "Fakturaadress ändrad",
        N_("Fakturaadressen är sparad."),
    )


# ----------------------------------------------------------------------------- contacts


def _contact_or_404(account: Account, contact_id: int) -> Contact:
    contact = account.contacts.where(Contact.id == contact_id).get_or_none()
    if contact is None:
        abort(404)
    return contact


@bp.route("/<int:account_id>/contacts/new", methods=["GET", "POST"])
@require("accounts.edit")
def add_contact(account_id: int):
    """Lägg till kontaktperson: name plus at least one way to reach them."""
    account = account_or_404(account_id)
    form = ContactForm()
    if form.validate_on_submit():
        contact = domain.add_contact(account, **form.values)
        message = _("Kontaktpersonen %(name)s är tillagd.", name=contact.name)
        return dialogs.done(_back(account), message, contactsChanged=account.id)
    return dialogs.show(
        "partials/accounts/_contact.html",
        _back(account),
        form=form,
        account=account,
        contact=None,
        notifications=NOTIFICATIONS,
    )


@bp.route("/<int:account_id>/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@require("accounts.edit")
def edit_contact(account_id: int, contact_id: int):
    account = account_or_404(account_id)
    contact = _contact_or_404(account, contact_id)
    form = ContactForm(obj=contact) if request.method == "GET" else ContactForm()
    if form.validate_on_submit():
        domain.update_contact(contact, **form.values)
        message = _("Kontaktpersonen %(name)s är sparad.", name=form.name.data)
        return dialogs.done(_back(account), message, contactsChanged=account.id)
    return dialogs.show(
        "partials/accounts/_contact.html",
        _back(account),
        form=form,
        account=account,
        contact=contact,
        notifications=NOTIFICATIONS,
    )


@bp.route("/<int:account_id>/contacts/<int:contact_id>/delete", methods=["GET", "POST"])
@require("accounts.edit")
def remove_contact(account_id: int, contact_id: int):
    """Ta bort kontaktperson; one linked to a portal user stays (and says why)."""
    account = account_or_404(account_id)
    contact = _contact_or_404(account, contact_id)
    blocker = domain.removal_blocker(contact)
    if request.method == "POST" and blocker is None:
        try:
            domain.remove_contact(contact)
        except domain.ContactInUse as exc:
            blocker = error_text(exc)
        else:
            message = _("Kontaktpersonen %(name)s är borttagen.", name=contact.name)
            return dialogs.done(_back(account), message, contactsChanged=account.id)
    return dialogs.show(
        "partials/accounts/_contact_remove.html",
        _back(account),
        account=account,
        contact=contact,
        blocker=blocker,
    )


# ----------------------------------------------------------------------------- new accounts


def parent_choices(user) -> list[Account] | None:
    """Every account the user sees, for "Välj huvudkonto"; None when there
    are too many for a drop-down (the field then takes a kundnummer)."""
    accounts = list(visible_accounts(user).order_by(Account.path).limit(PARENT_SELECT_LIMIT + 1))
    return None if len(accounts) > PARENT_SELECT_LIMIT else accounts


def _parent_from(form: AccountForm) -> Account | None:
    number = (form.parent.data or "").strip()
    if not number:
        return None
    return visible_accounts(current_user).where(Account.customer_number == number).get_or_none()


@bp.route("/new", methods=["GET", "POST"])
@require("accounts.create")
def new_account():
    """Nytt konto / Lägg till underkonto ("Skapa nytt konto").

    "Välj huvudkonto" starts at ``?parent=<id>`` (the account the dialog was
    opened from) or the user's own top account. "Använd samma uppgifter som
    huvudkonto" posts the form with ``copy`` and gets it back filled in from
    the chosen parent, all but the alias, without saving anything.
    """
    preset = None
    if request.args.get("parent"):
        preset = account_or_404(parse_id(request.args.get("parent")) or 0)
    back = _back(preset) if preset else url_for("accounts.index")
    form = AccountForm()
    if request.method == "GET":
        default = preset or tree_root()
        form.parent.data = default.customer_number if default else ""
    parent_error = None
    if request.method == "POST":
        parent = _parent_from(form)
        if form.parent.data and parent is None:
            parent_error = _("Välj ett huvudkonto som du har behörighet till.")
        if "copy" in request.form:
            if parent is not None:
                form.copy_from(parent)
            elif not form.parent.data:
                parent_error = _("Välj först ett huvudkonto.")
        elif form.validate_on_submit() and parent is not None:
            account = domain.create_subaccount(parent, **form.values)
            return dialogs.done(
                back,
                _(
                    "Kontot %(number)s %(name)s är skapat.",
                    number=account.customer_number,
                    name=account.company_name,
                ),
                accountCreated={"id": account.id, "parent": parent.id},
            )
        if parent_error:
            form.parent.errors = [*form.parent.errors, parent_error]
    return dialogs.show(
        "partials/accounts/_new_account.html",
        back,
        form=form,
        preset=preset,
        parents=parent_choices(current_user),
    )


def tree_root() -> Account | None:
    """The account a new account goes under by default: the user's own top."""
    roots = tree.root_accounts(current_user)
    return roots[0] if roots else None
