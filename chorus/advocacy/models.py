"""The content hub: items communications prepare, the captions employees start from, the
guidance they read, the shares they make and the clicks on each share's tracked link.

Privacy: a click stores no IP address and no user agent, only a hash of both salted with a
random value that is replaced every day (`ClickSalt`), so visitors can be counted once per day
but never followed from one day to the next or identified.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chorus.advocacy.networks import Network
from chorus.common.models import OrgOwnedModel


class ContentItem(OrgOwnedModel):
    """Something the organization would like employees to share.

    Only an approved item inside its publish/expiry window appears in the feed. Editing is only
    possible in draft, so what was approved is what employees share.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        ARCHIVED = "archived", _("Archived")

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)
    body = models.TextField(help_text=_("What this is about and why it is worth sharing."))
    link = models.URLField(max_length=1000)
    image = models.FileField(upload_to="advocacy/%Y/%m/", blank=True)
    image_mime = models.CharField(max_length=40, blank=True)
    image_sha256 = models.CharField(max_length=64, blank=True)
    tags = models.JSONField(default=list, blank=True)
    audience = models.ManyToManyField("people.Department", blank=True, related_name="+")
    publish_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # The link's preview (Open Graph title and image), fetched in the background and cached
    # here; never fetched while a page renders. `preview_error` says why a fetch failed.
    preview_title = models.CharField(max_length=300, blank=True)
    preview_image_url = models.URLField(max_length=1000, blank=True)
    # A copy of the preview image, served by us (the page's CSP allows only our own images).
    preview_image = models.FileField(upload_to="advocacy/previews/%Y/%m/", blank=True)
    preview_image_mime = models.CharField(max_length=40, blank=True)
    preview_fetched_at = models.DateTimeField(null=True, blank=True)
    preview_error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"],
                                    name="contentitem_slug_per_org"),
            # The four-eyes rule, also in the database: nobody approves their own item.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("author")),
                name="contentitem_approver_not_author",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(publish_at__isnull=True)
                | Q(expires_at__gt=models.F("publish_at")),
                name="contentitem_expires_after_publish",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status", "publish_at"])]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    ContentItem.Status.DRAFT: {ContentItem.Status.IN_REVIEW, ContentItem.Status.ARCHIVED},
    ContentItem.Status.IN_REVIEW: {
        ContentItem.Status.APPROVED, ContentItem.Status.DRAFT, ContentItem.Status.ARCHIVED,
    },
    ContentItem.Status.APPROVED: {ContentItem.Status.ARCHIVED},
    ContentItem.Status.ARCHIVED: {ContentItem.Status.DRAFT},
}


class ContentEvent(models.Model):
    """One status change of an item: who, from, to and why. The item's timeline reads these."""

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.from_status or 'new'} → {self.to_status}"

    @property
    def from_label(self) -> str:
        return ContentItem.Status(self.from_status).label.lower() if self.from_status else ""

    @property
    def to_label(self) -> str:
        return ContentItem.Status(self.to_status).label.lower()


class Caption(models.Model):
    """A suggested caption for one network. Several per network are variants, so that
    colleagues do not all post the identical text."""

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="captions")
    network = models.CharField(max_length=20, choices=Network.choices)
    # The caption's language (a code of settings.LANGUAGES); the source captions are in
    # settings.LANGUAGE_CODE, the others are translations communications added (issue 16).
    language = models.CharField(max_length=10, default="en")
    text = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["network", "position", "pk"]

    def __str__(self) -> str:
        label = f"{self.get_network_display()} #{self.position + 1}"
        if self.language != settings.LANGUAGE_CODE:
            label += f" ({dict(settings.LANGUAGES).get(self.language, self.language)})"
        return label


class GuidanceCard(OrgOwnedModel):
    """'Ideas of what is helpful': advice from communications shown beside the feed."""

    class Kind(models.TextChoices):
        DO = "do", _("Helpful to post")
        DONT = "dont", _("Better not to post")

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DO)
    title = models.CharField(max_length=150)
    body = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class AdvocacySettings(OrgOwnedModel):
    """The organization's rules for sharing. One row per organization (created on first use).

    `sharing_hours` maps a network to `[start_hour, end_hour)` in the organization's time zone;
    a missing network may be shared to at any hour. `disabled_networks` are not offered.
    """

    leaderboard_enabled = models.BooleanField(default=False)
    daily_share_limit = models.PositiveSmallIntegerField(
        default=10, help_text=_("Shares per person per day, across networks (0 = no limit).")
    )
    sharing_hours = models.JSONField(default=dict, blank=True)
    disabled_networks = models.JSONField(default=list, blank=True)
    duplicate_nudge_threshold = models.PositiveSmallIntegerField(
        default=3, help_text=_("Show the 'many colleagues posted this' nudge from this many.")
    )
    # Profile checks: staff see counts only, unless this is on and the employee agreed.
    profile_detail_for_staff = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="advocacysettings_one_per_org")
        ]
        verbose_name_plural = "advocacy settings"

    def __str__(self) -> str:
        return f"Advocacy settings ({self.organization_id})"


class AdvocateProfile(OrgOwnedModel):
    """An employee's own advocacy preferences: their Mastodon instance and opt-outs."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="advocate_profile"
    )
    mastodon_instance = models.CharField(max_length=253, blank=True)
    leaderboard_opt_out = models.BooleanField(default=False)
    digest_opt_out = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Advocate {self.user_id}"


class Share(OrgOwnedModel):
    """One share by one employee: the final text, the intent opened and its own tracked link.

    A share starts as an intent (the person opened the network's composer); it counts, in
    analytics and points, only once confirmed: the person said they posted it, or the post
    was seen on one of their linked accounts. There is one share per (item, network, person):
    pressing "Share" again reuses it.

    `target_url` is stored ready (UTM parameters included) so the public redirect reads one
    indexed row and does no other work.
    """

    class Confirmation(models.TextChoices):
        SAID = "said", _("You said you posted it")
        SEEN = "seen", _("Seen on your linked account")


    item = models.ForeignKey(ContentItem, on_delete=models.PROTECT, related_name="shares")
    caption = models.ForeignKey(Caption, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Copied at share time so analytics by department stay true after someone moves team.
    department = models.ForeignKey("people.Department", on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    network = models.CharField(max_length=20, choices=Network.choices)
    text = models.TextField()
    text_hash = models.CharField(max_length=64)
    edited = models.BooleanField(default=False, help_text=_("The person changed the suggestion."))
    verdict = models.CharField(max_length=10, default="allow")
    code = models.CharField(max_length=16, unique=True)
    target_url = models.URLField(max_length=2000)
    intent_url = models.TextField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_via = models.CharField(max_length=10, choices=Confirmation.choices, blank=True)
    post_url = models.URLField(max_length=1000, blank=True)
    # Set when the person left (offboarding): the tracked link keeps redirecting and its
    # clicks still count for the content, but no longer for the person (points, leaderboard).
    attribution_ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["item", "network", "user"]),
            models.Index(fields=["item", "text_hash"]),
            models.Index(fields=["organization", "created_at"]),
            models.Index(fields=["user", "created_at"]),
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_network_display()} share of {self.item_id}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class Click(models.Model):
    """One counted visit of a tracked link (bots are not recorded; one per visitor and
    half hour, see `chorus.advocacy.tracking`).

    `visitor` is the hash of (daily salt, client network): equal within a day for the same
    network whatever its User-Agent, unlinkable across days once the salt is gone.
    """

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="clicks")
    day = models.DateField()
    visitor = models.CharField(max_length=32)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["share", "day", "visitor"]),
            # The daily rollup and the live figures since it read clicks by day.
            models.Index(fields=["day"], name="click_day_idx"),
        ]

    def __str__(self) -> str:
        return f"click {self.share_id} {self.day}"


class ClickDaily(models.Model):
    """Clicks and unique visitors of one closed day, per dimension (issue 13: analytics over
    millions of clicks read these instead of the click table).

    `key` is the item id, the network, the department name ("" for none) or the sharer's user
    id; dimension `all` (key "") is the organization's total. Visitors are distinct
    (day, visitor hash) pairs within the row, so they add up over days exactly (the hash salt
    changes daily). Built by `chorus.advocacy.rollups.click_rollups_build` (the worker, every
    15 minutes, and `chorus seed --scale`); days after `ClickRollupState.through` are counted
    live from the click table.
    """

    class Dimension(models.TextChoices):
        ALL = "all", _("Organization")
        ITEM = "item", _("Content")
        NETWORK = "network", _("Network")
        DEPARTMENT = "department", _("Department")
        USER = "user", _("Sharer")

    organization = models.ForeignKey("people.Organization", on_delete=models.CASCADE,
                                     related_name="+")
    day = models.DateField()
    dimension = models.CharField(max_length=12, choices=Dimension.choices)
    key = models.CharField(max_length=200, blank=True)
    clicks = models.PositiveIntegerField(default=0)
    visitors = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "dimension", "day", "key"],
                                    name="clickdaily_one_row_per_key_and_day")
        ]

    def __str__(self) -> str:
        return f"{self.dimension} {self.key} {self.day}: {self.clicks}"


class ClickRollupState(models.Model):
    """How far the daily click rollup of one organization reaches, and when it was built."""

    organization = models.OneToOneField("people.Organization", on_delete=models.CASCADE,
                                        related_name="+")
    through = models.DateField(help_text=_("Last day (UTC) included in ClickDaily."))
    built_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"clicks rolled up through {self.through}"


class ClickSalt(models.Model):
    """The random salt for one day's visitor hashes; old ones are deleted every day."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"salt {self.day}"


class DigestDelivery(OrgOwnedModel):
    """One weekly digest sent to one person. The unique week makes a rerun send nothing twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.CharField(max_length=8, help_text=_("ISO year and week, e.g. 2026-W07."))
    item_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "week"], name="digestdelivery_once_per_week")
        ]

    def __str__(self) -> str:
        return f"digest {self.user_id} {self.week}"


class OfficialAccount(OrgOwnedModel):
    """One of the organization's own accounts (issue 19, "official presence"), managed by
    communications and shown to employees with a follow link and a QR code.

    `network` is one of `chorus.advocacy.presence.PRESENCE_NETWORKS` (wider than the networks
    we share to: Instagram, YouTube, TikTok and Threads have no share intent but can be followed).
    """

    network = models.CharField(max_length=20)
    handle = models.CharField(max_length=120, help_text=_("As people see it, e.g. @northwind."))
    url = models.URLField(max_length=500, help_text=_("The public profile page (https)."))
    label = models.CharField(max_length=120, blank=True,
                             help_text=_("Optional, e.g. 'Careers' for a second account."))
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "url"],
                                    name="officialaccount_url_per_org"),
        ]
        ordering = ["position", "network", "pk"]

    def __str__(self) -> str:
        return f"{self.network} {self.handle}"


class ContentSource(OrgOwnedModel):
    """An RSS or Atom feed (newsroom, blog, careers page, an official account's feed) whose new
    entries become draft content items. Polled by the worker, never during a page request;
    `status` and `last_error` say what happened at the last poll."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Not checked yet")
        OK = "ok", _("Working")
        RATE_LIMITED = "rate_limited", _("Busy, retrying later")
        FAILING = "failing", _("Temporarily failing")
        BROKEN = "broken", _("Needs attention")

    name = models.CharField(max_length=120)
    url = models.URLField(max_length=1000)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    last_error = models.CharField(max_length=500, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveSmallIntegerField(default=0)
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_result = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "url"],
                                    name="contentsource_url_per_org"),
        ]
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class SourceEntry(OrgOwnedModel):
    """One feed entry seen, and the draft it became. The unique keys are what make polling
    idempotent: an entry (by its id in the feed) is taken once per source, and a link (by its
    canonical form) once per organization, whichever feed or colleague brought it first."""

    source = models.ForeignKey(ContentSource, on_delete=models.CASCADE, related_name="entries")
    guid = models.CharField(max_length=1000)
    canonical_url = models.CharField(max_length=1000)
    title = models.CharField(max_length=300, blank=True)
    item = models.OneToOneField(ContentItem, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="source_entry")
    duplicate_of = models.ForeignKey(ContentItem, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+")
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "guid"], name="sourceentry_guid_per_source"),
        ]
        indexes = [models.Index(fields=["organization", "canonical_url"])]

    def __str__(self) -> str:
        return self.guid


class ContentSuggestion(OrgOwnedModel):
    """A link an employee suggests for the hub, with a note. Screened like a caption,
    moderated by communications; the draft it becomes credits the suggester."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for communications")
        ACCEPTED = "accepted", _("Accepted as a draft")
        DECLINED = "declined", _("Declined")

    suggester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="+")
    url = models.URLField(max_length=1000)
    canonical_url = models.CharField(max_length=1000)
    note = models.TextField(blank=True)
    verdict = models.CharField(max_length=10, default="allow")
    findings = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    item = models.OneToOneField(ContentItem, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="suggestion")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.url


class EmvSettings(OrgOwnedModel):
    """The organization's earned-media-value assumptions (one row per organization).

    `rates` maps a network to `{"cpm": "6.50", "cpc": "0.60", "reach": 250}`: what the
    organization would pay per thousand impressions and per click on that network, and how
    many people one employee post typically reaches. Decimals are stored as strings."""

    currency = models.CharField(max_length=3, default="EUR")
    rates = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="emvsettings_one_per_org")
        ]
        verbose_name_plural = "EMV settings"

    def __str__(self) -> str:
        return f"EMV settings ({self.organization_id})"


class Challenge(OrgOwnedModel):
    """A time-boxed challenge communications defines, e.g. "share three product stories this
    month". Progress counts confirmed shares only (never a button press) of approved items,
    optionally with one tag, inside [starts_on, ends_on]. Taking part is voluntary, never tied
    to pay or evaluation; the rules are shown to everyone."""

    title = models.CharField(max_length=150)
    rules = models.TextField(help_text=_("What counts, in plain words."))
    target = models.PositiveSmallIntegerField(default=3)
    tag = models.CharField(max_length=40, blank=True,
                           help_text=_("Only items with this tag count; empty: any item."))
    badge = models.CharField(max_length=60, help_text=_("The badge's name, e.g. 'Storyteller'."))
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                   name="challenge_ends_after_start"),
        ]
        ordering = ["-starts_on", "pk"]

    def __str__(self) -> str:
        return self.title


class ProfileCheck(OrgOwnedModel):
    """The profile check of one linked account (issue 19), switched on by its owner.

    The public profile (display name, bio, fields) is fetched through the connectors by the
    worker, when the owner asks, when the network says the profile changed (Jetstream) and
    daily. A failed fetch keeps the last result and says why (`status`, `last_error`).
    Staff see only counts, unless the organization allows more and the owner agreed
    (`share_with_staff`)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Not checked yet"
        OK = "ok", "All good"
        NEEDS_CHANGE = "needs_change", "Suggested changes"
        VANISHED = "vanished", "Profile not found"
        RATE_LIMITED = "rate_limited", "Network busy, retrying later"
        FAILING = "failing", "Temporarily failing"

    account = models.OneToOneField("monitoring.LinkedAccount", on_delete=models.CASCADE,
                                   related_name="profile_check")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    display_name = models.CharField(max_length=300, blank=True)
    bio = models.TextField(blank=True)
    fields = models.JSONField(default=list, blank=True)
    profile_hash = models.CharField(max_length=64, blank=True)
    has_disclaimer = models.BooleanField(default=False)
    claims_official = models.BooleanField(default=False)
    states_affiliation = models.BooleanField(default=False)
    problems = models.JSONField(default=list, blank=True)
    share_with_staff = models.BooleanField(default=False)
    checked_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return f"profile check {self.account_id}: {self.status}"
