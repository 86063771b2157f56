"""`chorus policy validate|lint|import|export`: policy-as-code from the command line.

Exit status: 0 success; 1 when `lint` finds an error-level lint (or the level given by
`--fail-on`); 2 for an unreadable or invalid file, with the line and field on stderr.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chorus.policy.lints import ERROR, LEVEL_RANK, WARNING, lint_document, summarize
from chorus.screening.policy import PolicyError, load_policy_file


class Command(BaseCommand):
    help = "Policy-as-code: validate, lint, import and export policy YAML files."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        validate = sub.add_parser(
            "validate", help="Check a policy file; errors name the line and field."
        )
        validate.add_argument("file")

        lint = sub.add_parser(
            "lint", help="Lint a policy file against labor, privacy and consumer law."
        )
        lint.add_argument("file")
        lint.add_argument("--format", choices=["text", "json"], default="text")
        lint.add_argument(
            "--jurisdiction",
            action="append",
            default=None,
            metavar="CODE",
            help="Jurisdiction to lint for (repeatable), e.g. US, US-CA, EU, DE, UK, FINRA. "
            "Default: organization.jurisdictions in the file, else every lint.",
        )
        lint.add_argument(
            "--disable",
            action="append",
            default=[],
            metavar="LINT_ID",
            help="Switch a lint off (repeatable).",
        )
        lint.add_argument(
            "--fail-on",
            choices=["error", "warning", "never"],
            default="error",
            help="Exit 1 when a finding at or above this level fires (default: error).",
        )

        imp = sub.add_parser("import", help="Import a policy file as a new draft.")
        imp.add_argument("file")
        imp.add_argument(
            "--org",
            default="",
            help="Organization slug, e.g. northwind-robotics (optional when there is only one).",
        )
        imp.add_argument("--title", default="", help="Policy title (default: the file's title).")
        imp.add_argument(
            "--policy",
            type=int,
            default=None,
            help="Add the draft as the next version of this policy id.",
        )
        imp.add_argument(
            "--actor", default="", help="E-mail of the author to record (default: an admin)."
        )

        preview = sub.add_parser(
            "preview",
            help="Replay the organization's stored screened texts against a policy file and "
            "the published version; print what would change.",
        )
        preview.add_argument("file")
        preview.add_argument("--org", default="", help="Organization slug (optional when "
                             "there is only one).")
        preview.add_argument("--format", choices=["text", "json"], default="text")
        preview.add_argument("--fail-on-protected", action="store_true",
                             help="Exit 1 when the file would block protected activity.")

        exp = sub.add_parser("export", help="Print a policy version as YAML.")
        exp.add_argument("version_id", type=int)
        exp.add_argument("--output", "-o", default="-", help="File to write (default: stdout).")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        getattr(self, f"_{action}")(options)

    # ------------------------------------------------------------------ actions

    def _load(self, path: str) -> dict[str, Any]:
        try:
            return load_policy_file(path).to_dict()
        except PolicyError as err:
            raise CommandError(str(err), returncode=2) from err

    def _validate(self, options: dict[str, Any]) -> None:
        document = self._load(options["file"])
        rules = len(document.get("rules", []))
        self.stdout.write(
            f"{options['file']}: valid ({document['preset']} preset, {rules} rule"
            f"{'s' if rules != 1 else ''} configured)."
        )

    def _lint(self, options: dict[str, Any]) -> None:
        document = self._load(options["file"])
        findings = lint_document(
            document, jurisdictions=options["jurisdiction"], disabled=options["disable"]
        )
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(
                    {
                        "file": options["file"],
                        "counts": summarize(findings),
                        "findings": [f.to_dict() for f in findings],
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            for f in findings:
                self.stdout.write(
                    f"{options['file']}: {f.path}: {f.severity}: {f.lint_id} {f.title}"
                )
                if f.excerpt:
                    self.stdout.write(f"    “{f.excerpt}”")
                self.stdout.write(f"    {f.explanation}")
                self.stdout.write(f"    Source: {'; '.join(s.label for s in f.sources)}")
                if f.suggestion:
                    self.stdout.write(f"    Suggested: {f.suggestion}")
            counts = summarize(findings)
            self.stdout.write(
                f"{counts[ERROR]} error(s), {counts[WARNING]} warning(s), {counts['info']} note(s)."
            )
        threshold = options["fail_on"]
        if threshold != "never" and any(
            LEVEL_RANK[f.severity] >= LEVEL_RANK[threshold] for f in findings
        ):
            sys.stdout.flush()
            raise CommandError(f"lint found {threshold}-level findings", returncode=1)

    def _organization(self, slug: str) -> Any:
        from chorus.people.models import Organization

        if slug:
            organization = Organization.objects.filter(slug=slug).first()
            if organization is None:
                raise CommandError(f"No organization with slug {slug!r}.", returncode=2)
            return organization
        organizations = list(Organization.objects.order_by("pk")[:2])
        if len(organizations) != 1:
            raise CommandError("Pass --org SLUG to say which organization.", returncode=2)
        return organizations[0]

    def _preview(self, options: dict[str, Any]) -> None:
        import time

        from chorus.policy.impact import run_replay, stored_text_count
        from chorus.policy.selectors import policy_version_current
        from chorus.screening.policy import Policy as ScreeningPolicy

        new = ScreeningPolicy.from_dict(self._load(options["file"]))
        organization = self._organization(options["org"])
        current = policy_version_current(organization=organization)
        old = ScreeningPolicy.from_dict(current.document) if current is not None else None
        total = stored_text_count(organization=organization)
        started = time.perf_counter()

        def progress(n: int) -> None:
            if options["format"] == "text" and total:
                self.stderr.write(f"  {n}/{total} texts")

        tally = run_replay(organization=organization, old=old, new=new, progress=progress)
        result = tally.to_dict()
        seconds = time.perf_counter() - started
        if options["format"] == "json":
            result.pop("stricter"), result.pop("looser")
            for sample in result["protected"]:
                sample.pop("text", None)
            self.stdout.write(json.dumps({**result, "seconds": round(seconds, 2)}, indent=2))
        else:
            against = f"version {current.number}" if current else "nothing published"
            self.stdout.write(
                f"{result['texts']} stored texts replayed against {against} in {seconds:.1f} s")
            self.stdout.write(f"verdict changes: {result['verdict_changes']} "
                              f"({', '.join(f'{k} {v}' for k, v in result['verdicts'].items())})"
                              if result["verdicts"] else "verdict changes: 0")
            self.stdout.write(f"newly blocked: {result['newly_blocked']}; "
                              f"people affected: {result['people']}")
            for row in result["rules"]:
                self.stdout.write(f"  {row['rule_id']:<32} +{row['appear']:<6} "
                                  f"-{row['disappear']:<6} {row['title']}")
            if result["protected_count"]:
                self.stdout.write(
                    f"ERROR: {result['protected_count']} post(s) about working conditions "
                    "(protected activity) would be blocked; fix the rule before publishing.")
        if options["fail_on_protected"] and result["protected_count"]:
            raise CommandError("The policy would block protected activity.", returncode=1)

    def _import(self, options: dict[str, Any]) -> None:
        from chorus.common.errors import DomainError
        from chorus.people.models import Organization, User
        from chorus.people.roles import Role
        from chorus.policy.models import Policy
        from chorus.policy.services import policy_import_yaml

        if options["org"]:
            organization = Organization.objects.filter(slug=options["org"]).first()
            if organization is None:
                raise CommandError(f"No organization with slug {options['org']!r}.", returncode=2)
        else:
            organizations = list(Organization.objects.order_by("pk")[:2])
            if len(organizations) != 1:
                raise CommandError(
                    "Pass --org SLUG to say which organization imports the policy.", returncode=2
                )
            organization = organizations[0]
        users = User.objects.filter(organization=organization, is_active=True)
        actor = (
            users.filter(email__iexact=options["actor"]).first()
            if options["actor"]
            else users.filter(groups__name=Role.ADMIN).order_by("pk").first()
        )
        if actor is None:
            raise CommandError(
                "No author found: pass --actor with the e-mail of an admin, "
                "communications or legal user.",
                returncode=2,
            )
        try:
            raw = open(options["file"], "rb").read()  # noqa: SIM115 - short read, closed on exit
        except OSError as exc:
            raise CommandError(
                f"{options['file']}: cannot read: {exc.strerror}", returncode=2
            ) from exc
        policy = None
        if options["policy"]:
            policy = Policy.objects.filter(organization=organization, pk=options["policy"]).first()
            if policy is None:
                raise CommandError(
                    f"No policy {options['policy']} in {organization.slug}.", returncode=2
                )
        try:
            version = policy_import_yaml(
                organization=organization,
                actor=actor,
                text=raw,
                title=options["title"],
                policy=policy,
                source=options["file"],
            )
        except DomainError as exc:
            raise CommandError(f"{options['file']}: {exc.message}", returncode=2) from exc
        self.stdout.write(
            f"Imported {options['file']} as “{version.policy.title}” version {version.number} "
            f"(draft, id {version.pk})."
        )

    def _export(self, options: dict[str, Any]) -> None:
        from chorus.policy.models import PolicyVersion
        from chorus.policy.services import policy_version_export_yaml

        version = (
            PolicyVersion.objects.select_related("policy").filter(pk=options["version_id"]).first()
        )
        if version is None:
            raise CommandError(f"No policy version with id {options['version_id']}.", returncode=2)
        text = policy_version_export_yaml(version)
        if options["output"] == "-":
            self.stdout.write(text, ending="")
        else:
            with open(options["output"], "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stdout.write(f"Wrote {options['output']}.")
