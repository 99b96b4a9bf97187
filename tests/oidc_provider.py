"""A small but real OpenID Connect provider for the tests of "Logga in med
Microsoft": discovery, JWKS with a real RSA key, authorize (signs in
``provider.login_email`` at once, no page), token (checks the client secret,
the redirect URI and the PKCE verifier, single-use codes) and ID tokens
signed with RS256. Knobs let a test forge what a bad provider would send.

Served by werkzeug's ``make_server`` in a thread on a free local port.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server

CLIENT_ID = "teleportal-test"
CLIENT_SECRET = "hemlig-klient-123"


class Provider:
    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"})
        # Same kid, another key: a token signed with it is a forgery.
        self.forger = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"})
        self.codes: dict[str, dict] = {}
        self.reset()
        self.app = self._make_app()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def reset(self):
        self.login_email = "anna@kund.se"
        self.amr = ["pwd"]
        self.forge = False
        self.audience = None  # None: the client id
        self.exp_offset = 600
        self.nonce_override = None
        self.token_requests: list[dict] = []

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=5)

    def _id_token(self, grant: dict) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": "sub-" + self.login_email,
            "aud": self.audience or grant["client_id"],
            "iat": now,
            "exp": now + self.exp_offset,
            "nonce": self.nonce_override or grant["nonce"],
            "email": self.login_email,
            "preferred_username": self.login_email,
            "name": "Anna Andersson",
            "amr": self.amr,
        }
        key = self.forger if self.forge else self.key
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)

    def _make_app(self) -> Flask:
        app = Flask("oidc_test_provider")
        provider = self

        @app.get("/.well-known/openid-configuration")
        def discovery():
            base = provider.issuer
            return jsonify(
                issuer=base,
                authorization_endpoint=base + "/authorize",
                token_endpoint=base + "/token",
                jwks_uri=base + "/jwks",
                response_types_supported=["code"],
                subject_types_supported=["public"],
                id_token_signing_alg_values_supported=["RS256"],
                code_challenge_methods_supported=["S256"],
            )

        @app.get("/jwks")
        def jwks():
            return jsonify(KeySet([provider.key]).as_dict(private=False))

        @app.get("/authorize")
        def authorize():
            args = request.args
            if args.get("response_type") != "code" or args.get("client_id") != CLIENT_ID:
                abort(400)
            if args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
                abort(400)
            code = secrets.token_urlsafe(16)
            provider.codes[code] = {
                "client_id": args["client_id"],
                "redirect_uri": args["redirect_uri"],
                "nonce": args.get("nonce", ""),
                "challenge": args["code_challenge"],
            }
            query = urlencode({"code": code, "state": args.get("state", "")})
            return redirect(args["redirect_uri"] + "?" + query)

        @app.post("/token")
        def token():
            form = request.form
            provider.token_requests.append(dict(form))
            grant = provider.codes.pop(form.get("code", ""), None)  # single use
            if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
                return jsonify(error="invalid_grant"), 400
            if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
                return jsonify(error="invalid_client"), 401
            digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if challenge != grant["challenge"]:
                return jsonify(error="invalid_grant"), 400
            return jsonify(
                access_token=secrets.token_urlsafe(16),
                token_type="Bearer",
                expires_in=3600,
                id_token=provider._id_token(grant),
            )

        return app
