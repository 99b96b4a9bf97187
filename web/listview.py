"""The list view, re-exported from the list engine package (web/lists/)."""

from web.lists.planning import WALK_COST
from web.lists.state import ListPage, ListState
from web.lists.tallies import TallyCount
from web.lists.view import ListView, status_views

__all__ = ["WALK_COST", "ListPage", "ListState", "ListView", "TallyCount", "status_views"]
