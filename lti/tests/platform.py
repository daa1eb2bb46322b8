"""A learning platform (an LMS) for the tests, over real HTTP on loopback.

It does what Moodle or Canvas does for a tool: its own RSA keys and a JWKS endpoint, an OIDC
authorization endpoint that answers a tool's login with a signed id_token (in an auto-posting
form, as platforms do), an OAuth2 client-credentials token endpoint that checks the tool's signed
JWT assertion against the tool's key set (fetched from `tool_keyset_url`, as an LMS does), the
AGS line-item and score endpoints and the NRPS membership endpoint (each wants a token it issued,
for the scope), and a deep-linking return URL that checks the tool's signed response the same way
and places its content items. Every request it receives is recorded in `received`; what the
tool sent in `assertions`, `scores`, `lineitems` and `placed`.
"""

from __future__ import annotations

import json
import re
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import requests
from jwcrypto.jwk import JWK

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
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
    tool_keyset_url: str = ""  # the tool's JWKS URL, pasted by the LMS's administrator
    tool_keyset: dict[str, Any] | None = None  # or its key set pasted as JSON (Canvas allows both)
    tokens: dict[str, set[str]] = field(default_factory=dict)  # access token -> scopes granted
    assertions: list[dict[str, Any]] = field(default_factory=list)  # verified client assertions
    lineitems: list[dict[str, Any]] = field(default_factory=list)  # the course's gradebook columns
    scores: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (line item URL, score)
    score_failures: list[int] = field(default_factory=list)  # statuses to answer the next score POSTs with
    placed: list[dict[str, Any]] = field(default_factory=list)  # deep-linked items, as resource links

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
        try:
            status, content_type, payload = self._answer(
                method, parts.path, parse_qs(parts.query), dict(request.headers), body
            )
        except Exception:  # noqa: BLE001 - a bug of the simulator answers 500 with its traceback, not a hang
            status, content_type, payload = 500, "text/plain", traceback.format_exc()
        data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def _answer(
        self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str], body: bytes
    ) -> tuple[int, str, Any]:
        if path == "/jwks":
            return 200, "application/json", {"keys": [json.loads(self.key.export_public()) | {"alg": "RS256"}]}
        if path == "/auth":
            return self._auth(query)
        if path == "/token" and method == "POST":
            return self._token(parse_qs(body.decode()))
        if path == "/deep_link_return" and method == "POST":
            return self._deep_link_return(parse_qs(body.decode()))
        if path.startswith(("/lineitems", "/memberships")) and not self._authorized(path, method, headers):
            return 401, "application/json", {"error": "invalid_token"}
        if path == "/lineitems":
            if method == "POST":
                item = json.loads(body) | {"id": self.url(f"/lineitems/{uuid.uuid4().hex[:8]}")}
                self.lineitems.append(item)
                return 201, "application/vnd.ims.lis.v2.lineitem+json", item
            return 200, "application/vnd.ims.lis.v2.lineitemcontainer+json", self.lineitems
        if path.startswith("/lineitems/") and path.endswith("/scores") and method == "POST":
            if self.score_failures:
                status = self.score_failures.pop(0)
                return status, "application/json", {"error": f"simulated {status}"}
            self.scores.append((self.url(path.removesuffix("/scores")), json.loads(body)))
            return 200, "application/json", ""
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

    # --- services: OAuth2 client credentials, then bearer tokens ------------------------------------

    def _tool_signed(self, token: str, audience: str) -> dict[str, Any]:
        """The claims of a JWT the tool signed, checked against the tool's published key set."""
        kid = jwt.get_unverified_header(token).get("kid")
        keys = self.tool_keyset or requests.get(self.tool_keyset_url, timeout=10).json()
        found = [k for k in keys["keys"] if k.get("kid") == kid]
        if not found:
            raise jwt.InvalidKeyError(f"no key {kid!r} in the tool's key set")
        key = jwt.PyJWK(found[0]).key
        return jwt.decode(token, key, algorithms=["RS256"], audience=audience)

    def _token(self, form: dict[str, list[str]]) -> tuple[int, str, Any]:
        if form.get("grant_type") != ["client_credentials"] or form.get("client_assertion_type") != [
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        ]:
            return 400, "application/json", {"error": "invalid_request"}
        try:
            claims = self._tool_signed(form["client_assertion"][0], audience=self.token_url)
        except (jwt.PyJWTError, KeyError) as exc:
            return 401, "application/json", {"error": "invalid_client", "error_description": str(exc)}
        if claims.get("iss") != self.client_id or claims.get("sub") != self.client_id:
            return 401, "application/json", {"error": "invalid_client"}
        self.assertions.append(claims)
        scopes = set(form.get("scope", [""])[0].split())
        token = uuid.uuid4().hex
        self.tokens[token] = scopes
        return 200, "application/json", {"access_token": token, "token_type": "Bearer", "expires_in": 3600}

    def _authorized(self, path: str, method: str, headers: dict[str, str]) -> bool:
        token = headers.get("Authorization", "").removeprefix("Bearer ")
        scopes = self.tokens.get(token)
        if scopes is None:
            return False
        if path == "/memberships":
            return NRPS_SCOPE in scopes
        if path.endswith("/scores"):
            return AGS_SCOPE + "score" in scopes
        wanted = (
            {AGS_SCOPE + "lineitem"} if method == "POST" else {AGS_SCOPE + "lineitem", AGS_SCOPE + "lineitem.readonly"}
        )
        return bool(wanted & scopes)

    # --- deep linking ------------------------------------------------------------------------------

    def deep_linking_claims(self) -> dict[str, Any]:
        """What `claims()` takes, for a deep-linking request instead of a resource-link launch."""
        return {
            LTI + "message_type": "LtiDeepLinkingRequest",
            LTI + "resource_link": None,
            DL + "deep_linking_settings": {
                "deep_link_return_url": self.url("/deep_link_return"),
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": False,
                "data": "lms-opaque-42",
            },
        }

    def _deep_link_return(self, form: dict[str, list[str]]) -> tuple[int, str, str]:
        try:
            claims = self._tool_signed(form["JWT"][0], audience=self.issuer)
        except (jwt.PyJWTError, KeyError) as exc:
            return 400, "text/html", f"bad deep linking response: {exc}"
        if (
            claims.get("iss") != self.client_id
            or claims.get(LTI + "message_type") != "LtiDeepLinkingResponse"
            or claims.get(LTI + "deployment_id") != self.deployment_id
            or claims.get(DL + "data") != "lms-opaque-42"
        ):
            return 400, "text/html", "deep linking response for another request"
        for item in claims.get(DL + "content_items", []):
            placed = {"item": item, "resource_link_id": f"placed-{len(self.placed) + 1}", "lineitem": None}
            if "lineItem" in item:  # the LMS makes the gradebook column the tool asked for
                column = item["lineItem"] | {
                    "id": self.url(f"/lineitems/{uuid.uuid4().hex[:8]}"),
                    "resourceLinkId": placed["resource_link_id"],
                }
                self.lineitems.append(column)
                placed["lineitem"] = column["id"]
            self.placed.append(placed)
        return 200, "text/html", "placed"

    def placed_launch_claims(self, placed: dict[str, Any]) -> dict[str, Any]:
        """A later launch of a placed item: its resource link, custom parameters and line item."""
        ags: dict[str, Any] = {
            "scope": [AGS_SCOPE + "lineitem", AGS_SCOPE + "score"],
            "lineitems": self.url("/lineitems"),
        }
        if placed["lineitem"]:
            ags["lineitem"] = placed["lineitem"]
        return {
            LTI + "resource_link": {"id": placed["resource_link_id"], "title": placed["item"].get("title")},
            LTI + "custom": placed["item"].get("custom") or {},
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": ags,
        }
