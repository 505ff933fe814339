"""Security keys (WebAuthn) as the second factor.

The browser test enrols and uses a key in Debian's Chromium with a CDP virtual authenticator,
through the real pages and the static script. The test-client tests use a small software key
(P-256, "none" attestation) to make answers the server must accept or refuse.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from typing import Any
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from webauthn.helpers import bytes_to_base64url, encode_cbor

from hotline.accounts.models import AuthenticatorApp, User, WebAuthnCredential
from hotline.audit.models import AuditEntry

PASSWORD = "correct horse battery staple 42"
RP_ID = "localhost"
ORIGIN = "http://localhost:8000"

REGISTER_PAGE = "/staff/2fa/keys/register/"
REGISTER_OPTIONS = "/staff/2fa/keys/register/options/"
REGISTER_VERIFY = "/staff/2fa/keys/register/verify/"
SIGNIN_PAGE = "/staff/2fa/keys/"
SIGNIN_OPTIONS = "/staff/2fa/keys/options/"
SIGNIN_VERIFY = "/staff/2fa/keys/verify/"
JSON_ENDPOINTS = [REGISTER_OPTIONS, REGISTER_VERIFY, SIGNIN_OPTIONS, SIGNIN_VERIFY]


# --- A software security key ------------------------------------------------------------------


class SoftKey:
    """Enough of an authenticator to answer WebAuthn options the way a browser passes them on."""

    def __init__(self, rp_id: str = RP_ID, origin: str = ORIGIN) -> None:
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.sign_count = 0
        self.rp_id_hash = hashlib.sha256(rp_id.encode()).digest()
        self.origin = origin

    def _client_data(self, kind: str, options: dict[str, Any]) -> bytes:
        return json.dumps({"type": kind, "challenge": options["challenge"],
                           "origin": self.origin, "crossOrigin": False}).encode()

    def create(self, options: dict[str, Any]) -> dict[str, Any]:
        numbers = self.private.public_key().public_numbers()
        cose_key = encode_cbor({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                                -3: numbers.y.to_bytes(32, "big")})
        auth_data = (self.rp_id_hash + bytes([0x01 | 0x04 | 0x40])  # UP, UV, AT
                     + self.sign_count.to_bytes(4, "big") + bytes(16)
                     + len(self.credential_id).to_bytes(2, "big") + self.credential_id + cose_key)
        attestation = encode_cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        cid = bytes_to_base64url(self.credential_id)
        return {"id": cid, "rawId": cid, "type": "public-key", "clientExtensionResults": {},
                "response": {
                    "clientDataJSON": bytes_to_base64url(
                        self._client_data("webauthn.create", options)),
                    "attestationObject": bytes_to_base64url(attestation),
                }}

    def get(self, options: dict[str, Any], sign_count: int | None = None) -> dict[str, Any]:
        self.sign_count = self.sign_count + 1 if sign_count is None else sign_count
        auth_data = (self.rp_id_hash + bytes([0x01 | 0x04])
                     + self.sign_count.to_bytes(4, "big"))
        client_data = self._client_data("webauthn.get", options)
        signature = self.private.sign(auth_data + hashlib.sha256(client_data).digest(),
                                      ec.ECDSA(hashes.SHA256()))
        cid = bytes_to_base64url(self.credential_id)
        return {"id": cid, "rawId": cid, "type": "public-key", "clientExtensionResults": {},
                "response": {
                    "clientDataJSON": bytes_to_base64url(client_data),
                    "authenticatorData": bytes_to_base64url(auth_data),
                    "signature": bytes_to_base64url(signature),
                }}


# --- Helpers ----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def webauthn_settings(settings: Any) -> None:
    settings.WEBAUTHN_RP_ID = RP_ID
    settings.WEBAUTHN_ORIGINS = [ORIGIN]


def make_user(email: str = "analyst@hub.example.test") -> User:
    return User.objects.create_user(email, PASSWORD, role="analyst")


def password_client(user: User) -> Client:
    """Signed in with the password only, as on the way to the second-factor page."""
    client = Client()
    client.force_login(user)
    return client


def post_json(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def enrol(client: Client, key: SoftKey, next_url: str = "") -> Any:
    options = post_json(client, REGISTER_OPTIONS).json()
    return post_json(client, REGISTER_VERIFY, {"credential": key.create(options),
                                               "next": next_url})


def key_for(user: User) -> SoftKey:
    """A user with one registered key (enrolled through the endpoints)."""
    key = SoftKey()
    assert enrol(password_client(user), key).status_code == 200
    return key


def actions(user: User) -> list[tuple[str, dict[str, Any]]]:
    return [(e.action, e.details) for e in AuditEntry.objects.filter(actor=user).order_by("id")]


def is_verified(client: Client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


# --- Who may use the endpoints ----------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_visitors_are_refused() -> None:
    client = Client()
    for url in JSON_ENDPOINTS:
        response = post_json(client, url)
        assert response.status_code == 403, url
        assert response.json()["error"], url
    for url in (REGISTER_PAGE, SIGNIN_PAGE):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/staff/login/")
    assert not WebAuthnCredential.objects.exists()


@pytest.mark.django_db
def test_the_json_endpoints_need_the_csrf_token() -> None:
    user = make_user()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    for url in JSON_ENDPOINTS:
        assert post_json(client, url).status_code == 403, url


@pytest.mark.django_db
def test_only_post_for_json_and_get_for_pages() -> None:
    client = password_client(make_user())
    for url in JSON_ENDPOINTS:
        assert client.get(url).status_code == 405, url
    assert client.post(REGISTER_PAGE).status_code == 405


@pytest.mark.django_db
def test_a_password_alone_cannot_add_a_key_to_an_account_with_a_second_factor() -> None:
    user = make_user()
    AuthenticatorApp.objects.create(user=user, name="app", confirmed=True)
    client = password_client(user)

    response = client.get(REGISTER_PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/staff/2fa/?")
    assert post_json(client, REGISTER_OPTIONS).status_code == 403
    key = SoftKey()
    response = post_json(client, REGISTER_VERIFY, {"credential": key.create(
        {"challenge": bytes_to_base64url(os.urandom(32))})})
    assert response.status_code == 403
    assert not WebAuthnCredential.objects.exists()
    assert not is_verified(client)


@pytest.mark.django_db
def test_signin_endpoints_need_a_registered_key() -> None:
    client = password_client(make_user())
    response = client.get(SIGNIN_PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/staff/2fa/")
    assert post_json(client, SIGNIN_OPTIONS).status_code == 403


@pytest.mark.django_db
def test_a_key_is_not_enough_without_using_it() -> None:
    user = make_user()
    key_for(user)
    client = password_client(user)

    response = client.get("/staff/cases/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/2fa/?next=")
    page = client.get("/staff/2fa/?next=/staff/cases/")
    assert 'href="/staff/2fa/keys/?next=/staff/cases/"' in page.content.decode()


# --- Enrolment and sign-in --------------------------------------------------------------------


@pytest.mark.django_db
def test_enrol_then_sign_in_with_a_key() -> None:
    user = make_user()
    key = SoftKey()
    client = password_client(user)

    response = enrol(client, key, next_url="/staff/cases/")
    assert response.status_code == 200
    assert response.json() == {"redirect": "/staff/cases/"}
    stored = WebAuthnCredential.objects.get(user=user)
    assert bytes(stored.credential_id) == key.credential_id
    assert is_verified(client)
    assert client.get("/staff/cases/").status_code == 200
    assert actions(user) == [("2fa.enrol", {"factor": "webauthn"}),
                             ("signin", {"factor": "webauthn"})]

    client = password_client(user)  # a new sign-in
    assert client.get(SIGNIN_PAGE).status_code == 200
    options = post_json(client, SIGNIN_OPTIONS).json()
    assert options["rpId"] == RP_ID
    assert [c["id"] for c in options["allowCredentials"]] == [
        bytes_to_base64url(key.credential_id)]
    response = post_json(client, SIGNIN_VERIFY, {"credential": key.get(options),
                                                 "next": "/staff/cases/"})
    assert response.status_code == 200
    assert response.json() == {"redirect": "/staff/cases/"}
    assert client.get("/staff/cases/").status_code == 200
    stored.refresh_from_db()
    assert stored.sign_count == 1 and stored.last_used is not None
    assert actions(user)[-1] == ("signin", {"factor": "webauthn"})


@pytest.mark.django_db
def test_a_verified_user_may_add_another_key() -> None:
    user = make_user()
    key_for(user)
    client = password_client(user)
    # Not verified yet: adding a key is refused.
    assert post_json(client, REGISTER_OPTIONS).status_code == 403

    # Verified with an authenticator app instead, then adding a second key is fine.
    device = AuthenticatorApp.objects.create(user=user, name="app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    options = post_json(client, REGISTER_OPTIONS).json()
    assert len(options["excludeCredentials"]) == 1
    response = post_json(client, REGISTER_VERIFY, {"credential": SoftKey().create(options)})
    assert response.status_code == 200
    assert WebAuthnCredential.objects.filter(user=user).count() == 2
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert actions(user)[-1] == ("2fa.enrol", {"factor": "webauthn"})


@pytest.mark.django_db
def test_next_stays_on_the_staff_side() -> None:
    user = make_user()
    key = key_for(user)
    for target, expected in [("https://evil.example/staff/", "/staff/"),
                             ("//evil.example/staff/", "/staff/"),
                             ("/gm/en/", "/staff/"),
                             ("/staff/cases/?status=all", "/staff/cases/?status=all")]:
        client = password_client(user)
        options = post_json(client, SIGNIN_OPTIONS).json()
        response = post_json(client, SIGNIN_VERIFY, {"credential": key.get(options),
                                                     "next": target})
        assert response.json()["redirect"] == expected, target


# --- Refused answers --------------------------------------------------------------------------


def assert_refused(response: Any, user: User, reason: str) -> None:
    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]
    action, details = actions(user)[-1]
    assert action == "signin.failed"
    assert details == {"step": "webauthn", "reason": reason}


@pytest.mark.django_db
def test_a_replayed_answer_is_refused() -> None:
    user = make_user()
    key = key_for(user)
    client = password_client(user)
    options = post_json(client, SIGNIN_OPTIONS).json()
    answer = key.get(options)
    assert post_json(client, SIGNIN_VERIFY, {"credential": answer}).status_code == 200

    # The same answer again, in a new sign-in: the challenge was used up.
    client = password_client(user)
    assert_refused(post_json(client, SIGNIN_VERIFY, {"credential": answer}), user,
                   "no-challenge")
    # Even with a fresh challenge handed out, the old answer does not match it.
    post_json(client, SIGNIN_OPTIONS)
    assert_refused(post_json(client, SIGNIN_VERIFY, {"credential": answer}), user, "invalid")
    assert not is_verified(client)
    assert client.get("/staff/cases/").status_code == 302


@pytest.mark.django_db
def test_a_bad_signature_is_refused() -> None:
    user = make_user()
    key = key_for(user)
    client = password_client(user)
    answer = key.get(post_json(client, SIGNIN_OPTIONS).json())
    answer["response"]["signature"] = bytes_to_base64url(os.urandom(70))
    assert_refused(post_json(client, SIGNIN_VERIFY, {"credential": answer}), user, "invalid")
    assert not is_verified(client)


@pytest.mark.django_db
def test_an_answer_from_another_site_is_refused() -> None:
    user = make_user()
    key = key_for(user)
    key.origin = "http://localhost.evil.example"
    client = password_client(user)
    answer = key.get(post_json(client, SIGNIN_OPTIONS).json())
    assert_refused(post_json(client, SIGNIN_VERIFY, {"credential": answer}), user, "invalid")


@pytest.mark.django_db
def test_a_sign_count_going_backwards_is_refused() -> None:
    user = make_user()
    key = key_for(user)
    WebAuthnCredential.objects.filter(user=user).update(sign_count=10)
    client = password_client(user)
    answer = key.get(post_json(client, SIGNIN_OPTIONS).json(), sign_count=5)
    response = post_json(client, SIGNIN_VERIFY, {"credential": answer})
    assert 400 <= response.status_code < 500
    assert actions(user)[-1][0] == "signin.failed"
    assert WebAuthnCredential.objects.get(user=user).sign_count == 10
    assert not is_verified(client)


@pytest.mark.django_db
def test_another_users_key_is_refused() -> None:
    user, other = make_user(), make_user("other@hub.example.test")
    key_for(user)
    other_key = key_for(other)
    client = password_client(user)
    answer = other_key.get(post_json(client, SIGNIN_OPTIONS).json())
    assert_refused(post_json(client, SIGNIN_VERIFY, {"credential": answer}), user,
                   "unknown-key")


@pytest.mark.django_db
def test_garbage_is_refused() -> None:
    user = make_user()
    key_for(user)
    client = password_client(user)
    post_json(client, SIGNIN_OPTIONS)
    response = client.post(SIGNIN_VERIFY, "not json", content_type="application/json")
    assert_refused(response, user, "malformed")
    post_json(client, SIGNIN_OPTIONS)
    response = post_json(client, SIGNIN_VERIFY, {"credential": {"rawId": 5}})
    assert_refused(response, user, "malformed")

    # Registration refuses garbage too, without storing anything.
    other = password_client(make_user("new@hub.example.test"))
    post_json(other, REGISTER_OPTIONS)
    response = post_json(other, REGISTER_VERIFY, {"credential": {"id": "x"}})
    assert response.status_code == 400 and response.json()["error"]
    assert WebAuthnCredential.objects.count() == 1


@pytest.mark.django_db
def test_failures_count_towards_the_sign_in_throttle(settings: Any) -> None:
    settings.SIGNIN_MAX_FAILURES = 3
    user = make_user()
    key = key_for(user)
    client = password_client(user)
    for _ in range(3):
        answer = key.get(post_json(client, SIGNIN_OPTIONS).json())
        answer["response"]["signature"] = bytes_to_base64url(os.urandom(70))
        assert post_json(client, SIGNIN_VERIFY, {"credential": answer}).status_code == 400
    # Locked: even a good answer is not looked at now.
    assert post_json(client, SIGNIN_OPTIONS).status_code == 429
    response = post_json(client, SIGNIN_VERIFY, {"credential": key.get({"challenge": "AA"})})
    assert response.status_code == 429 and response.json()["error"]
    assert not is_verified(client)
    # The authenticator-app form shares the same lock.
    assert client.post("/staff/2fa/", {"token": "123456"}).status_code == 429


# --- Without JavaScript -----------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_explain_that_keys_need_javascript() -> None:
    user = make_user()
    page = password_client(user).get(REGISTER_PAGE + "?next=/staff/cases/").content.decode()
    assert "needs JavaScript" in page
    assert 'href="/staff/2fa/setup/?next=/staff/cases/"' in page
    assert "<script src=\"/static/staff/webauthn.js\" defer>" in page
    assert "<script>" not in page

    key_for(user)
    AuthenticatorApp.objects.create(user=user, name="app", confirmed=True)
    page = password_client(user).get(SIGNIN_PAGE + "?next=/staff/cases/").content.decode()
    assert "needs JavaScript" in page
    assert 'href="/staff/2fa/?next=/staff/cases/"' in page


# --- In a real browser ------------------------------------------------------------------------




@pytest.fixture
def site(live_server: Any, transactional_db: None, settings: Any) -> str:
    """The live server as http://localhost:PORT, the origin security keys are bound to."""
    port = urlsplit(live_server.url).port
    origin = f"http://localhost:{port}"
    settings.WEBAUTHN_RP_ID = "localhost"
    settings.WEBAUTHN_ORIGINS = [origin]
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    return origin


def password_sign_in(page: Any, site: str, email: str) -> None:
    page.goto(f"{site}/staff/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()


@pytest.mark.browser
def test_enrol_a_key_and_sign_in_with_it_in_chromium(browser: Any, site: str) -> None:
    from playwright.sync_api import expect

    user = make_user()
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    # Script errors and CSP violations; the browser's own request for /favicon.ico may 404.
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and "favicon" not in m.location.get("url", "") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "usb", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True}})["authenticatorId"]
    try:
        # First sign-in: no second factor yet, so the set-up page; choose a key there.
        password_sign_in(page, site, user.email)
        expect(page).to_have_url(f"{site}/staff/2fa/setup/?next=/staff/")
        page.get_by_role("link", name="Use a security key instead").click()
        expect(page).to_have_url(f"{site}/staff/2fa/keys/register/?next=/staff/")
        expect(page.get_by_text("needs JavaScript")).to_be_hidden()
        page.get_by_role("button", name="Register a security key").click()
        expect(page).to_have_url(f"{site}/staff/cases/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Queue")

        stored = WebAuthnCredential.objects.get(user=user)
        credentials = cdp.send("WebAuthn.getCredentials",
                               {"authenticatorId": authenticator})["credentials"]
        assert [base64.b64decode(c["credentialId"]) for c in credentials] == [
            bytes(stored.credential_id)]

        page.get_by_role("button", name="Sign out").click()
        expect(page).to_have_url(f"{site}/staff/login/")

        # Second sign-in: password, then the key.
        password_sign_in(page, site, user.email)
        expect(page).to_have_url(f"{site}/staff/2fa/?next=/staff/")
        page.get_by_role("link", name="Sign in with your security key").click()
        page.get_by_role("button", name="Use my security key").click()
        expect(page).to_have_url(f"{site}/staff/cases/")
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    finally:
        context.close()

    assert problems == []
    stored.refresh_from_db()
    assert stored.last_used is not None
    assert stored.sign_count >= 1
    assert [a for a, _details in actions(user)] == [
        "2fa.enrol", "signin", "signout", "signin"]
    assert all(d == {"factor": "webauthn"} for a, d in actions(user) if a != "signout")


@pytest.mark.browser
def test_without_javascript_the_pages_say_what_to_do(browser: Any, site: str) -> None:
    from playwright.sync_api import expect

    user = make_user()
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        password_sign_in(page, site, user.email)
        page.goto(f"{site}{REGISTER_PAGE}")
        expect(page.get_by_text("Setting up a security key needs JavaScript")).to_be_visible()
        expect(page.get_by_role("button", name="Register a security key")).to_be_hidden()
        page.get_by_role("link", name="Set up an authenticator app instead").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Set up your authenticator app")
    finally:
        context.close()
