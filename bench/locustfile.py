"""Locust: customers at work on the large instance (bench/load.py runs it).

    locust -f bench/locustfile.py --headless -u 10 -r 2 -t 60s --host http://127.0.0.1:8000

Each simulated user signs in once (admin@large.example, the Administratör of
Storkoncernen's 5,011 accounts, or konto@large.example, the
Kontoadministratör of a region of 501), samples ids of services and accounts
from its lists, then works: Översikt, lists filtered and sorted, service and
account pages, search, now and then a ticket and a small export (one
account's services, about 20 rows). Loopback only: bench/load.py points it
at the gunicorn it starts.
"""

from __future__ import annotations

import random
import re

import requests
from locust import HttpUser, between, task

PASSWORD = "Teleportal-demo-2026"
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
FORM_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SERVICE_LINK = re.compile(r'href="/services/(\d+)"')
ACCOUNT_ROW = re.compile(r'href="/accounts/(\d+)"[^>]*>\s*(\d{8})')

SERVICE_LISTS = [
    "/services",
    "/services?sort=monthly&dir=desc",
    "/services?f_status=active&sort=user",
    "/services?f_status=barred&f_status=active&sort=number&dir=desc",
    "/services?f_kind=mobile&sort=monthly&dir=desc",
    "/services?f_status=terminated",
    "/services?page=3",
]
INVOICE_LISTS = [
    "/invoices",
    "/invoices?f_status=overdue",
    "/invoices?f_status=unpaid&sort=amount&dir=desc",
    "/invoices?sort=date&page=2",
]
TICKET_LISTS = ["/tickets", "/tickets?sort=created&dir=desc"]
SEARCHES = ["070", "Region", "Storkoncernen", "Distrikt 1", "0701", "Enhet 12"]


class Customer(HttpUser):
    abstract = True
    username = ""
    wait_time = between(0.5, 1.5)  # a busy person: a page a second

    def on_start(self):
        """Sign in and sample ids through a plain session of its own, so
        that setting up (argon2 hashing the password, first pages) is not
        in the figures; then hand the session cookie to the measured one."""
        setup = requests.Session()
        base = self.host.rstrip("/")
        token = FORM_CSRF.search(setup.get(f"{base}/login").text).group(1)
        response = setup.post(
            f"{base}/login",
            data={"csrf_token": token, "username": self.username, "password": PASSWORD},
            allow_redirects=False,
        )
        if response.status_code != 302 or "login" in response.headers.get("Location", ""):
            raise RuntimeError(f"{self.username} could not sign in: {response.status_code}")
        services = setup.get(f"{base}/services?page={random.randint(1, 50)}").text
        self.services = [int(i) for i in SERVICE_LINK.findall(services)] or [0]
        found = ACCOUNT_ROW.findall(setup.get(f"{base}/accounts?page={random.randint(1, 20)}").text)
        self.accounts = [int(i) for i, _ in found] or [0]
        self.customer_numbers = [number for _, number in found]
        self.csrf = CSRF.search(services).group(1)
        self.client.cookies.update(setup.cookies)

    @task(10)
    def overview(self):
        self.client.get("/", name="/ (Översikt)")

    @task(15)
    def services_list(self):
        url = random.choice(SERVICE_LISTS)
        self.client.get(url, name=url.split("&")[0] if "?" in url else url)

    @task(8)
    def invoices_list(self):
        if self.can_see_invoices:
            url = random.choice(INVOICE_LISTS)
            self.client.get(url, name=url.split("&")[0])

    @task(5)
    def tickets_list(self):
        self.client.get(random.choice(TICKET_LISTS), name="/tickets")

    @task(12)
    def service_page(self):
        self.client.get(f"/services/{random.choice(self.services)}", name="/services/<id>")

    @task(6)
    def account_page(self):
        self.client.get(f"/accounts/{random.choice(self.accounts)}", name="/accounts/<id>")

    @task(6)
    def search(self):
        self.client.get("/search", params={"q": random.choice(SEARCHES)}, name="/search?q=")

    @task(1)
    def create_ticket(self):
        service = random.choice(self.services)
        url = f"/tickets/new?service={service}"
        form = self.client.get(url, name="/tickets/new?service=<id>").text
        token = FORM_CSRF.search(form)
        with self.client.post(
            url,
            data={
                "csrf_token": token.group(1) if token else self.csrf,
                "category": "support",
                "priority": "3",
                "subject": "Lasttest: fråga om tjänsten",
                "body": "Skapat av bench/locustfile.py.",
                "action": "send",
            },
            files={"attachments": ("", b"")},  # multipart, as the browser sends it
            name="POST /tickets/new",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 303:
                response.failure(f"ticket not created: {response.status_code}")

    @task(1)
    def small_export(self):
        if not self.customer_numbers:
            return
        number = random.choice(self.customer_numbers)
        with self.client.get(
            "/services",
            params={"f_account": number, "f_status": "", "export": "xlsx"},
            name="/services?f_account=…&export=xlsx",
            catch_response=True,
        ) as response:
            kind = response.headers.get("Content-Type", "")
            if response.status_code != 200 or "spreadsheet" not in kind:
                response.failure(f"no workbook: {response.status_code} {kind}")

    can_see_invoices = True


class Administrator(Customer):
    username = "admin@large.example"
    weight = 1


class AccountAdministrator(Customer):
    username = "konto@large.example"
    weight = 2
