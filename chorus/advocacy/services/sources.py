"""Content supply: feeds that bring drafts into the hub, and links employees suggest.

Guarantees:
- a feed is only read by the worker (`content_source_poll_task`), never in a page request;
- polling is idempotent: an entry is taken once per source (its id in the feed) and a link once
  per organization (its canonical form, `chorus.advocacy.sources.canonical_url`), whichever
  feed, colleague or editor brought it first; a concurrent poll of the same feed loses the
  unique-key race and skips the entry;
- nothing is lost: entries are recorded one by one, each with its draft in one transaction, so
  a poll that fails halfway leaves the rest for the next poll; a huge backlog is taken
  `PER_POLL` at a time (the first poll only takes the newest `FIRST_POLL`);
- the source says what happened: working, busy (rate limited, retried after the server's
  Retry-After), temporarily failing (retried with backoff) or needing attention (not retried
  until communications changes it or presses "Check now").
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from chorus.advocacy import previews
from chorus.advocacy.models import ContentItem, ContentSource, ContentSuggestion, SourceEntry
from chorus.advocacy.screening import screen_caption
from chorus.advocacy.services.base import _require_editor, is_editor
from chorus.advocacy.services.content import CaptionIn, content_create
from chorus.advocacy.sources import FeedEntry, FeedError, canonical_url, download, parse
from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, InvalidInput, NotFound
from chorus.common.uploads import validate_image
from chorus.people.models import Organization, User

logger = logging.getLogger(__name__)

FIRST_POLL = 10
PER_POLL = 50
POLL_EVERY = timedelta(minutes=30)
DEFAULT_RETRY = timedelta(minutes=15)
MAX_BACKOFF = timedelta(hours=12)
SUGGESTIONS_PER_DAY = 10
IMAGE_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif",
                    "image/webp": "webp"}


def _check_feed_url(url: str) -> str:
    url = url.strip()
    if not url.startswith(("https://", "http://")) or len(url) > 1000:
        raise InvalidInput(gettext("Enter the feed's full address, starting with https://."),
                           field="url")
    return url


def source_create(*, actor: User, name: str, url: str) -> ContentSource:
    """Add a feed; its first poll is queued for the worker."""
    _require_editor(actor)
    if not name.strip():
        raise InvalidInput(gettext("Name the source, e.g. 'Newsroom'."), field="name")
    url = _check_feed_url(url)
    try:
        with transaction.atomic():
            source = ContentSource.objects.create(
                organization=actor.org, name=name.strip()[:120], url=url, created_by=actor)
    except IntegrityError:
        raise Conflict(gettext("This feed is already a source."), field="url") from None
    audit_record(organization=actor.org, actor=actor, action="advocacy.source_added",
                 target=source, data={"url": url})
    source_check_now(actor=actor, source=source)
    return source


def source_set_active(*, actor: User, source: ContentSource, active: bool) -> ContentSource:
    _require_editor(actor)
    if source.organization_id != actor.organization_id:
        raise NotFound(gettext("No such source."))
    source.is_active = active
    # Whoever resumes a source takes it over (its drafts are written in their name).
    source.created_by = actor if active else source.created_by
    source.save(update_fields=["is_active", "created_by", "updated_at"])
    audit_record(organization=actor.org, actor=actor, action="advocacy.source_changed",
                 target=source, data={"active": active})
    return source


def source_delete(*, actor: User, source: ContentSource) -> None:
    """Remove a source. The drafts it brought stay in the hub."""
    _require_editor(actor)
    if source.organization_id != actor.organization_id:
        raise NotFound(gettext("No such source."))
    audit_record(organization=actor.org, actor=actor, action="advocacy.source_removed",
                 target=source, data={"url": source.url})
    source.delete()


def source_check_now(*, actor: User, source: ContentSource) -> None:
    """Queue a poll now (also of a source that needs attention)."""
    _require_editor(actor)
    if source.organization_id != actor.organization_id:
        raise NotFound(gettext("No such source."))
    from chorus.advocacy.tasks import content_source_poll_task

    ContentSource.objects.filter(pk=source.pk).update(next_check_at=timezone.now())
    transaction.on_commit(partial(content_source_poll_task.enqueue, source_id=source.pk,
                                  force=True))


def sources_due(*, now: object | None = None) -> list[int]:
    from django.db.models import Q

    moment = now or timezone.now()
    return list(ContentSource.objects.filter(is_active=True)
                .exclude(status=ContentSource.Status.BROKEN)
                .filter(Q(next_check_at__isnull=True) | Q(next_check_at__lte=moment))
                .values_list("pk", flat=True)[:500])


def _fail(source: ContentSource, exc: FeedError) -> None:
    now = timezone.now()
    source.last_checked_at, source.last_error = now, exc.message[:500]
    if exc.kind == "rate_limited":
        source.status = ContentSource.Status.RATE_LIMITED
        wait = (timedelta(seconds=min(exc.retry_after, 86400)) if exc.retry_after
                else DEFAULT_RETRY)
        source.next_check_at = now + wait
    elif exc.kind == "temporary":
        source.consecutive_failures += 1
        source.status = ContentSource.Status.FAILING
        source.next_check_at = now + min(DEFAULT_RETRY * 2 ** (source.consecutive_failures - 1),
                                         MAX_BACKOFF)
    else:
        source.consecutive_failures += 1
        source.status = ContentSource.Status.BROKEN
        source.next_check_at = None
    source.save()


def _caption_from(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= 180 else title[:179].rstrip() + "…"


def _store_feed_image(item: ContentItem, url: str) -> None:
    """Copy the entry's image (we serve our own images: the CSP allows no others)."""
    try:
        image = previews.fetch(url, max_bytes=previews.IMAGE_MAX_BYTES)
        mime = validate_image(SimpleUploadedFile("image", image.body), field="image",
                              max_bytes=previews.IMAGE_MAX_BYTES)
    except (previews.PreviewError, InvalidInput) as exc:
        logger.info("feed image of item %s not kept: %s", item.pk, exc)
        return
    item.preview_image.save(f"{item.pk}.{IMAGE_EXTENSIONS[mime]}", ContentFile(image.body),
                            save=False)
    item.preview_image_mime, item.preview_image_url = mime, url
    item.save(update_fields=["preview_image", "preview_image_mime", "preview_image_url",
                             "updated_at"])


def _known_canonicals(organization: Organization) -> dict[str, int]:
    known: dict[str, int] = {}
    for pk, link in ContentItem.objects.filter(organization=organization) \
            .values_list("pk", "link"):
        known.setdefault(canonical_url(link), pk)
    for url, item_id in SourceEntry.objects.filter(organization=organization,
                                                   item__isnull=False) \
            .values_list("canonical_url", "item_id"):
        known.setdefault(url, item_id)
    return known


def _take(source: ContentSource, entry: FeedEntry, known: dict[str, int]) -> str:
    """Record one entry; 'new', 'duplicate', 'seen' (another poll took it) or 'failed'."""
    duplicate = known.get(entry.canonical_url)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = SourceEntry.objects.create(
                    organization=source.organization, source=source, guid=entry.guid,
                    canonical_url=entry.canonical_url, title=entry.title,
                    duplicate_of_id=duplicate)
        except IntegrityError:
            return "seen"
        if duplicate:
            return "duplicate"
        title = entry.title or _caption_from(entry.summary)[:80] or entry.link
        try:
            item = content_create(
                actor=source.created_by, title=title[:200],
                body=entry.summary or title, link=entry.link,
                captions=[CaptionIn(network="linkedin", text=_caption_from(title)),
                          CaptionIn(network="mastodon", text=_caption_from(title))],
            )
        except InvalidInput as exc:
            record.error = exc.message[:300]
            record.save(update_fields=["error", "updated_at"])
            return "failed"
        record.item = item
        record.save(update_fields=["item", "updated_at"])
    known[entry.canonical_url] = item.pk
    if entry.image_url:
        _store_feed_image(item, entry.image_url)
    return "new"


def source_poll(*, source_id: int, force: bool = False) -> ContentSource | None:
    """Read one feed and turn its new entries into drafts (see the module's guarantees)."""
    source = ContentSource.objects.select_related("organization", "created_by") \
        .filter(pk=source_id).first()
    if source is None or not source.is_active:
        return source
    now = timezone.now()
    if not force and (source.status == ContentSource.Status.BROKEN
                      or (source.next_check_at and source.next_check_at > now)):
        return source
    if not is_editor(source.created_by) or not source.created_by.is_active:
        _fail(source, FeedError(
            "The person who added this source is no longer in communications. Pause and "
            "resume it to take it over.", kind="permanent"))
        return source
    try:
        fetched = download(source.url, etag=source.etag, last_modified=source.last_modified)
        entries = parse(fetched.body, base_url=source.url) if fetched.body is not None else []
    except FeedError as exc:
        _fail(source, exc)
        return source
    first = not SourceEntry.objects.filter(source=source).exists()
    seen = set(SourceEntry.objects.filter(source=source, guid__in=[e.guid for e in entries])
               .values_list("guid", flat=True))
    unseen = [e for e in entries if e.guid not in seen]
    batch = unseen[:FIRST_POLL if first else PER_POLL]
    known = _known_canonicals(source.organization)
    counts = {"new": 0, "duplicate": 0, "seen": 0, "failed": 0}
    for entry in reversed(batch):  # oldest first, so the hub lists them in feed order
        counts[_take(source, entry, known)] += 1
    left = len(unseen) - len(batch)
    if first and left:
        # A new source's history is not imported, but recorded, so it is never taken later
        # and communications can see what was skipped.
        SourceEntry.objects.bulk_create([
            SourceEntry(organization=source.organization, source=source, guid=e.guid,
                        canonical_url=e.canonical_url, title=e.title,
                        error="Older than the source: not imported.")
            for e in unseen[len(batch):]
        ], ignore_conflicts=True)
    parts = [f"{counts['new']} new draft{'s' if counts['new'] != 1 else ''}"]
    if counts["duplicate"]:
        parts.append(f"{counts['duplicate']} already in the hub")
    if counts["failed"]:
        parts.append(f"{counts['failed']} could not become drafts (see below)")
    if left and not first:
        parts.append(f"{left} more at the next check")
    elif left:
        parts.append(f"{left} older entries skipped on the first check")
    if fetched.body is None:
        parts = ["Nothing changed since the last check"]
    source.status, source.last_error, source.consecutive_failures = \
        ContentSource.Status.OK, "", 0
    source.last_checked_at = source.last_success_at = now
    source.next_check_at = now + (timedelta(minutes=1) if left and not first else POLL_EVERY)
    source.etag, source.last_modified = fetched.etag, fetched.last_modified
    source.last_result = "; ".join(parts)[:300]
    source.save()
    return source


# ----------------------------------------------------------------------- employee suggestions


def suggestion_create(*, actor: User, url: str, note: str = "") -> ContentSuggestion:
    """Suggest a link for the hub. The note is screened like a caption: a note the policy
    would block is refused with the reasons; anything else waits for communications."""
    if actor.organization_id is None:
        raise InvalidInput(gettext("Your account belongs to no organization."))
    url = url.strip()
    if not url.startswith(("https://", "http://")) or len(url) > 1000:
        raise InvalidInput(gettext("Paste the full link, starting with https://."), field="url")
    note = note.strip()
    if len(note) > 1000:
        raise InvalidInput(gettext("Keep the note under 1000 characters."), field="note")
    since = timezone.now() - timedelta(days=1)
    if ContentSuggestion.objects.filter(suggester=actor, created_at__gte=since).count() \
            >= SUGGESTIONS_PER_DAY:
        raise InvalidInput(
            gettext(
                "You can suggest up to %(SUGGESTIONS_PER_DAY)s links a day. Thank you for all "
                "of them; try again tomorrow."
            )
            % {"SUGGESTIONS_PER_DAY": SUGGESTIONS_PER_DAY},
            field="url",
        )
    canonical = canonical_url(url)
    if ContentSuggestion.objects.filter(organization=actor.org, canonical_url=canonical,
                                        status=ContentSuggestion.Status.PENDING).exists():
        raise Conflict(
            gettext("Someone already suggested this link; communications will look at it."),
            field="url",
        )
    verdict, findings = "allow", []
    if note:
        result = screen_caption(organization=actor.org, text=note, network="linkedin",
                                author=actor)
        verdict = result.verdict
        findings = [f.message for f in result.findings][:10]
        if verdict == "block":
            raise InvalidInput("The note cannot be sent as written: " + "; ".join(findings)
                               + " Change the note, or leave it empty.", field="note")
    suggestion = ContentSuggestion.objects.create(
        organization=actor.org, suggester=actor, url=url, canonical_url=canonical, note=note,
        verdict=verdict, findings=findings)
    audit_record(organization=actor.org, actor=actor, action="advocacy.suggestion_created",
                 target=suggestion, data={"verdict": verdict})
    return suggestion


def _pending(actor: User, suggestion: ContentSuggestion) -> ContentSuggestion:
    _require_editor(actor)
    if suggestion.organization_id != actor.organization_id:
        raise NotFound(gettext("No such suggestion."))
    fresh = ContentSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if fresh.status != ContentSuggestion.Status.PENDING:
        raise Conflict(
            gettext("This suggestion was already %(get_status_display)s.")
            % {"get_status_display": fresh.get_status_display().lower()}
        )
    return fresh


@transaction.atomic
def suggestion_accept(*, actor: User, suggestion: ContentSuggestion, title: str,
                      caption: str = "") -> ContentItem:
    """Turn a suggestion into a draft credited to the suggester (the usual review follows)."""
    suggestion = _pending(actor, suggestion)
    if not title.strip():
        raise InvalidInput(
            gettext("Give the draft a title employees will recognise."), field="title"
        )
    item = content_create(
        actor=actor, title=title.strip(), body=suggestion.note or title.strip(),
        link=suggestion.url,
        captions=[CaptionIn(network="linkedin", text=caption.strip() or _caption_from(title)),
                  CaptionIn(network="mastodon", text=caption.strip() or _caption_from(title))],
    )
    suggestion.status, suggestion.item = ContentSuggestion.Status.ACCEPTED, item
    suggestion.decided_by, suggestion.decided_at = actor, timezone.now()
    suggestion.save()
    audit_record(organization=actor.org, actor=actor, action="advocacy.suggestion_accepted",
                 target=suggestion, data={"item": item.pk})
    return item


@transaction.atomic
def suggestion_decline(*, actor: User, suggestion: ContentSuggestion,
                       note: str = "") -> ContentSuggestion:
    suggestion = _pending(actor, suggestion)
    suggestion.status = ContentSuggestion.Status.DECLINED
    suggestion.decided_by, suggestion.decided_at = actor, timezone.now()
    suggestion.decision_note = note.strip()[:500]
    suggestion.save()
    audit_record(organization=actor.org, actor=actor, action="advocacy.suggestion_declined",
                 target=suggestion, data={})
    return suggestion


def suggestion_published(*, item: ContentItem) -> None:
    """Tell the suggester their link is now in the feed (called when the item is approved)."""
    suggestion = ContentSuggestion.objects.filter(item=item).select_related("suggester").first()
    if suggestion is None:
        return
    from django.urls import reverse

    from chorus.notifications.services import notify

    notify(kind="advocacy.suggestion_published", recipients=[suggestion.suggester],
           organization=item.organization, title=f"Your suggestion is live: {item.title}",
           body="Communications published the link you suggested. Thank you!",
           link=reverse("advocacy:share", args=[item.pk]),
           dedupe_key=f"advocacy.suggestion_published:{suggestion.pk}")
