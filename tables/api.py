"""What the JSON API keeps besides its tokens (tables/org.py ApiToken):
the addresses a token was used from, its requests per minute (counted in
the database so every worker counts together) and the stored answers of
POSTs sent with an ``Idempotency-Key``."""

from __future__ import annotations

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from database import BaseModel, utcnow
from tables.org import ApiToken


class ApiTokenAddress(BaseModel):
    """An address a token has been used from; a new one is audited."""

    token = ForeignKeyField(ApiToken, backref="addresses", on_delete="CASCADE")
    ip = CharField()
    first_seen_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("token", "ip"), True),)


class ApiRateWindow(BaseModel):
    """Requests of one token in one minute (``window`` is the minute's start)."""

    token = ForeignKeyField(ApiToken, on_delete="CASCADE")
    window = DateTimeField()
    count = IntegerField(default=0)

    class Meta:
        indexes = ((("token", "window"), True),)


class ApiIdempotency(BaseModel):
    """The answer to a POST with an ``Idempotency-Key``, per token: the same
    key with the same request gets this answer again; with another request
    it is refused."""

    token = ForeignKeyField(ApiToken, on_delete="CASCADE")
    key = CharField()
    request_hash = CharField()
    status = IntegerField()
    body = TextField(default="")
    location = CharField(default="")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("token", "key"), True),)
