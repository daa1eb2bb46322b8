"""A learning platform (an LMS) for the tests, over real HTTP on loopback.

It does what Moodle or Canvas does for a tool: its own RSA keys and a JWKS endpoint, an OIDC
authorization endpoint that answers a tool's login with a signed id_token (in an auto-posting
form, as platforms do), an OAuth2 client-credentials token endpoint, and the AGS line-item/score
and NRPS membership endpoints. Every request it receives is recorded in `received`.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import requests
from jwcrypto.jwk import JWK

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
ROLES = {
    "student": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
    "instructor": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
    "assistant": [
        "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
        "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant",
    ],
    "mentor": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"],
}


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class Platform:
    client_id: str = "classroom-tool"
    deployment_id: str = "deployment-1"
    key: JWK = field(default_factory=lambda: JWK.generate(kty="RSA", size=2048, kid="platform-key-1"))
    received: list[Received] = field(default_factory=list)
    next_claims: dict[str, Any] = field(default_factory=dict)  # what the next id_token says
    sign_with: JWK | None = None  # another key (same kid): a forged signature
    memberships: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> Platform:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                platform._handle(self, "GET")

            def do_POST(self) -> None:
                platform._handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    @property
    def issuer(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.issuer + path

    # --- what a tool's administrator copies from the platform ------------------------------------

    @property
    def auth_url(self) -> str:
        return self.url("/auth")

    @property
    def token_url(self) -> str:
        return self.url("/token")

    @property
    def keyset_url(self) -> str:
        return self.url("/jwks")

    # --- id_tokens ---------------------------------------------------------------------------------

    def claims(self, *, nonce: str, role: str = "student", sub: str = "lms-user-1", **extra: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": sub,
            "iat": now,
            "exp": now + 60,
            "nonce": nonce,
            "name": "Zhang Wei",
            "given_name": "Wei",
            "family_name": "Zhang",
            "email": f"{sub}@lms.example.edu",
            LTI + "deployment_id": self.deployment_id,
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "version": "1.3.0",
            LTI + "roles": ROLES[role],
            LTI + "resource_link": {"id": "resource-1", "title": "Quiz 1"},
            LTI + "context": {"id": "course-1", "label": "DL", "title": "Deep Learning 2027"},
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": self.url("/memberships"),
                "service_versions": ["2.0"],
            },
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": [
                    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                ],
                "lineitems": self.url("/lineitems"),
            },
        }
        for name, value in extra.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return claims

    def id_token(self, claims: dict[str, Any]) -> str:
        key = self.sign_with or self.key
        pem = key.export_to_pem(private_key=True, password=None)
        return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": self.key.key_id})

    # --- the browser's part: follow the tool's login to the platform and back -------------------

    def authorize(self, auth_request_url: str) -> dict[str, str]:
        """GET the platform's auth endpoint as the browser would; the auto-posting form's fields
        and action (the tool's launch URL)."""
        page = requests.get(auth_request_url, timeout=10).text
        fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page))
        fields["action"] = re.search(r'action="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        return fields

    # --- HTTP ----------------------------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        self.received.append(Received(method, parts.path, parse_qs(parts.query), dict(request.headers), body))
        status, content_type, payload = self._answer(method, parts.path, parse_qs(parts.query), body)
        data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def _answer(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> tuple[int, str, Any]:
        if path == "/jwks":
            return 200, "application/json", {"keys": [json.loads(self.key.export_public()) | {"alg": "RS256"}]}
        if path == "/auth":
            return self._auth(query)
        if path == "/token" and method == "POST":
            form = parse_qs(body.decode())
            if form.get("grant_type") != ["client_credentials"] or "client_assertion" not in form:
                return 400, "application/json", {"error": "invalid_request"}
            scope = form.get("scope", [""])[0]
            return (
                200,
                "application/json",
                {"access_token": uuid.uuid4().hex, "token_type": "Bearer", "expires_in": 3600, "scope": scope},
            )
        if path == "/lineitems":
            if method == "POST":
                item = json.loads(body) | {"id": self.url(f"/lineitems/{uuid.uuid4().hex[:8]}")}
                return 201, "application/vnd.ims.lis.v2.lineitem+json", item
            return 200, "application/vnd.ims.lis.v2.lineitemcontainer+json", []
        if path.startswith("/lineitems/") and path.endswith("/scores") and method == "POST":
            return 204, "application/json", ""
        if path == "/memberships":
            return (
                200,
                "application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
                {"id": self.url("/memberships"), "context": {"id": "course-1"}, "members": self.memberships},
            )
        return 404, "application/json", {"error": "not found"}

    def _auth(self, query: dict[str, list[str]]) -> tuple[int, str, str]:
        one = {k: v[0] for k, v in query.items()}
        if one.get("client_id") != self.client_id or one.get("response_type") != "id_token":
            return 400, "text/html", "bad authorization request"
        claims = self.claims(nonce=one["nonce"], **self.next_claims)
        token = self.id_token(claims)
        html = (
            f'<form method="post" action="{one["redirect_uri"]}">'
            f'<input type="hidden" name="id_token" value="{token}">'
            f'<input type="hidden" name="state" value="{one["state"]}"></form>'
            "<script>document.forms[0].submit()</script>"
        )
        return 200, "text/html", html
