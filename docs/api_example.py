#!/usr/bin/env python3
"""Order a mobile subscription through Teleportal's JSON API and follow it
until it is Slutförd — the API only, Python's standard library only.

    TELEPORTAL_URL=https://portal.example.se TELEPORTAL_TOKEN=tp_… \\
        python3 docs/api_example.py [--account 99012615] [--end-user "Anna Andersson"]

The token (API-nycklar, /company/api) needs Beställningar: skapa. Every POST
carries an Idempotency-Key: if the answer is lost, sending the same request
with the same key again returns the order already made instead of a second
one. Errors are RFC 9457 problem+json; a 422 lists the fields at fault.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid

DONE = {"completed"}  # Slutförd
GIVEN_UP = {"cancelled", "rejected", "declined"}


class ApiProblem(Exception):
    def __init__(self, status: int, problem: dict):
        self.status, self.problem = status, problem
        fields = "; ".join(f"{e['name']}: {e['detail']}" for e in problem.get("errors", []))
        super().__init__(
            f"{status} {problem.get('title', '')}: {problem.get('detail', '')} {fields}"
        )


def call(base: str, token: str, method: str, path: str, body=None, key: str | None = None):
    """One request; the decoded JSON answer, else :class:`ApiProblem`.
    A 429 waits as long as Retry-After says and tries again."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    if key:
        headers["Idempotency-Key"] = key
    while True:
        request = urllib.request.Request(base.rstrip("/") + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            if error.code == 429:
                time.sleep(int(error.headers.get("Retry-After", "5")))
                continue
            try:
                problem = json.loads(error.read())
            except ValueError:
                problem = {"title": error.reason}
            raise ApiProblem(error.code, problem) from None


def find_account(base: str, token: str, customer_number: str | None = None) -> dict:
    """The account to order on: by kundnummer, else the first one the token sees."""
    path = "/api/v1/accounts?limit=100"
    while path:
        page = call(base, token, "GET", path)
        for account in page["items"]:
            if customer_number in (None, account["customer_number"]):
                return account
        path = page["next"]
    raise SystemExit(f"No account {customer_number} in the token's scope.")


def order_subscription(
    base: str, token: str, account_id: int, end_user: str, email: str, product: str = "MOB-FAST"
) -> dict:
    """Place the order (a new number from the pool, an eSIM sent to ``email``)."""
    body = {
        "account_id": account_id,
        "lines": [
            {
                "product": product,
                "details": {"end_user": end_user, "sim": "esim", "esim_email": email},
            }
        ],
        "contact_method": "email",
        "contact_email": email,
    }
    # One key per intended order: a retry after a lost answer creates nothing new.
    key = str(uuid.uuid4())
    for attempt in range(3):
        try:
            return call(base, token, "POST", "/api/v1/orders", body, key=key)
        except (urllib.error.URLError, TimeoutError):
            if attempt == 2:
                raise
            time.sleep(2)
    raise AssertionError("unreachable")


def wait_until_done(
    base: str, token: str, order_id: int, every: float = 30, timeout: float = 7 * 86400, log=print
) -> dict:
    """Read the order every ``every`` seconds until it is Slutförd (or was
    cancelled, rejected or declined); the order as last read."""
    deadline = time.monotonic() + timeout
    seen = None
    while True:
        order = call(base, token, "GET", f"/api/v1/orders/{order_id}")
        if order["status"] != seen:
            seen = order["status"]
            log(f"Order {order['label']}: {seen}")
        if seen in DONE | GIVEN_UP:
            return order
        if time.monotonic() > deadline:
            raise TimeoutError(f"Order {order['label']} still {seen}")
        time.sleep(every)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--account", help="kundnummer (default: the first account)")
    parser.add_argument("--end-user", default="Ny medarbetare")
    parser.add_argument("--email", default=None, help="where the eSIM goes")
    parser.add_argument("--every", type=float, default=30, help="seconds between reads")
    args = parser.parse_args(argv)
    base, token = os.environ.get("TELEPORTAL_URL"), os.environ.get("TELEPORTAL_TOKEN")
    if not base or not token:
        parser.error("set TELEPORTAL_URL and TELEPORTAL_TOKEN")
    account = find_account(base, token, args.account)
    email = args.email or "it@example.se"
    try:
        order = order_subscription(base, token, account["id"], args.end_user, email)
    except ApiProblem as problem:
        print(problem, file=sys.stderr)
        return 1
    print(f"Placed order {order['label']} on account {account['customer_number']}")
    final = wait_until_done(base, token, order["id"], every=args.every)
    if final["status"] not in DONE:
        print(f"Order {final['label']} ended as {final['status']}", file=sys.stderr)
        return 1
    if final["service_id"]:
        service = call(base, token, "GET", f"/api/v1/services/{final['service_id']}")
        print(f"Subscription {service['number']} for {service['user_name']}")
    else:
        print(f"Slutförd: {final['summary']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
