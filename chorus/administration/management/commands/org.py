from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chorus.administration.management.commands._setup_args import (
    add_organization_arguments,
    read_password,
    require,
)
from chorus.administration.selectors import organization_list
from chorus.administration.services import (
    invitation_url,
    organization_setup,
    organization_suspend,
    organization_unsuspend,
)
from chorus.common.errors import DomainError
from chorus.ops.orgdata import OrgDataError, org_delete, org_export
from chorus.people.models import Organization


class Command(BaseCommand):
    help = "Platform operator: create, list, suspend, unsuspend, export and delete organizations."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = sub.add_parser(
            "create",
            help="Create an organization and invite (or create) its first administrator.",
            description="Without a password the administrator gets an invitation link.",
        )
        add_organization_arguments(create)
        sub.add_parser("list", help="List every organization with its status.")
        suspend = sub.add_parser("suspend", help="Suspend an organization (members are refused).")
        suspend.add_argument("slug")
        suspend.add_argument("--reason", required=True, help="Shown to its members.")
        unsuspend = sub.add_parser("unsuspend", help="Lift a suspension.")
        unsuspend.add_argument("slug")
        export = sub.add_parser("export", help="Export every row and file of one organization.")
        export.add_argument("organization_id", type=int)
        export.add_argument(
            "--output",
            "-o",
            type=Path,
            default=None,
            help="Archive file (default: chorus-org-<ID>.tar).",
        )
        delete = sub.add_parser("delete", help="Delete one organization and all of its data.")
        delete.add_argument("organization_id", type=int)
        delete.add_argument(
            "--confirm",
            required=True,
            metavar="NAME",
            help="The organization's exact name, as a guard against a wrong id.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except OrgDataError as exc:
            raise CommandError(str(exc), returncode=1) from None
        except DomainError as exc:
            where = f" ({exc.field})" if exc.field else ""
            raise CommandError(f"{exc.message}{where}") from None

    def _org(self, slug: str) -> Organization:
        org = Organization.objects.filter(slug=slug).first()
        if org is None:
            raise CommandError(f"No organization with slug {slug!r}; see `chorus org list`.")
        return org

    def _create(self, options: dict[str, Any]) -> None:
        require(options, "name", "admin_email", "admin_name")
        if not options["jurisdictions"]:
            raise CommandError("Give at least one --jurisdiction (for example US or EU).")
        result = organization_setup(
            name=options["name"],
            verified_domains=options["domains"],
            jurisdictions=options["jurisdictions"],
            timezone=options["timezone"],
            language=options["language"],
            admin_email=options["admin_email"],
            admin_name=options["admin_name"],
            admin_password=read_password(options, required=False),
            preset=options["preset"],
            first_run=False,
            method="cli",
        )
        org = result.organization
        self.stdout.write(self.style.SUCCESS(f"Created {org.name} (slug {org.slug})."))
        if result.invitation is not None:
            self.stdout.write(
                f"Invitation for {result.invitation.email} e-mailed; the link (valid until "
                f"{result.invitation.expires_at:%Y-%m-%d %H:%M} UTC) is:\n"
                f"{invitation_url(result.invitation)}"
            )
        else:
            self.stdout.write(f"Administrator account: {options['admin_email']}")

    def _list(self, options: dict[str, Any]) -> None:
        rows = list(organization_list())
        if not rows:
            self.stdout.write("No organizations yet. Create one with `chorus init`.")
            return
        self.stdout.write(f"{'slug':<28} {'status':<10} {'users':>5}  name")
        for org in rows:
            status = "suspended" if org.suspended_at else "active"
            self.stdout.write(
                f"{org.slug:<28} {status:<10} {org.active_users:>5}  {org.name}"  # type: ignore[attr-defined]
            )

    def _suspend(self, options: dict[str, Any]) -> None:
        org = organization_suspend(
            organization=self._org(options["slug"]), reason=options["reason"]
        )
        self.stdout.write(self.style.SUCCESS(f"{org.name} is suspended: {org.suspended_reason}"))

    def _unsuspend(self, options: dict[str, Any]) -> None:
        org = organization_unsuspend(organization=self._org(options["slug"]))
        self.stdout.write(self.style.SUCCESS(f"{org.name} is active again."))

    def _export(self, options: dict[str, Any]) -> None:
        org_id = options["organization_id"]
        output = options["output"] or Path(f"chorus-org-{org_id}.tar")
        manifest = org_export(organization_id=org_id, output=output)
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            f"Exported organization {org_id} ({manifest['organization']['name']}) to "
            f"{output}: {rows} rows, {len(manifest['files']) - 1} file(s)."
        )
        if manifest["missing_files"]:
            self.stderr.write(
                f"{len(manifest['missing_files'])} file(s) referenced by rows were "
                "missing from MEDIA_ROOT and are listed in manifest.json."
            )

    def _delete(self, options: dict[str, Any]) -> None:
        org_id = options["organization_id"]
        deleted = org_delete(organization_id=org_id, confirm_name=options["confirm"])
        self.stdout.write(
            f"Deleted organization {org_id}: {sum(deleted.values())} rows in "
            f"{len(deleted)} tables, and its uploaded files."
        )
