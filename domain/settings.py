"""Settings read by the domain: the app config first, then the environment."""

from __future__ import annotations

import os

from flask import current_app, has_app_context


def config_value(name: str, default: str) -> str:
    """A setting from the app config, else the environment, else ``default``."""
    if has_app_context() and current_app.config.get(name):
        return str(current_app.config[name])
    return os.environ.get(name) or default
