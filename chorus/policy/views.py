"""Policy pages: list, new from preset, editor with live lint, publish, diff, YAML import and
export, the lint catalog, and the published policy employees read."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chorus.common.errors import DomainError, NotFound, PermissionDenied
from chorus.people.models import Organization, User
from chorus.policy import services
from chorus.policy.diff import version_diff
from chorus.policy.documents import document_outline
from chorus.policy.forms import (
    ImportForm,
    NewPolicyForm,
    PublishForm,
    document_from_post,
    editor_context,
    input_for_path,
)
from chorus.policy.lints import ERROR, LINT_MODULES, REGISTRY, summarize
from chorus.policy.lints.base import LintContext, section_label
from chorus.policy.models import Policy, PolicyVersion
from chorus.policy.presets import preset_choices
from chorus.policy.selectors import (
    can_author,
    disabled_lints_for,
    document_lint_findings,
    policy_get,
    policy_list_for,
    policy_version_current,
    require_author,
    version_events,
    version_get,
    version_list_for_policy,
)
from chorus.screening.policy import Policy as ScreeningPolicy


def _user(request: HttpRequest) -> User:
    # Every view here is behind login_required, so the user is a real account.
    return cast(User, request.user)


def _org(request: HttpRequest) -> Organization:
    organization = _user(request).organization
    if organization is None:
        raise NotFound(_("Your account does not belong to an organization."))
    return organization


def _domain_guard(view):  # type: ignore[no-untyped-def]
    """Other organizations' objects are 404; missing roles are 403 with the reason."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except PermissionDenied as exc:
            return HttpResponseForbidden(
                render(request, "policy/forbidden.html", {"message": exc.message}).content
            )

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return login_required(wrapped)


# --------------------------------------------------------------------------- reading


@_domain_guard
def index(request: HttpRequest) -> HttpResponse:
    """Authors see every policy; everyone else goes straight to the policy in force."""
    if not can_author(_user(request)):
        return redirect("policy:current")
    policies = list(policy_list_for(user=_user(request)))
    current = policy_version_current(organization=_org(request))
    return render(request, "policy/list.html", {"policies": policies, "current": current})


@_domain_guard
def current(request: HttpRequest) -> HttpResponse:
    """The published policy as employees read it: clean and printable."""
    version = policy_version_current(organization=_org(request))
    context: dict[str, Any] = {"version": version, "is_author": can_author(_user(request))}
    if version is not None:
        context["outline"] = document_outline(version.document)
    return render(request, "policy/current.html", context)


@_domain_guard
def policy_detail(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = policy_get(user=_user(request), policy_id=policy_id)
    versions = list(version_list_for_policy(policy=policy))
    return render(request, "policy/policy.html", {"policy": policy, "versions": versions})


@_domain_guard
def version_detail(request: HttpRequest, version_id: int) -> HttpResponse:
    version = version_get(user=_user(request), version_id=version_id)
    if not can_author(_user(request)):
        return redirect("policy:current")
    findings = document_lint_findings(organization=version.organization, document=version.document)
    return render(
        request,
        "policy/version.html",
        {
            "version": version,
            "outline": document_outline(version.document),
            "events": version_events(version=version),
            "findings": findings,
            "counts": summarize(findings),
            "hash_ok": version.hash_matches() if version.content_hash else None,
            "timestamp": _timestamp_of(version),
            "open_draft": PolicyVersion.objects.filter(
                policy_id=version.policy_id, status=PolicyVersion.Status.DRAFT
            ).first(),
        },
    )


def _timestamp_of(version: PolicyVersion) -> Any:
    from django.apps import apps

    if not version.content_hash or not apps.is_installed("chorus.timestamping"):
        return None
    from chorus.timestamping.services import timestamp_for

    return timestamp_for(subject="policy_version", subject_id=version.pk)


@_domain_guard
def version_diff_view(request: HttpRequest, version_id: int) -> HttpResponse:
    """Side by side: `?against=<id>` (default: the version it was derived from)."""
    new = version_get(user=_user(request), version_id=version_id)
    require_author(_user(request))
    against = request.GET.get("against")
    old: PolicyVersion | None
    if against and against.isdigit():
        old = version_get(user=_user(request), version_id=int(against))
    else:
        old = new.previous
    others = list(version_list_for_policy(policy=new.policy).exclude(pk=new.pk))
    context: dict[str, Any] = {"version": new, "old": old, "others": others}
    if old is not None:
        context["diff"] = version_diff(old, new)
    return render(request, "policy/diff.html", context)


# --------------------------------------------------------------------------- creating


@_domain_guard
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    require_author(_user(request))
    form = NewPolicyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.policy_create_from_preset(
                organization=_org(request),
                actor=_user(request),
                preset=form.cleaned_data["preset"],
                title=form.cleaned_data["title"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _(
                    "Draft created from the %(preset)s preset. "
                    "Edit it, check the lint results, then publish."
                )
                % {"preset": form.cleaned_data["preset"]},
            )
            return redirect("policy:version-edit", version_id=version.pk)
    return render(request, "policy/new.html", {"form": form, "presets": preset_choices()})


@_domain_guard
@require_POST
def version_new_draft(request: HttpRequest, version_id: int) -> HttpResponse:
    version = version_get(user=_user(request), version_id=version_id)
    try:
        draft = services.policy_version_create_draft(version=version, actor=_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("policy:version-detail", version_id=version.pk)
    messages.success(
        request,
        _("Version %(new)s started from version %(old)s.")
        % {"new": draft.number, "old": version.number},
    )
    return redirect("policy:version-edit", version_id=draft.pk)


@_domain_guard
@require_http_methods(["GET", "POST"])
def import_yaml(request: HttpRequest) -> HttpResponse:
    require_author(_user(request))
    policies = [(p.pk, p.title) for p in Policy.objects.filter(organization=_org(request))]
    form = ImportForm(request.POST or None, request.FILES or None, policies=policies)
    error_line = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        text: str | bytes = (
            upload.read(services.MAX_YAML_BYTES + 1) if upload else form.cleaned_data["yaml"]
        )
        target = None
        if form.cleaned_data.get("policy"):
            target = Policy.objects.filter(
                organization=_org(request), pk=form.cleaned_data["policy"]
            ).first()
        try:
            version = services.policy_import_yaml(
                organization=_org(request),
                actor=_user(request),
                text=text,
                title=form.cleaned_data.get("title") or "",
                policy=target,
                source=upload.name if upload else "pasted YAML",
            )
        except DomainError as exc:
            error_line = getattr(exc, "line", None)
            form.add_error("file" if upload else "yaml", exc.message)
        else:
            messages.success(
                request,
                _("Imported as a new draft (version %(number)s).") % {"number": version.number},
            )
            return redirect("policy:version-edit", version_id=version.pk)
    return render(request, "policy/import.html", {"form": form, "error_line": error_line})


@_domain_guard
def export_yaml(request: HttpRequest, version_id: int) -> HttpResponse:
    version = version_get(user=_user(request), version_id=version_id)
    require_author(_user(request))
    response = HttpResponse(
        services.policy_version_export_yaml(version), content_type="application/yaml; charset=utf-8"
    )
    name = f"{slugify(version.policy.title) or 'policy'}-v{version.number}.yaml"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --------------------------------------------------------------------------- editing


def _lint_view_context(version: PolicyVersion, document: dict[str, Any]) -> dict[str, Any]:
    from chorus.policy.documents import fix_preview

    findings = document_lint_findings(organization=version.organization, document=document)
    previews = {f.key: fix_preview(document, f.apply) for f in findings if f.apply}
    return {"findings": findings, "counts": summarize(findings), "version": version,
            "previews": previews}


def _editor_render(
    request: HttpRequest,
    version: PolicyVersion,
    document: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    form_error: str = "",
    lock_version: int | None = None,
    status: int = 200,
) -> HttpResponse:
    ctx = editor_context(document)
    if request.method == "POST":
        # Show exactly what the author typed, even where it did not validate.
        for rule in ctx["rules"]:
            for key in ("title", "text", "params"):
                name = f"rule-{rule['index']}-{key}"
                if name in request.POST:
                    rule[key] = request.POST[name]
    errors = errors or {}
    for rule in ctx["rules"]:
        rule["errors"] = {
            key: errors.get(f"rule-{rule['index']}-{key}", "")
            for key in ("title", "text", "severity", "params", "rationale", "enabled")
        }
    ctx["sections"] = [
        {
            "key": key,
            "label": section_label(key),
            "text": request.POST.get(f"section-{key}", text) if request.method == "POST" else text,
            "error": errors.get(f"section-{key}", ""),
        }
        for key, text in ctx["sections"]
    ]
    context: dict[str, Any] = {
        "version": version,
        "e": ctx,
        "errors": errors,
        "form_error": form_error,
        "conflict": status == 409,
        "lock_version": lock_version if lock_version is not None else version.lock_version,
    }
    try:
        context.update(_lint_view_context(version, services.validate_document(document)))
    except DomainError as exc:
        context.update(
            {
                "findings": [],
                "counts": summarize([]),
                "validation": [{"field": exc.field, "message": exc.message}],
            }
        )
    return render(request, "policy/editor.html", context, status=status)


def _posted_lock(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("lock_version", ""))
    except ValueError:
        return -1


@_domain_guard
@require_http_methods(["GET", "POST"])
def version_edit(request: HttpRequest, version_id: int) -> HttpResponse:
    """The draft editor. POST saves (with the version check) or applies one lint suggestion."""
    version = version_get(user=_user(request), version_id=version_id)
    require_author(_user(request))
    if not version.is_draft:
        messages.info(
            request,
            _(
                "Version %(number)s is %(status)s and cannot be edited. "
                "Start a new draft from it to make changes."
            )
            % {"number": version.number, "status": version.get_status_display().lower()},
        )
        return redirect("policy:version-detail", version_id=version.pk)
    if request.method == "GET":
        return _editor_render(request, version, version.document)
    document, errors = document_from_post(version.document, request.POST)
    lock = _posted_lock(request)
    if errors:
        return _editor_render(
            request,
            version,
            document,
            errors=errors,
            lock_version=lock,
            form_error=_("Some fields need attention; nothing was saved yet."),
            status=422,
        )
    apply_key = request.POST.get("apply", "")
    try:
        if apply_key:
            version, finding = services.policy_version_apply_suggestion(
                version=version,
                actor=_user(request),
                document=document,
                lock_version=lock,
                finding_key=apply_key,
            )
            messages.success(
                request,
                _("Suggestion for %(lint)s applied to %(label)s and the draft saved.")
                % {"lint": finding.lint_id, "label": finding.label},
            )
        else:
            version = services.policy_version_update(
                version=version, actor=_user(request), document=document, lock_version=lock
            )
            messages.success(request, _("Draft saved."))
    except DomainError as exc:
        field = input_for_path(exc.field)
        return _editor_render(
            request,
            version,
            document,
            errors={field: exc.message} if field else {},
            form_error=exc.message,
            lock_version=lock,
            status=exc.status_code,
        )
    anchor = ""
    if apply_key and "@rules[" in apply_key:
        anchor = "#rule-" + apply_key.split("@rules[", 1)[1].split("]", 1)[0]
    return redirect(reverse("policy:version-edit", args=[version.pk]) + anchor)


@_domain_guard
@require_POST
def version_lint(request: HttpRequest, version_id: int) -> HttpResponse:
    """HTMX: validate and lint the editor's current (unsaved) content; returns the panel."""
    version = version_get(user=_user(request), version_id=version_id)
    require_author(_user(request))
    document, errors = document_from_post(version.document, request.POST)
    validation: list[dict[str, str | None]] = [
        {"field": name, "message": msg} for name, msg in errors.items()
    ]
    context: dict[str, Any] = {"version": version, "findings": [], "counts": summarize([])}
    try:
        clean = services.validate_document(document)
    except DomainError as exc:
        validation.append({"field": exc.field, "message": exc.message})
    else:
        context.update(_lint_view_context(version, clean))
    context["validation"] = validation
    return render(request, "policy/_lint_panel.html", context)


# --------------------------------------------------------------------------- status changes


@_domain_guard
@require_http_methods(["GET", "POST"])
def version_publish(request: HttpRequest, version_id: int) -> HttpResponse:
    """The publish screen: changes, impact preview, approvals, the checks, then publish."""
    from chorus.policy import impact, publishing

    version = publishing.version_get_for_approval(user=_user(request), version_id=version_id)
    if not version.is_draft:
        messages.info(
            request,
            _("Version %(number)s is already %(status)s.")
            % {"number": version.number, "status": version.get_status_display().lower()},
        )
        return redirect("policy:version-detail", version_id=version.pk)
    in_force = policy_version_current(organization=version.organization)
    diff = version_diff(in_force, version) if in_force else None
    findings = document_lint_findings(organization=version.organization, document=version.document)
    errors = [f for f in findings if f.severity == ERROR]
    initial = {"material": diff.suggests_material if diff else True}
    form = PublishForm(request.POST or None, initial=initial)
    blockers = services.publish_blockers(version.document)
    material = initial["material"]
    if request.method == "POST":
        material = request.POST.get("material") == "on"
    state = publishing.publish_state(version=version, material=material)
    if request.method == "POST" and form.is_valid():
        try:
            _published, scheduled = publishing.policy_version_publish_checked(
                version=version,
                actor=_user(request),
                material=form.cleaned_data["material"],
                change_summary=form.cleaned_data["change_summary"],
                acknowledge_lint_errors=form.cleaned_data["acknowledge_lint_errors"],
                acknowledge_lint_warnings=form.cleaned_data["acknowledge_lint_warnings"],
                confirm_audience=form.cleaned_data["confirm_audience"],
                effective_at=form.cleaned_data["effective_at"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            if scheduled is not None:
                messages.success(
                    request,
                    _(
                        "Version %(number)s is scheduled; it takes effect "
                        "%(when)s UTC if nothing changes before."
                    )
                    % {
                        "number": version.number,
                        "when": f"{scheduled.effective_at:%d %b %Y, %H:%M}",
                    },
                )
                return redirect("policy:version-publish", version_id=version.pk)
            messages.success(
                request,
                _("Version %(number)s is published. Employees now see it.")
                % {"number": version.number},
            )
            return redirect("policy:current")
    preview = state.preview
    return render(
        request,
        "policy/publish.html",
        {
            "version": version,
            "in_force": in_force,
            "diff": diff,
            "form": form,
            "lint_errors": errors,
            "counts": summarize(findings),
            "blockers": blockers,
            "state": state,
            "quorum": state.quorum,
            "can_approve": state.quorum.can_approve(_user(request)),
            "preview": preview,
            "preview_ctx": _preview_context(preview, _user(request)) if preview else None,
            "scheduled": version.schedules.filter(status="scheduled").first(),
            "stored_texts": impact.stored_text_count(organization=version.organization),
        },
    )


def _preview_context(preview: Any, user: User) -> dict[str, Any]:
    from chorus.policy import impact

    result = preview.result or {}
    return {
        "p": preview,
        "r": result,
        "current": preview.is_current,
        "stricter": impact.redact_samples(result.get("stricter", []), user=user),
        "looser": impact.redact_samples(result.get("looser", []), user=user),
        "protected": impact.redact_samples(result.get("protected", []), user=user),
    }


@_domain_guard
@require_POST
def version_preview_start(request: HttpRequest, version_id: int) -> HttpResponse:
    from chorus.policy import impact

    version = version_get(user=_user(request), version_id=version_id)
    try:
        impact.impact_preview_start(version=version, actor=_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("policy:version-publish", args=[version.pk]) + "#impact")


@_domain_guard
def preview_status(request: HttpRequest, preview_id: int) -> HttpResponse:
    """HTMX: the impact panel, polled while the replay runs."""
    from chorus.policy import impact

    preview = impact.impact_preview_get(user=_user(request), preview_id=preview_id)
    return render(request, "policy/_impact.html", {"version": preview.version,
                  "preview": preview, "preview_ctx": _preview_context(preview, _user(request))})


@_domain_guard
@require_POST
def version_approve(request: HttpRequest, version_id: int) -> HttpResponse:
    from chorus.policy import publishing

    version = publishing.version_get_for_approval(user=_user(request), version_id=version_id)
    try:
        if request.POST.get("withdraw"):
            publishing.policy_version_withdraw_approval(version=version, actor=_user(request))
            messages.success(request, _("Your approval is withdrawn."))
        else:
            publishing.policy_version_approve(
                version=version, actor=_user(request),
                content_hash=request.POST.get("content_hash", ""),
                note=request.POST.get("note", ""),
            )
            messages.success(
                request,
                _("You approved version %(number)s as it is now.") % {"number": version.number},
            )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("policy:version-publish", args=[version.pk]) + "#approvals")


@_domain_guard
@require_POST
def version_schedule_cancel(request: HttpRequest, version_id: int) -> HttpResponse:
    from chorus.policy import publishing

    version = version_get(user=_user(request), version_id=version_id)
    scheduled = version.schedules.filter(status="scheduled").first()
    if scheduled is None:
        raise NotFound(_("This version is not scheduled."))
    publishing.scheduled_publication_cancel(
        scheduled=scheduled, actor=_user(request), reason="Cancelled by hand.")
    messages.success(request, _("The scheduled publication is cancelled."))
    return redirect("policy:version-publish", version_id=version.pk)


@_domain_guard
@require_http_methods(["GET", "POST"])
def approvers(request: HttpRequest) -> HttpResponse:
    """Administrators choose who approves policy versions."""
    from chorus.policy import publishing
    from chorus.policy.forms import ApprovalSettingsForm

    require_author(_user(request))
    organization = _org(request)
    people = [
        (u.pk, u.full_name or u.email)
        for u in User.objects.filter(organization=organization, is_active=True).order_by("email")
    ]
    current = publishing.approval_settings_for(organization=organization)
    initial = {
        "roles": current.roles,
        "group": [str(u.pk) for u in current.group.all()] if current.pk else [],
        "group_required": current.group_required,
    }
    form = ApprovalSettingsForm(request.POST or None, initial=initial, people=people)
    if request.method == "POST" and form.is_valid():
        group = list(User.objects.filter(organization=organization,
                                         pk__in=[int(i) for i in form.cleaned_data["group"]]))
        try:
            publishing.approval_settings_update(
                organization=organization, actor=_user(request),
                roles=form.cleaned_data["roles"], group=group,
                group_required=form.cleaned_data["group_required"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Approvers saved. They apply to the next publication."))
            return redirect("policy:approvers")
    return render(request, "policy/approvers.html", {
        "form": form, "is_admin": _user(request).has_role("admin"), "settings": current})


@_domain_guard
@require_POST
def version_retire(request: HttpRequest, version_id: int) -> HttpResponse:
    version = version_get(user=_user(request), version_id=version_id)
    try:
        services.policy_version_retire(
            version=version, actor=_user(request), reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Version %(number)s is retired; no policy is in force now.")
            % {"number": version.number},
        )
    return redirect("policy:version-detail", version_id=version.pk)


# --------------------------------------------------------------------------- lints


@_domain_guard
@require_http_methods(["GET", "POST"])
def lints(request: HttpRequest) -> HttpResponse:
    """Every lint with its source; authors switch lints off for the organization."""
    require_author(_user(request))
    organization = _org(request)
    if request.method == "POST":
        enabled = set(request.POST.getlist("enabled"))
        try:
            services.lint_settings_update(
                organization=organization,
                actor=_user(request),
                disabled=[i for i in REGISTRY if i not in enabled],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Lint settings saved."))
        return redirect("policy:lints")
    disabled = set(disabled_lints_for(organization=organization))
    probe = LintContext.build(
        ScreeningPolicy.from_dict(
            {"organization": {"name": organization.name}, "preset": "balanced"}
        ),
        organization.jurisdictions or None,
    )
    query = request.GET.get("q", "").strip()
    place = request.GET.get("jurisdiction", "")
    places = sorted({j for m in LINT_MODULES for lint in m.LINTS for j in lint.jurisdictions})

    def shown(lint: Any, applies: bool) -> bool:
        text = f"{lint.id} {lint.title} {lint.explanation}".casefold()
        if query and query.casefold() not in text:
            return False
        if place == "mine":
            return applies
        if place == "everywhere":
            return not lint.jurisdictions
        return not place or place in lint.jurisdictions

    groups, hidden, matches = [], [], 0
    for module in LINT_MODULES:
        rows = []
        for lint in module.LINTS:
            row = {"lint": lint, "on": lint.id not in disabled,
                   "applies": probe.applies_in(lint.jurisdictions)}
            if shown(lint, row["applies"]):
                rows.append(row)
            else:
                hidden.append(row)  # kept in the form so saving never flips what is filtered out
        matches += len(rows)
        if rows:
            groups.append({"title": module.TITLE, "rows": rows})
    return render(
        request,
        "policy/lints.html",
        {
            "groups": groups,
            "hidden": hidden,
            "matches": matches,
            "q": query,
            "place": place,
            "places": places,
            "filtered": bool(query or place),
            "jurisdictions": organization.jurisdictions,
            "total": len(REGISTRY),
        },
    )
