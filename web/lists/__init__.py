"""The list engine (UI-4), split by responsibility:

- ``filters``: the column filters, parsing the query string into values and SQL;
- ``columns``: the column definitions;
- ``state``: the list's URL state (ListState) and the page it shows (ListPage);
- ``planning``: the SQL: the filtered query, the count, the page's ids off the indexes;
- ``tallies``: totals from the row tally (TallyCount);
- ``export``: the Excel export;
- ``view``: ListView, which a list is configured as, and its response;
- ``groups``: the group filter (GRP-4) and the group membership rule in SQL.

``web.listview``, ``web.listcolumns`` and ``web.listexport`` re-export these
names, so the list definitions import what they always did.
"""
