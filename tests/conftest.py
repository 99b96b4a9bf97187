"""Shared fixtures.

* ``app``: a fresh database per test, copied from a template built once per
  session (schema only, or schema plus demo data with ``demo_app``).
* ``client``: a test client whose POSTs carry a valid CSRF token unless
  ``csrf=False`` is passed; ``login_as(client, username)`` signs a user in.
* Factories ``make_org``, ``make_account``, ``make_user``, ``make_service``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import os
import re
import secrets
import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from domain import passwords

pytest_plugins = ["tests.browser", "tests.smtp", "tests.services_fixtures"]

# Fast hashing in tests only; production uses the argon2id cost in domain/passwords.py.
passwords.configure(time_cost=1, memory_kib=8 * 1024)

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser):
    parser.addoption(
        "--db",
        choices=("sqlite", "postgresql"),
        default=os.environ.get("TEST_DATABASE", "sqlite"),
        help="The database every test runs on (TEST_DATABASE). PostgreSQL: a throwaway "
        "cluster (tests/pg.py); the browser tests and the sqlite_only ones are skipped.",
    )


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only: about SQLite itself (file locks, PRAGMA)")
    config.addinivalue_line("markers", "postgres_only: about PostgreSQL itself")


def pytest_collection_modifyitems(config, items):
    kind = config.getoption("--db")
    skip = {
        "sqlite": {"postgres_only": "PostgreSQL only: run with --db postgresql"},
        "postgresql": {
            "sqlite_only": "SQLite only",
            "browser": "the browser tests run on SQLite only",
        },
    }[kind]
    for item in items:
        for marker, reason in skip.items():
            if marker in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


def _seed_template(url: str, base: Path, with_demo: bool) -> None:
    from app import create_app
    from cli import migrate
    from database import db

    app = create_app(_config(url, base))
    with app.app_context():
        db.connect(reuse_if_open=True)
        migrate()
        if with_demo:
            from seed import demo

            demo.seed()
        db.close()


class SqliteDatabases:
    """Templates are files; a test's database is a copy of one."""

    kind = "sqlite"

    def __init__(self, folder: Path):
        self.folder = folder

    def template(self, name: str, with_demo: bool) -> Path:
        path = self.folder / f"{name}.db"
        _seed_template(f"sqlite:///{path}", self.folder, with_demo)
        return path

    def copy(self, template: Path, folder: Path, name: str = "test") -> str:
        path = folder / f"{name}.db"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"

    def discard(self, url: str) -> None:
        pass


class PostgresDatabases:
    """Templates are databases of the run's cluster; a test's database is
    created from one (``CREATE DATABASE … TEMPLATE``) and dropped after it."""

    kind = "postgresql"

    def __init__(self, server, folder: Path):
        self.server = server
        self.folder = folder

    def template(self, name: str, with_demo: bool) -> str:
        name = name.replace("-", "_")
        _seed_template(self.server.create(name), self.folder, with_demo)
        # Statistics, as autovacuum would gather them on a live server (a
        # copy made from the template keeps them).
        self.server.execute(name, "ANALYZE")
        return name

    def copy(self, template: str, folder: Path, name: str = "test") -> str:
        return self.server.create(self.server.new_name(), template)

    def discard(self, url: str) -> None:
        self.server.drop(url.rsplit("/", 1)[1])


def _config(url, base: Path | None = None, **extra) -> dict:
    """The test app's configuration; ``url`` a database URL (or an SQLite
    file path), its files in ``base`` (by default the file's folder)."""
    if isinstance(url, Path):
        base = base or url.parent
        url = f"sqlite:///{url}"
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": url,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "ATTACHMENT_DIR": str(base / "attachments"),
        "INVOICE_PDF_DIR": str(base / "invoices"),
        "MAIL_BACKEND": "outbox",
    }
    config.update(extra)
    return config


@pytest.fixture(scope="session")
def database_kind(request) -> str:
    return request.config.getoption("--db")


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory):
    os.environ.setdefault("TELEPORTAL_INSTANCE", str(tmp_path_factory.mktemp("instance")))
    return tmp_path_factory.mktemp("templates")


@pytest.fixture(scope="session")
def databases(database_kind, template_dir):
    """How this run makes databases: ``template(name, with_demo)``,
    ``copy(template, folder) -> url`` and ``discard(url)``."""
    if database_kind == "sqlite":
        yield SqliteDatabases(template_dir)
        return
    from tests.pg import PostgresServer

    server = PostgresServer().start()
    try:
        yield PostgresDatabases(server, template_dir)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def empty_template(databases):
    return databases.template("empty", with_demo=False)


class DemoTemplates:
    """The demo data is dated relative to the day it is seeded (invoices
    overdue, orders last week…), and the app compares with the real date.
    A run that passes midnight gets a template seeded for the new day, so
    no test compares yesterday's data with today's date."""

    def __init__(self, databases):
        self.databases = databases
        self.built: dict[dt.date, object] = {}

    def today(self):
        today = dt.date.today()
        if today not in self.built:
            name = f"demo_{today.strftime('%Y%m%d')}"
            self.built[today] = self.databases.template(name, with_demo=True)
        return self.built[today]


@pytest.fixture(scope="session")
def demo_templates(databases) -> DemoTemplates:
    return DemoTemplates(databases)


@pytest.fixture
def demo_template(demo_templates):
    return demo_templates.today()


@pytest.fixture
def new_database(databases, tmp_path):
    """``new_database(template, name="test") -> url``: a database of its own
    made from a template, for tests that start other processes on it."""
    made = []

    def make(template, name: str = "test") -> str:
        url = databases.copy(template, tmp_path, name)
        made.append(url)
        return url

    yield make
    for url in made:
        databases.discard(url)


class CsrfClient(FlaskClient):
    """POST/PUT/PATCH/DELETE carry the session's CSRF token unless csrf=False."""

    def csrf_token(self) -> str:
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", secrets.token_hex(20))
        serializer = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return serializer.dumps(raw)

    def _with_token(self, kwargs):
        if kwargs.pop("csrf", True):
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        return kwargs

    def open(self, *args, **kwargs):
        # Read and close every response as a WSGI server does, so work put
        # off until after the response (web.deferred) has run when it returns.
        kwargs.setdefault("buffered", True)
        # The fixtures keep one app context pushed for the whole test, and a
        # request reuses it, so ``g`` (where Flask-Login caches the signed-in
        # user) would outlive the request. Start every request with an empty
        # ``g``, as a real server does, so that only the session cookie counts.
        from flask import g, has_app_context

        if has_app_context():
            for name in list(g):
                g.pop(name, None)
        return super().open(*args, **kwargs)

    def post(self, *args, **kwargs):
        return super().post(*args, **self._with_token(kwargs))

    def put(self, *args, **kwargs):
        return super().put(*args, **self._with_token(kwargs))

    def patch(self, *args, **kwargs):
        return super().patch(*args, **self._with_token(kwargs))

    def delete(self, *args, **kwargs):
        return super().delete(*args, **self._with_token(kwargs))


def _make_app(databases, template, tmp_path: Path, **config):
    from app import create_app
    from database import db

    url = databases.copy(template, tmp_path)
    app = create_app(_config(url, tmp_path, **config))
    app.test_client_class = CsrfClient
    ctx = app.app_context()
    ctx.push()
    db.connect(reuse_if_open=True)
    return app, ctx


@pytest.fixture
def app(databases, empty_template, tmp_path):
    app, ctx = _make_app(databases, empty_template, tmp_path)
    yield app
    _teardown(ctx)
    databases.discard(app.config["DATABASE_URL"])


@pytest.fixture
def demo_app(databases, demo_template, tmp_path):
    app, ctx = _make_app(databases, demo_template, tmp_path)
    yield app
    _teardown(ctx)
    databases.discard(app.config["DATABASE_URL"])


def _teardown(ctx):
    from database import db

    if not db.is_closed():
        db.close()
    ctx.pop()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def demo_client(demo_app):
    return demo_app.test_client()


def login_as(client, username: str):
    """Sign ``username`` in (portal user or staff) without the login form."""
    from database import write_tx
    from domain import sessions
    from models import StaffUser, User

    user = User.get_or_none(User.username == username) or StaffUser.get(
        StaffUser.username == username
    )
    with write_tx():
        key = sessions.start(user, "127.0.0.1", "pytest")
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["sid"] = key
    return user


@pytest.fixture
def sql_log():
    """The SQL statements run while the fixture is active."""
    statements: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record):
            statements.append(record.msg[0])

    logger = logging.getLogger("peewee")
    handler = Capture()
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    yield statements
    logger.removeHandler(handler)
    logger.setLevel(old_level)


@pytest.fixture
def login():
    return login_as


# Demo users by role (see seed/demo.py DEMO_LOGINS).
ADMIN = "admin@a3demo.se"
ACCOUNT_ADMIN = "konto@a3demo.se"
INVOICES_ONLY = "faktura@a3demo.se"
OTHER_ORG_ADMIN = "admin@norrbygg.se"
STAFF = "staff@teleportal.se"
DEMO_PASSWORD = "Teleportal-demo-2026"


# ----------------------------------------------------------------------- factories

_seq = itertools.count(1)


@pytest.fixture
def make_org(app):
    from database import write_tx
    from domain.accounts import create_account
    from domain.numbers import luhn_digit
    from models import CompanyProfile, Organisation

    def factory(name=None, **fields):
        n = next(_seq)
        body = f"55{n:07d}"
        with write_tx():
            org = Organisation.create(
                name=name or f"Testbolag {n} AB", org_number=body + luhn_digit(body), **fields
            )
            CompanyProfile.create(organisation=org)
            create_account(
                org,
                None,
                f"{90000000 + n}",
                company_name=org.name,
                street="Gata 1",
                postcode="90155",
                city="Umeå",
            )
        return org

    return factory


@pytest.fixture
def make_account(app):
    from database import write_tx
    from domain.accounts import create_account

    def factory(org, parent=None, **fields):
        parent = parent or org.top_account()
        n = next(_seq)
        fields.setdefault("company_name", f"{org.name} konto {n}")
        with write_tx():
            return create_account(org, parent, f"{80000000 + n}", **fields)

    return factory


@pytest.fixture
def make_user(app):
    from database import write_tx
    from domain.passwords import hash_password
    from models import Contact, Role, User
    from permissions import format_permissions

    def factory(
        org, account=None, permissions=(), superuser=False, password=DEMO_PASSWORD, **fields
    ):
        account = account or org.top_account()
        n = next(_seq)
        username = fields.pop("username", f"user{n}@example.se")
        with write_tx():
            role = None
            if superuser:
                role = Role.get_or_none(Role.is_superuser == True) or Role.create(  # noqa: E712
                    name="Superuser", is_superuser=True
                )
            contact = Contact.create(
                organisation=org, account=account, name=f"Person {n}", email=username
            )
            return User.create(
                organisation=org,
                contact=contact,
                scope_account=account,
                role=role,
                username=username,
                email=username,
                name=fields.pop("name", f"Person {n}"),
                password_hash=hash_password(password),
                permissions=format_permissions(permissions),
                **fields,
            )

    return factory


@pytest.fixture
def make_service(app):
    from database import write_tx
    from models import Product, Service

    def factory(account, kind="mobile", status="active", number=None, **fields):
        n = next(_seq)
        with write_tx():
            product = Product.get_or_none(Product.code == "TEST") or Product.create(
                code="TEST", name="Testabonnemang", kind="subscription", monthly_ore=13900
            )
            return Service.create(
                organisation=account.organisation_id,
                account=account,
                kind=kind,
                status=status,
                number=number or f"070{n:07d}",
                product=product,
                start_date=dt.date.today(),
                **fields,
            )

    return factory


def csrf_meta(html: str) -> str | None:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    return match.group(1) if match else None


@pytest.fixture
def as_lang(demo_client, login):
    """The demo admin signed in with a language: ``as_lang("en")`` (the
    language tests of each area, tests/test_i18n_*.py)."""
    from database import write_tx
    from models import User

    def sign_in(lang: str):
        with write_tx():
            User.update(language=lang).where(User.username == ADMIN).execute()
        login(demo_client, ADMIN)
        return demo_client

    return sign_in
