"""The whole domain model, importable from one place: ``from models import X``.

The tables are defined by area in ``tables/`` (org, catalogue, services,
orders, billing, tickets, ops) to keep each file readable; this module
re-exports them with the query helpers that span areas.
"""

from __future__ import annotations

from database import BaseModel, db, utcnow, write_tx
from tables.api import ApiIdempotency, ApiRateWindow, ApiTokenAddress
from tables.billing import (
    CallRecord,
    CreditNote,
    CreditNoteLine,
    ImportBatch,
    ImportChange,
    Invoice,
    InvoiceLine,
)
from tables.bulk import BulkAction, BulkActionRow
from tables.catalogue import OptionGroup, OptionGroupItem, Product, ProductCategory
from tables.charges import Charge, PriceListRequestPrice
from tables.jobs import ExportJob, WorkerHeartbeat
from tables.ops import (
    AuditLog,
    Coverage,
    NotificationLog,
    Outage,
    OutageUpdate,
    OutboxMessage,
    ScheduledReport,
    Sequence,
    Setting,
    TechnicalNotice,
)
from tables.orders import (
    ApproverChainEntry,
    Availability,
    Order,
    OrderApproval,
    OrderEvent,
    OrderLine,
    OrderVersion,
    PoolNumber,
)
from tables.org import (
    Account,
    Agreement,
    AgreementProduct,
    ApiToken,
    AuthToken,
    CompanyProfile,
    Contact,
    Group,
    GroupCategory,
    LoginSession,
    LoginThrottle,
    Organisation,
    PriceList,
    PriceListItem,
    RecoveryCode,
    Role,
    SavedFilter,
    Shortcut,
    SLADefinition,
    SLATarget,
    StaffUser,
    User,
    ViewAsSession,
)
from tables.scope import scope_condition, visible_accounts
from tables.services import (
    Barring,
    CallForwarding,
    Device,
    GroupMembership,
    MonitoringSample,
    MonthlyUsage,
    PhoneNumber,
    Service,
    ServiceAddon,
    ServiceLine,
    SimCard,
    SpendingLimit,
    TopUp,
    UserObjectAccess,
)
from tables.switchboard import (
    SwitchboardEmployee,
    SwitchboardQueue,
    SwitchboardQueueCall,
    SwitchboardQueueMember,
)
from tables.tally import OrganisationTally, RowTally
from tables.tickets import (
    InboundMail,
    RequestType,
    Ticket,
    TicketAttachment,
    TicketContact,
    TicketMessage,
)

ALL_MODELS = [
    ProductCategory, Product, OptionGroup, OptionGroupItem,
    PriceList, PriceListItem, SLADefinition, SLATarget,
    Organisation, CompanyProfile, Agreement, AgreementProduct,
    Account, Contact, Role, User, StaffUser,
    AuthToken, RecoveryCode, LoginThrottle, LoginSession, ApiToken, SavedFilter, Shortcut,
    GroupCategory, Group,
    Service, ServiceLine, SimCard, Device, Barring, CallForwarding, PhoneNumber,
    MonthlyUsage, SpendingLimit, ServiceAddon, TopUp, MonitoringSample,
    UserObjectAccess, GroupMembership,
    Order, OrderLine, OrderVersion, OrderEvent, OrderApproval, ApproverChainEntry,
    PoolNumber, Availability,
    ImportBatch, ImportChange, Invoice, InvoiceLine, CreditNote, CreditNoteLine, CallRecord,
    RequestType, Ticket, TicketMessage, TicketAttachment, TicketContact, InboundMail,
    PriceListRequestPrice, Charge,
    Outage, OutageUpdate, Coverage, AuditLog, OutboxMessage, ScheduledReport, Setting, Sequence,
    NotificationLog, TechnicalNotice,
    ExportJob, WorkerHeartbeat, ViewAsSession, BulkAction, BulkActionRow,
    ApiTokenAddress, ApiRateWindow, ApiIdempotency,
    RowTally, OrganisationTally,
    SwitchboardEmployee, SwitchboardQueue, SwitchboardQueueMember, SwitchboardQueueCall,
]  # fmt: skip

# First values of the numbers the system hands out.
SEQUENCE_STARTS = {
    "customer_number": 23090000,
    "order_number": 1410400,
    "ticket_number": 5515500,
    "invoice_number": 720000,
}


def next_number(name: str) -> int:
    """Hand out the next number of a sequence; call inside ``write_tx``.

    One statement that creates or bumps the row and returns the new value,
    so two transactions at once (PostgreSQL's READ COMMITTED lets both read
    first) never hand out the same number."""
    start = SEQUENCE_STARTS[name]
    query = (
        Sequence.insert(name=name, value=start + 1)
        .on_conflict(conflict_target=[Sequence.name], update={Sequence.value: Sequence.value + 1})
        .returning(Sequence.value)
    )
    (value,) = next(iter(query.tuples().execute()))
    return value - 1


__all__ = [name for name in dir() if not name.startswith("_")]
__all__ += ["BaseModel", "db", "utcnow", "write_tx", "scope_condition", "visible_accounts"]
