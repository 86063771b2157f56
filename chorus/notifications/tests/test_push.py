"""Web Push: a real encrypted payload (RFC 8291 aes128gcm) posted to a local push endpoint the
test starts, decrypted there with the subscription keys the test generated (http_ece)."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from chorus.notifications.kinds import PUSH, NotificationKind, register_kind
from chorus.notifications.models import Delivery, PushSubscription
from chorus.notifications.push import generate_vapid_private_key, vapid_public_key
from chorus.notifications.services import notify, preference_update

PLAIN = register_kind(NotificationKind("tests.push_plain", "A push test", default_channels=(PUSH,)))
SECRET = register_kind(NotificationKind(
    "tests.push_secret", "A sensitive push test", sensitive=True, default_channels=(PUSH,),
    neutral_title="Something needs you in Chorus",
))  # fmt: skip

pytestmark = pytest.mark.django_db


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class PushService:
    """A push service on 127.0.0.1: records each request; answers `status` (201 default)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 201
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                service.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                         "body": self.rfile.read(length)})
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def push_service(settings, outbound_to_loopback):
    settings.WEBPUSH_VAPID_PRIVATE_KEY = generate_vapid_private_key()
    settings.WEBPUSH_VAPID_SUBJECT = "mailto:ops@northwind.example"
    settings.WEBPUSH_ALLOW_HTTP_ENDPOINTS = True  # the local push service speaks plain http
    service = PushService()
    yield service
    service.server.shutdown()


def _device():
    """What a browser makes: a P-256 key pair and a 16-byte auth secret."""
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return private, _b64(public), _b64(b"0123456789abcdef"), b"0123456789abcdef"


def _subscribe(api_client, user, endpoint, p256dh, auth):
    return api_client(user).post(
        "/api/v1/notifications/push/subscriptions",
        data=json.dumps({"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}),
        content_type="application/json",
    )


def test_a_push_arrives_encrypted_and_decrypts_with_the_subscription_keys(
    org, employee, api_client, push_service, django_capture_on_commit_callbacks
):
    private, p256dh, auth, secret = _device()
    response = _subscribe(api_client, employee, f"{push_service.url}/push/dev1", p256dh, auth)
    assert response.status_code == 201, response.content

    with django_capture_on_commit_callbacks(execute=True):
        notify(kind="tests.push_plain", recipients=[employee], organization=org,
               title="New to share: the spring launch", body="Two captions ready.",
               link="/advocacy/")  # fmt: skip

    [request] = push_service.requests
    assert request["path"] == "/push/dev1"
    assert request["headers"]["content-encoding"] == "aes128gcm"
    payload = http_ece.decrypt(request["body"], private_key=private, auth_secret=secret,
                               version="aes128gcm")  # fmt: skip
    data = json.loads(payload)
    assert data["title"] == "New to share: the spring launch"
    assert data["body"] == "Two captions ready." and data["url"].endswith("/advocacy/")
    # The VAPID signature verifies with the server's public key.
    vapid = request["headers"]["authorization"]
    assert vapid.startswith("vapid t=")
    token = vapid.split("t=", 1)[1].split(",")[0]
    key = vapid.split("k=", 1)[1]
    assert key == vapid_public_key()
    signed, signature = token.rsplit(".", 1)
    raw = base64.urlsafe_b64decode(signature + "==")
    public = ec.EllipticCurvePublicKey.from_encoded_point(
        ec.SECP256R1(), base64.urlsafe_b64decode(key + "==")
    )
    public.verify(  # raises InvalidSignature if the server signed with another key
        encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
        signed.encode(), ec.ECDSA(hashes.SHA256()),
    )
    claims = json.loads(base64.urlsafe_b64decode(signed.split(".")[1] + "=="))
    assert claims["aud"] == push_service.url and claims["sub"] == "mailto:ops@northwind.example"
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_a_sensitive_push_carries_only_the_neutral_title(
    org, hr, api_client, push_service, django_capture_on_commit_callbacks
):
    private, p256dh, auth, secret = _device()
    _subscribe(api_client, hr, f"{push_service.url}/push/hr", p256dh, auth)
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind="tests.push_secret", recipients=[hr], organization=org,
               title="Harassment report about Emery", body="Details", link="/reports/3/")
    data = json.loads(http_ece.decrypt(push_service.requests[0]["body"], private_key=private,
                                       auth_secret=secret, version="aes128gcm"))
    assert data["title"] == "Something needs you in Chorus" and data["body"] == ""
    assert "Emery" not in json.dumps(data)


@pytest.mark.parametrize("status", [404, 410])
def test_an_expired_subscription_is_removed(
    status, org, employee, api_client, push_service, django_capture_on_commit_callbacks
):
    _, p256dh, auth, _ = _device()
    _subscribe(api_client, employee, f"{push_service.url}/push/gone", p256dh, auth)
    push_service.status = status
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind="tests.push_plain", recipients=[employee], organization=org, title="Hi")
    assert not PushSubscription.objects.exists()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SKIPPED


def test_a_push_service_error_is_retried(
    org, employee, api_client, push_service, django_capture_on_commit_callbacks
):
    _, p256dh, auth, _ = _device()
    _subscribe(api_client, employee, f"{push_service.url}/push/busy", p256dh, auth)
    push_service.status = 503
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind="tests.push_plain", recipients=[employee], organization=org, title="Hi")
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.RETRYING and "503" in delivery.last_error
    assert PushSubscription.objects.count() == 1


def test_bad_subscriptions_are_clear_422s_and_devices_are_per_person(
    org, employee, employee2, outsider, api_client, push_service
):
    _, p256dh, auth, _ = _device()
    bad = _subscribe(api_client, employee, f"{push_service.url}/x", "bm90LWEta2V5", auth)
    assert bad.status_code == 422 and "p256dh" in bad.json()["detail"]
    bad = _subscribe(api_client, employee, "ftp://push.example/x", p256dh, auth)
    assert bad.status_code == 422 and "https" in bad.json()["detail"]
    ok = _subscribe(api_client, employee, f"{push_service.url}/mine", p256dh, auth).json()
    for other in (employee2, outsider):
        gone = api_client(other).delete(f"/api/v1/notifications/push/subscriptions/{ok['id']}")
        assert gone.status_code == 404
    assert api_client(employee).delete(
        f"/api/v1/notifications/push/subscriptions/{ok['id']}").status_code == 204


def test_push_is_a_channel_people_can_choose_once_a_key_exists(employee, push_service):
    pref = preference_update(user=employee, channels={"tests.push_plain": ["push", "email"]})
    assert pref.channels["tests.push_plain"] == ["push", "email"]


def test_the_vapid_keys_command_creates_a_key_file_once(settings, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    settings.WEBPUSH_VAPID_PRIVATE_KEY = ""
    settings.WEBPUSH_VAPID_KEY_FILE = tmp_path / "vapid.key"
    out = StringIO()
    call_command("vapid_keys", stdout=out)
    assert "Created" in out.getvalue()
    key = (tmp_path / "vapid.key").read_text().strip()
    assert (tmp_path / "vapid.key").stat().st_mode & 0o777 == 0o600
    call_command("vapid_keys", stdout=out)
    assert (tmp_path / "vapid.key").read_text().strip() == key  # never replaced
    assert len(base64.urlsafe_b64decode(vapid_public_key() + "==")) == 65
