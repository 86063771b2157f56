from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chorus.policy.models import PolicyVersion
from chorus.policy.presets import preset_document
from chorus.policy.services import policy_create_from_preset, policy_version_export_yaml
from chorus.screening.policy import Policy, dump_policy_yaml

BAD = """\
organization:
  name: Acme
  jurisdictions: [US, US-CA]
preset: balanced
rules:
  - id: customer.negative
    text: Employees must not make negative remarks about the company.
"""


def run(*args: str) -> str:
    out = StringIO()
    call_command("policy", *args, stdout=out)
    return out.getvalue()


def write(tmp_path, text: str, name: str = "policy.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_validate_accepts_a_preset_and_names_line_and_field_for_errors(tmp_path):
    good = write(
        tmp_path,
        dump_policy_yaml(Policy.from_dict(preset_document("strict", organization_name="Acme"))),
    )
    assert "valid (strict preset" in run("validate", good)

    bad = write(tmp_path, "organization:\n  name: Acme\npreset: medium\n", "bad.yaml")
    with pytest.raises(CommandError) as exc:
        run("validate", bad)
    assert exc.value.returncode == 2
    assert "bad.yaml:3: preset: 'medium' is not one of strict, balanced, loose" in str(exc.value)


def test_lint_exits_1_on_an_error_and_reports_json(tmp_path):
    path = write(tmp_path, BAD)
    out = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("policy", "lint", path, "--format", "json", stdout=out)
    assert exc.value.returncode == 1
    report = json.loads(out.getvalue())
    assert report["counts"]["error"] >= 1
    assert report["findings"][0]["lint_id"] == "L-NLRA-01"
    assert report["findings"][0]["field"] == "rules[0].text"


def test_lint_honours_jurisdictions_and_fail_on(tmp_path):
    path = write(tmp_path, BAD)
    assert "0 error(s)" in run("lint", path, "--jurisdiction", "DE")
    assert "L-NLRA-01" in run("lint", path, "--fail-on", "never")


def test_lint_of_a_missing_file_exits_2(tmp_path):
    with pytest.raises(CommandError) as exc:
        run("lint", str(tmp_path / "missing.yaml"))
    assert exc.value.returncode == 2 and "cannot read" in str(exc.value)


@pytest.mark.django_db
def test_import_then_export_round_trips(tmp_path, org, admin, comms):
    draft = policy_create_from_preset(
        organization=org, actor=comms, preset="balanced", title="Policy"
    )
    path = write(tmp_path, policy_version_export_yaml(draft))

    assert "version 1 (draft" in run("import", path, "--org", org.slug, "--title", "From the CLI")

    imported = PolicyVersion.objects.get(origin="import")
    assert imported.document == draft.document and imported.policy.title == "From the CLI"
    assert run("export", str(imported.pk)) == policy_version_export_yaml(draft)


@pytest.mark.django_db
def test_import_of_an_invalid_file_creates_nothing(tmp_path, org, admin):
    path = write(tmp_path, "organization:\n  name: Acme\npreset: balanced\nrules:\n  - id: x\n")
    with pytest.raises(CommandError) as exc:
        run("import", path, "--org", org.slug)
    assert exc.value.returncode == 2 and "Line 5" in str(exc.value) and "category" in str(exc.value)
    assert PolicyVersion.objects.count() == 0


def test_validate_refuses_a_recursive_alias_with_exit_2(tmp_path):
    path = write(tmp_path, "schema: 1\ntitle: x\nrules: &x [*x]\n", "loop.yaml")
    with pytest.raises(CommandError) as exc:
        run("validate", path)
    assert exc.value.returncode == 2
    assert "loop.yaml:3" in str(exc.value) and "aliases are not allowed" in str(exc.value)
