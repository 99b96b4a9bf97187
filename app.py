"""Teleportal: the application factory.

``gunicorn 'app:create_app()'`` serves it; ``flask --app app …`` runs the
operator CLI (see cli.py). Nothing runs at import time.
"""

from __future__ import annotations

import functools
import importlib
import os
import pkgutil
import secrets
from pathlib import Path

import click
from flask import Flask, g, render_template, request
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect
from peewee import SqliteDatabase
from werkzeug.routing import IntegerConverter

from database import db, is_sqlite, make_database

# Answered without the database: the liveness probe, and static files (the
# 503 page that says the database is away keeps its styles and logo).
NO_DATABASE_ENDPOINTS = frozenset({"health.healthz", "static"})

csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else generated once into the instance folder."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = instance / "secret_key"
    if not path.exists():
        # Written whole under another name and linked into place: gunicorn
        # workers starting at once never read a half-written (empty) key,
        # and the first link wins.
        temp = instance / f".secret_key.{secrets.token_hex(4)}.part"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temp)
    return path.read_text().strip()


def load_config(app: Flask) -> None:
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    env = os.environ.get
    app.config.update(
        SECRET_KEY=_secret_key(instance),
        DATABASE_URL=env("DATABASE_URL") or f"sqlite:///{instance / 'teleportal.db'}",
        BABEL_DEFAULT_LOCALE=env("TELEPORTAL_LANGUAGE", "sv"),
        BABEL_DEFAULT_TIMEZONE="Europe/Stockholm",
        # Sessions: secure by default; a plain-http local demo turns Secure off.
        SESSION_COOKIE_SECURE=_env_bool("SESSION_COOKIE_SECURE", True),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=_env_bool("SESSION_COOKIE_SECURE", True),
        REMEMBER_COOKIE_HTTPONLY=True,
        PERMANENT_SESSION_LIFETIME=int(env("SESSION_HOURS", "8")) * 3600,
        # Kundnummer + PIN sign-in, read-only for one account (AUTH-7, domain/account_pin.py).
        PIN_LOGIN_ENABLED=_env_bool("PIN_LOGIN_ENABLED", False),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        MAX_CONTENT_LENGTH=int(env("MAX_UPLOAD_MB", "25")) * 1024 * 1024,
        # Mail: "outbox" keeps messages in the outbox table (development);
        # "smtp" sends them through the SMTP server below, with retries.
        MAIL_BACKEND=env("MAIL_BACKEND", "outbox"),
        MAIL_FROM=env("MAIL_FROM", "Teleportal <noreply@teleportal.local>"),
        SMTP_HOST=env("SMTP_HOST", "localhost"),
        SMTP_PORT=int(env("SMTP_PORT", "25")),
        SMTP_TLS=env("SMTP_TLS", "none"),  # none, starttls, ssl
        SMTP_USER=env("SMTP_USER", ""),
        SMTP_PASSWORD=env("SMTP_PASSWORD", ""),
        SMS_BACKEND=env("SMS_BACKEND", "outbox"),
        PUBLIC_URL=env("PUBLIC_URL", "http://127.0.0.1:8000"),
        ATTACHMENT_DIR=env("ATTACHMENT_DIR") or str(instance / "attachments"),
        INVOICE_PDF_DIR=env("INVOICE_PDF_DIR") or str(instance / "invoices"),
        # Staff uploads of billing files, kept from preview until imported.
        BILLING_UPLOAD_DIR=env("BILLING_UPLOAD_DIR") or str(instance / "billing-imports"),
        # UI-10: the operator's name and customer service, shown in the layout,
        # and what its invoices carry (domain/operator.py reads them all).
        OPERATOR_NAME=env("OPERATOR_NAME", "Teleportal"),
        OPERATOR_PHONE=env("OPERATOR_PHONE", "0771 – 40 40 40"),
        OPERATOR_WEB=env("OPERATOR_WEB", "https://teleportal.example/foretag"),
        OPERATOR_SUPPORT_URL=env("OPERATOR_SUPPORT_URL", "https://teleportal.example/support"),
        OPERATOR_EMAIL=env("OPERATOR_EMAIL", "kundservice@teleportal.example"),
        OPERATOR_ADDRESS=env("OPERATOR_ADDRESS", "Box 7012, 903 26 Umeå"),
        OPERATOR_ORG_NUMBER=env("OPERATOR_ORG_NUMBER", "559123-4561"),
        OPERATOR_VAT_NUMBER=env("OPERATOR_VAT_NUMBER", "SE559123456101"),
        OPERATOR_BANKGIRO=env("OPERATOR_BANKGIRO", "5402-9681"),
        OPERATOR_PLUSGIRO=env("OPERATOR_PLUSGIRO", "45 67 89-7"),
        # Background jobs (worker.py): exports beyond EXPORT_JOB_ROWS rows run
        # in the worker; their files stay REPORT_FILE_DAYS days in REPORT_DIR.
        # The queue is SQLite in the instance folder unless REDIS_URL is set.
        REDIS_URL=env("REDIS_URL", ""),
        EXPORT_JOB_ROWS=int(env("EXPORT_JOB_ROWS", "5000")),
        # Bulk actions on Tjänster: more services than BULK_JOB_ROWS run in
        # the worker with a progress bar; at most BULK_MAX_ROWS in one run.
        BULK_JOB_ROWS=int(env("BULK_JOB_ROWS", "50")),
        BULK_MAX_ROWS=int(env("BULK_MAX_ROWS", "5000")),
        # Reports that add up call records: beyond this many calls in the
        # period the report is made by the worker as a file, not on screen.
        REPORT_PREVIEW_CALLS=int(env("REPORT_PREVIEW_CALLS", "10000")),
        # Molnväxel employees, queues and queue statistics (domain/switchboard.py,
        # docs/SWITCHBOARD.md): "builtin" or "package.module:Class".
        SWITCHBOARD_BACKEND=env("SWITCHBOARD_BACKEND", "builtin"),
        # Förbrukningsrapport: beyond this many subscriptions in the month.
        REPORT_PREVIEW_ROWS=int(env("REPORT_PREVIEW_ROWS", "5000")),
        # Kostnader per grupp: beyond this many invoice lines in the months.
        REPORT_PREVIEW_LINES=int(env("REPORT_PREVIEW_LINES", "20000")),
        # Summa per grupp on Fakturor and Tjänster: at most this many rows
        # (invoice lines, services) added up in a request.
        GROUP_TOTALS_MAX_ROWS=int(env("GROUP_TOTALS_MAX_ROWS", "200000")),
        # A list filtered by group counts at most this many rows (beyond it
        # "fler än 10 000"; the pages up to it stay reachable).
        LIST_COUNT_CAP=int(env("LIST_COUNT_CAP", "10000")),
        REPORT_DIR=env("REPORT_DIR") or str(instance / "reports"),
        REPORT_FILE_DAYS=int(env("REPORT_FILE_DAYS", "7")),
        # Operations (docs/OPERATIONS.md): /readyz wants the worker heard
        # from within this many seconds (0: not checked); /metrics answers
        # these addresses; one JSON line per request on stdout.
        READY_WORKER_SECONDS=int(env("READY_WORKER_SECONDS", "300")),
        METRICS_ALLOW=env("METRICS_ALLOW", "127.0.0.1,::1"),
        REQUEST_LOG=_env_bool("REQUEST_LOG", True),
        # JSON API (issue 19): requests per token per minute, counted in the
        # database across workers; the largest JSON body it reads.
        API_RATE_LIMIT=int(env("API_RATE_LIMIT", "600")),
        API_MAX_BODY_KB=int(env("API_MAX_BODY_KB", "256")),
    )


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        # Flask wants an absolute path; a relative one is taken from the working directory.
        instance_path=os.path.abspath(os.environ["TELEPORTAL_INSTANCE"])
        if os.environ.get("TELEPORTAL_INSTANCE")
        else None,
        instance_relative_config=True,
    )
    load_config(app)
    if config:
        app.config.update(config)

    _init_database(app)

    # Before any route is added: every <int:…> in a URL is a database id.
    app.url_map.converters["int"] = DatabaseIdConverter

    csrf.init_app(app)
    from web import i18n

    babel.init_app(app, locale_selector=i18n.select_locale)
    _init_login(app)

    from web import (
        formatting,
        metrics,
        pinsession,
        requestcontext,
        requestlog,
        security,
        unavailable,
        viewas,
    )

    formatting.init_app(app)
    i18n.init_app(app)  # after formatting: the format filters answer per locale
    security.init_app(app)
    requestcontext.init_app(app)
    requestlog.init_app(app)
    unavailable.init_app(app)
    viewas.init_app(app)
    pinsession.init_app(app)
    app.extensions["metrics_allow"] = metrics.parse_allow(app.config["METRICS_ALLOW"])
    _register_blueprints(app)
    # The JSON API is opened by a Bearer token only, never by the session
    # cookie (web/api/operations.py): there is no cookie-borne request for
    # CSRF to guard there, and its clients are programs without a form.
    csrf.exempt(app.blueprints["api"])
    _register_error_handlers(app)

    import cli
    import domain.notifications  # noqa: F401  (registers its OUTAGE_LISTENERS entry)

    cli.init_app(app)
    _init_jobs(app)
    return app


def _init_database(app: Flask) -> None:
    """One connection per request on PostgreSQL; on SQLite each worker
    thread keeps its connection from request to request. Opening a SQLite
    file sets six pragmas, and closing the last connection checkpoints the
    WAL and deletes it: 3–4 ms a request, more than the rest of a signed-in
    page's SQL. A request that failed or left a transaction open does not
    hand its connection on (closing it as before), and a forked child never
    uses its parent's."""
    db.initialize(make_database(app.config["DATABASE_URL"]))
    keep = is_sqlite()
    if keep:
        _forget_connection_at_fork()

    @app.before_request
    def _open_db():
        if request.endpoint in NO_DATABASE_ENDPOINTS:
            return
        db.connect(reuse_if_open=True)

    @app.teardown_appcontext
    def _close_db(exc):
        if db.is_closed() or (keep and exc is None and not db.in_transaction()):
            return
        db.close()


@functools.cache  # once per process
def _forget_connection_at_fork() -> None:
    """A forked child (a gunicorn worker of ``--preload``) drops the SQLite
    connection it inherited, unclosed: it is the parent's, and SQLite
    forbids using a connection across fork."""

    def forget() -> None:
        if isinstance(db.obj, SqliteDatabase):
            db.obj._state.reset()

    os.register_at_fork(after_in_child=forget)


def _init_jobs(app) -> None:
    """The job queue (worker.py). A web process imports it only when it
    queues its first job, not as it starts: huey brings the Redis client,
    8.5 MB in every process, most of which never queue one. Tests wire it at
    once, running the queue in place (immediate mode)."""
    if app.config.get("TESTING"):
        import worker

        worker.init_app(app)
        return
    from web import jobs as web_jobs

    def enqueue(job_id: int) -> None:
        import worker

        worker.run_job(job_id)

    def enqueue_bulk(bulk_id: int) -> None:
        import worker

        worker.run_bulk(bulk_id)

    web_jobs.set_enqueue(enqueue, enqueue_bulk)

    @app.cli.command("worker")
    @click.option("--workers", default=2, show_default=True, help="Worker threads.")
    def worker_command(workers):
        """Run the background worker: export jobs and the periodic work."""
        import worker

        worker.run_consumer(app, workers)


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` limited to what a database integer holds (below 2**63):
    a larger id names nothing, so it answers 404 before any view or query
    runs (SQLite would raise OverflowError, PostgreSQL "out of range")."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def _init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Logga in för att fortsätta."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        from web.auth import load_session_user

        return load_session_user(user_id)


def _register_blueprints(app: Flask) -> None:
    """Register every ``bp`` found in the modules and packages of ``blueprints/``."""
    import blueprints

    for info in sorted(pkgutil.iter_modules(blueprints.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"blueprints.{info.name}")
        if hasattr(module, "bp"):
            app.register_blueprint(module.bp)


def _register_error_handlers(app: Flask) -> None:
    from web.api import problems
    from web.i18n import N_

    def page(code: int, title: str, text: str):
        if problems.is_api_request():  # the JSON API answers RFC 9457 problems
            return problems.for_status(code)
        g.error_page = True
        return render_template("error.html", code=code, title=title, text=text), code

    @app.errorhandler(400)
    def bad_request(e):
        return page(400, N_("Felaktig begäran"), N_("Begäran kunde inte tolkas."))

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return page(
            400,
            N_("Sidan har gått ut"),
            N_("Formuläret saknade en giltig säkerhetstoken. Ladda om sidan och försök igen."),
        )

    @app.errorhandler(403)
    def forbidden(e):
        return page(403, N_("Behörighet saknas"), N_("Du har inte behörighet till den här sidan."))

    @app.errorhandler(404)
    def not_found(e):
        return page(404, N_("Sidan finns inte"), N_("Sidan eller objektet kunde inte hittas."))

    @app.errorhandler(405)
    def method_not_allowed(e):
        return page(405, N_("Otillåten metod"), N_("Metoden stöds inte för den här adressen."))

    @app.errorhandler(413)
    def too_large(e):
        return page(413, N_("För stor fil"), N_("Den skickade filen är för stor."))

    @app.errorhandler(500)
    def server_error(e):
        return page(
            500, N_("Något gick fel"), N_("Ett oväntat fel inträffade. Försök igen om en stund.")
        )
