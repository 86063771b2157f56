"""Pages: Linked accounts and My alerts for employees; account health for HR, admins and
managers (no post content); monitoring settings for administrators."""

from __future__ import annotations

from datetime import UTC, datetime, time
from functools import partial
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from chorus.common.errors import DomainError, NotFound
from chorus.common.forms import add_domain_error
from chorus.common.text import format_day
from chorus.common.types import AuthedRequest
from chorus.monitoring.consent import CONSENT_VERSION, account_phrase, account_phrase_templates
from chorus.monitoring.forms import ImportForm, LinkForm, SettingsForm
from chorus.monitoring.models import ARCHIVE_NETWORKS, LinkedAccount, Network
from chorus.monitoring.selectors import (
    account_get_for_owner,
    account_health_for,
    account_list_for_owner,
    alert_get_for_owner,
    alert_list_for_owner,
    archive_imports_for_owner,
    consent_history_for_owner,
    post_list_for_owner,
)
from chorus.monitoring.services import (
    account_link,
    account_revoke,
    account_verify_request,
    alert_acknowledge,
    archive_import_upload,
    consent_text_for,
    readiness_problems,
    settings_get,
    settings_update,
)
from chorus.monitoring.tasks import poll_account_task
from chorus.people.models import Organization, User


def _me(request: AuthedRequest) -> User:
    # Every view here is behind login_required, so the user is never anonymous.
    return cast(User, request.user)


def _org(request: AuthedRequest) -> Organization:
    return cast(Organization, _me(request).organization)


def _owned_account(request: AuthedRequest, account_id: int) -> LinkedAccount:
    try:
        return account_get_for_owner(user=_me(request), account_id=account_id)
    except NotFound:
        raise Http404("No such linked account.") from None


@login_required
def accounts(request: AuthedRequest) -> HttpResponse:
    """The employee's linked accounts: status, last read, errors; and what can be linked."""
    org = _org(request)
    current = settings_get(organization=org)
    return render(request, "monitoring/accounts.html", {
        "accounts": account_list_for_owner(user=_me(request)),
        "networks": [(n, Network(n).label) for n in current.enabled_networks],
        "problems": readiness_problems(organization=org),
        "settings": current,
        "has_person": _me(request).person is not None,
    })


@login_required
def link(request: AuthedRequest, network: str) -> HttpResponse:
    """Link an account: the consent text for this network, then explicit agreement."""
    if network not in Network.values:
        raise Http404("Unknown network.")
    org = _org(request)
    form = LinkForm(request.POST or None, network=network,
                    initial={"consent_version": CONSENT_VERSION})
    handle = request.POST.get("handle", "") if request.method == "POST" else ""
    if request.method == "POST" and form.is_valid():
        read_from = form.cleaned_data.get("read_from")
        try:
            account = account_link(
                user=_me(request), network=network, handle=form.cleaned_data["handle"],
                agreed=form.cleaned_data["agreed"],
                consent_version=form.cleaned_data["consent_version"],
                read_from=datetime.combine(read_from, time.min, tzinfo=UTC) if read_from else None,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if account.verified_at is None:
                messages.success(
                    request,
                    gettext(
                        "Consent recorded for %(account)s. Nothing is read yet: prove that the "
                        "account is yours with the code below."
                    )
                    % {"account": account},
                )
            else:
                messages.success(
                    request,
                    gettext("%(account)s is linked. You can withdraw consent at any time.")
                    % {"account": account},
                )
            return redirect("monitoring:account-detail", account_id=account.pk)
    consent_text = consent_text_for(organization=org, network=network, handle=handle,
                                    read_from=_chosen_start(form))
    # The account's name is the one part of the text that changes while typing: the page's
    # script swaps it from the same two forms the server uses.
    phrase = account_phrase(network, handle)
    with_handle, without_handle = account_phrase_templates(network)
    before, _, after = consent_text.partition(phrase)
    first_end = after.find("\n")
    return render(request, "monitoring/link.html", {
        "form": form, "network": network, "network_label": Network(network).label,
        "consent_text": consent_text, "consent_before": before, "consent_phrase": phrase,
        "consent_after": after[:first_end] if first_end >= 0 else after,
        "consent_rest": after[first_end:] if first_end >= 0 else "",
        "phrase_with": with_handle, "phrase_without": without_handle,
        "consent_version": CONSENT_VERSION, "is_archive": network in ARCHIVE_NETWORKS,
        "in_eu": org.in_eu,
        "enabled": network in settings_get(organization=org).enabled_networks,
    })


def _chosen_start(form: LinkForm) -> datetime | None:
    value = form.cleaned_data.get("read_from") if hasattr(form, "cleaned_data") else None
    return datetime.combine(value, time.min, tzinfo=UTC) if value else None


@login_required
def account_detail(request: AuthedRequest, account_id: int) -> HttpResponse:
    account = _owned_account(request, account_id)
    return render(request, "monitoring/account_detail.html", {
        **_detail_context(request, account),
        "import_form": ImportForm() if account.is_archive and account.is_readable else None,
    })


def _detail_context(request: AuthedRequest, account: Any) -> dict[str, Any]:
    return {
        "account": account,
        "posts": post_list_for_owner(user=_me(request), account=account)[:50],
        "consents": consent_history_for_owner(user=_me(request), account=account),
        "imports": archive_imports_for_owner(user=_me(request), account=account),
        "proof_url": request.build_absolute_uri(
            reverse("monitoring:proof", args=[account.verification_code]))
        if account.verification_code else "",
    }


@login_required
def account_revoke_view(request: AuthedRequest, account_id: int) -> HttpResponse:
    account = _owned_account(request, account_id)
    if request.method == "POST":
        account = account_revoke(user=_me(request), account=account)
        messages.success(
            request,
            gettext(
                "Consent withdrawn for %(handle)s. Nothing more is read; stored posts are "
                "deleted on %(format_day)s."
            )
            % {"handle": account.handle, "format_day": format_day(account.purge_after)},
        )
        return redirect("monitoring:accounts")
    retention = settings_get(organization=account.organization).retention_days
    return render(request, "monitoring/revoke.html", {"account": account, "retention": retention})


@login_required
def account_import(request: AuthedRequest, account_id: int) -> HttpResponse:
    """Accept the upload and hand it to the worker; the detail page shows its progress."""
    account = _owned_account(request, account_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            archive_import_upload(user=_me(request), account=account,
                                  upload=form.cleaned_data["file"])
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, gettext("File received. It is being read in the background; "
                                      "the progress shows below."))
            return redirect("monitoring:account-detail", account_id=account.pk)
    return render(request, "monitoring/account_detail.html", {
        **_detail_context(request, account), "import_form": form,
    }, status=422 if request.method == "POST" else 200)


@login_required
def account_import_status(request: AuthedRequest, account_id: int) -> HttpResponse:
    """The import progress fragment, polled by the detail page while an import runs."""
    account = _owned_account(request, account_id)
    return render(request, "monitoring/_import_status.html", {
        "account": account, "imports": archive_imports_for_owner(user=_me(request),
                                                                 account=account),
    })


@login_required
@require_POST
def account_refresh(request: AuthedRequest, account_id: int) -> HttpResponse:
    """Read now instead of waiting for the schedule (also clears a fixed error). The read runs
    in the worker: the address may be slow or hostile, and it must not hold a web process."""
    account = _owned_account(request, account_id)
    transaction.on_commit(partial(poll_account_task.enqueue, account_id=account.pk))
    messages.success(
        request,
        gettext("Reading %(handle)s now; new posts and any problem show on this page in a minute.")
        % {"handle": account.handle},
    )
    return redirect("monitoring:account-detail", account_id=account.pk)


@login_required
@require_POST
def account_verify_view(request: AuthedRequest, account_id: int) -> HttpResponse:
    """Look for the one-time code ("Check now"): the worker reads the network, this page shows
    the check running and its outcome; reading starts only once the code is found."""
    account = _owned_account(request, account_id)
    try:
        account_verify_request(user=_me(request), account=account)
    except DomainError as exc:
        messages.error(request, exc.message)
    account.refresh_from_db()
    if account.verified_at is not None:  # a worker (or the inline backend) was already done
        _proven_message(request, account)
    return redirect("monitoring:account-detail", account_id=account.pk)


def _proven_message(request: AuthedRequest, account: LinkedAccount) -> None:
    messages.success(
        request,
        gettext(
            "Thank you: %(handle)s is proven to be yours. Chorus reads its public posts from "
            "now on; you can remove the code."
        )
        % {"handle": account.handle},
    )


@login_required
def account_verify_status(request: AuthedRequest, account_id: int) -> HttpResponse:
    """The "Check now" status fragment, polled while the check runs. Once the account is
    proven, the whole page reloads to show it active."""
    account = _owned_account(request, account_id)
    if account.verified_at is not None:
        _proven_message(request, account)
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "monitoring/_proof_status.html", {"account": account})


def proof_page(request: HttpRequest, code: str) -> HttpResponse:
    """Public and minimal: links back (rel="me") to the account that carries this code, so a
    Mastodon profile field pointing here shows as verified. Names no person or organization."""
    account = (LinkedAccount.objects.filter(verification_code=code).exclude(
        status=LinkedAccount.Status.REVOKED).exclude(profile_url="").first()
        if code.startswith("chorus-") else None)
    if account is None:
        raise Http404("No such proof.")
    return render(request, "monitoring/proof.html", {"account": account})


@login_required
def alerts(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    return render(request, "monitoring/alerts.html", {
        "alerts": alert_list_for_owner(user=_me(request), status=status)[:100],
        "status": status,
    })


@login_required
@require_POST
def alert_ack(request: AuthedRequest, alert_id: int) -> HttpResponse:
    try:
        alert = alert_get_for_owner(user=_me(request), alert_id=alert_id)
    except NotFound:
        raise Http404("No such alert.") from None
    alert_acknowledge(user=_me(request), alert=alert)
    messages.success(request, gettext("Thanks — marked as read."))
    return redirect("monitoring:alerts")


@login_required
def overview(request: AuthedRequest) -> HttpResponse:
    """Account health without post content, for HR, administrators and managers (team)."""
    user = _me(request)
    if not (user.has_role("hr") or user.has_role("admin") or user.has_role("manager")):
        raise DjangoPermissionDenied
    status = request.GET.get("status") or None
    # Counts per status in one GROUP BY, then one page of 50 accounts (a large organization
    # links thousands).
    counts = {s: 0 for s in LinkedAccount.Status.values}
    for key, n in (account_health_for(user=user).order_by().values("status")
                   .annotate(n=Count("pk")).values_list("status", "n")):
        counts[key] += n
    accounts = account_health_for(user=user, status=status)
    total = counts.get(status, 0) if status else sum(counts.values())
    paginator = Paginator(accounts, 50)
    paginator.count = total  # known from the counts: no second COUNT(*) (a cached_property)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "monitoring/overview.html", {
        "accounts": list(page.object_list), "page": page, "counts": counts, "status": status,
        "statuses": LinkedAccount.Status.choices,
        "problems": readiness_problems(organization=_org(request)),
    })


@login_required
def settings_view(request: AuthedRequest) -> HttpResponse:
    if not _me(request).has_role("admin"):
        raise DjangoPermissionDenied
    org = _org(request)
    current = settings_get(organization=org)
    form = SettingsForm(request.POST or None, initial={
        "enabled_networks": current.enabled_networks, "alert_threshold": current.alert_threshold,
        "retention_days": current.retention_days, "escalate_after": current.escalate_after,
        "dpia_reference": current.dpia_reference,
        "works_council_reference": current.works_council_reference,
    })
    if request.method == "POST" and form.is_valid():
        try:
            settings_update(organization=org, actor=_me(request), **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, gettext("Monitoring settings saved."))
            return redirect("monitoring:settings")
    return render(request, "monitoring/settings.html", {"form": form, "in_eu": org.in_eu})
