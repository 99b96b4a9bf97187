"""The WSGI entry of an app node that a test starts with gunicorn:
``gunicorn 'tests.node_app:create()'``, its settings from the environment
as in production plus, for the test, TELEPORTAL_TEST_CONFIG (JSON)."""

from __future__ import annotations

import json
import os


def create():
    from app import create_app

    return create_app(json.loads(os.environ.get("TELEPORTAL_TEST_CONFIG") or "{}") or None)
