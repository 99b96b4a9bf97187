"""The order life cycle (SPEC §6, issue 14), on top of the service rules.

* ``flow``      status changes with their history, and versions (shared by all)
* ``pool``      the operator's number pool: reserve, release, use
* ``pricing``   what an organisation's agreement offers and at what price
* ``drafts``    Ny beställning: the wizard's draft, its steps and their rules
* ``sending``   a draft sent: prices copied, split per product area, numbers reserved
* ``approvals`` the approval chain (ordergodkännare) and Att godkänna
* ``changes``   a sent order changed (a new version), undone (Ångra), e-mails
* ``fulfilment`` the operator's staff processing an order into real services

The layers run one way: service_terms → service_actions → service_changes →
provisioning → orders.
"""
