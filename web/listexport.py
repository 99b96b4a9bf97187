"""The list view's Excel export, re-exported from web/lists/export.py."""

from web.lists.export import MAX_IDS, ExportMixin, models_in

__all__ = ["MAX_IDS", "ExportMixin", "models_in"]
