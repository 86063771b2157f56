"""Images on monitored posts: downloaded by the worker, read with real Tesseract, screened;
findings point at the image and its word boxes."""

import io

import pytest
from PIL import Image, ImageDraw, ImageFont

from chorus.connectors.base import RemoteMedia
from chorus.connectors.bluesky.adapter import record_to_post
from chorus.connectors.mastodon.adapter import status_to_post
from chorus.connectors.testing import LocalHttpServer
from chorus.monitoring.models import IngestedPost, MonitoringAlert, PostImage
from chorus.monitoring.services import account_poll

from .conftest import link_fake

pytestmark = pytest.mark.django_db


def picture(text: str) -> bytes:
    img = Image.new("RGB", (900, 100), "white")
    ImageDraw.Draw(img).text(
        (20, 25), text, fill="black", font=ImageFont.truetype("DejaVuSans.ttf", 36)
    )
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def images_server():
    files = {
        "/whiteboard.png": picture("wifi password hunter2"),
        "/broken.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 200,
        "/clean.png": picture("Lovely team offsite"),
    }

    def route(path, query):
        if path in files:
            return 200, {"Content-Type": "image/png"}, files[path]
        return 404, {"Content-Type": "text/plain"}, b"not found"

    with LocalHttpServer(route) as server:
        yield server


def publish_with(fake, profile, server, *paths, text="Our whiteboard today"):
    media = tuple(RemoteMedia(url=f"{server.url}{p}", description="") for p in paths)
    fake.publish(profile.external_id, text, media=media)


def test_text_in_an_attached_image_is_screened_and_points_to_the_region(
    employee,
    monitoring_on,
    fake_net,
    images_server,
    outbound_to_loopback,
    django_capture_on_commit_callbacks,
):
    account, profile = link_fake(employee, fake_net)
    publish_with(fake_net, profile, images_server, "/whiteboard.png")
    with django_capture_on_commit_callbacks(execute=True):
        assert account_poll(account_id=account.pk).ok
    post = IngestedPost.objects.get()
    image = PostImage.objects.get(post=post)
    assert image.status == "done", image.error
    assert "hunter2" in image.text
    finding = next(f for f in post.findings if f.get("image") == image.pk)
    assert finding["category"] == "secret"
    (box,) = finding["regions"]
    left, top, width, height = box["px"]
    assert 0 <= left < image.width and 0 <= top < image.height and width > 0 and height > 0
    assert post.verdict == "block"
    alert = MonitoringAlert.objects.get(post=post)
    assert alert.severity == "critical"


def test_a_clean_image_adds_nothing(
    employee,
    monitoring_on,
    fake_net,
    images_server,
    outbound_to_loopback,
    django_capture_on_commit_callbacks,
):
    account, profile = link_fake(employee, fake_net)
    publish_with(fake_net, profile, images_server, "/clean.png")
    with django_capture_on_commit_callbacks(execute=True):
        account_poll(account_id=account.pk)
    image = PostImage.objects.get()
    assert image.status == "done" and "offsite" in image.text.lower()
    assert IngestedPost.objects.get().findings == []
    assert not MonitoringAlert.objects.exists()


def test_broken_and_missing_images_fail_clearly_and_the_post_is_kept(
    employee,
    monitoring_on,
    fake_net,
    images_server,
    outbound_to_loopback,
    django_capture_on_commit_callbacks,
):
    account, profile = link_fake(employee, fake_net)
    publish_with(fake_net, profile, images_server, "/broken.png", "/gone.png")
    with django_capture_on_commit_callbacks(execute=True):
        account_poll(account_id=account.pk)
    broken, gone = PostImage.objects.order_by("position")
    assert broken.status == "failed" and "damaged" in broken.error
    assert gone.status == "failed" and "HTTP 404" in gone.error
    assert IngestedPost.objects.get().text == "Our whiteboard today"


def test_images_on_private_addresses_are_never_downloaded(
    employee,
    monitoring_on,
    fake_net,
    images_server,
    django_capture_on_commit_callbacks,
):
    account, profile = link_fake(employee, fake_net)  # no outbound_to_loopback: refused
    publish_with(fake_net, profile, images_server, "/whiteboard.png")
    with django_capture_on_commit_callbacks(execute=True):
        account_poll(account_id=account.pk)
    image = PostImage.objects.get()
    assert image.status == "failed" and "could not be downloaded" in image.error
    assert images_server.requests == []


def test_mastodon_and_bluesky_posts_carry_their_images():
    status = {
        "id": "1",
        "created_at": "2026-01-01T00:00:00Z",
        "content": "<p>hi</p>",
        "media_attachments": [
            {"type": "image", "url": "https://files.example/a.png", "description": "desk"},
            {"type": "video", "url": "https://files.example/b.mp4"},
        ],
    }
    assert status_to_post(status).media == (RemoteMedia("https://files.example/a.png", "desk"),)
    from datetime import UTC, datetime

    record = {
        "text": "hi",
        "createdAt": "2026-01-01T00:00:00Z",
        "embed": {
            "$type": "app.bsky.embed.images",
            "images": [
                {
                    "alt": "badge",
                    "image": {
                        "$type": "blob",
                        "ref": {"$link": "bafkreiabc123"},
                        "mimeType": "image/jpeg",
                        "size": 100,
                    },
                }
            ],
        },
    }
    post = record_to_post(did="did:plc:xyz", rkey="3k", record=record, fallback=datetime.now(UTC))
    assert post.media == (
        RemoteMedia(
            "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:xyz/bafkreiabc123@jpeg", "badge"
        ),
    )
