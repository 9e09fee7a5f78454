"""make test's pip-audit step: fails on a vulnerability, and says plainly when nothing could be checked."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import audit_dependencies


def _pip_audit_answers(monkeypatch, stdout: str = "", stderr: str = "", returncode: int = 0) -> None:
    def run(*_args, **_kwargs):
        return subprocess.CompletedProcess([], returncode, stdout=stdout, stderr=stderr)

    monkeypatch.setattr(audit_dependencies.subprocess, "run", run)


def _report(*dependencies) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


def test_a_known_vulnerability_fails(monkeypatch, capsys):
    vuln = {"id": "PYSEC-0000-1", "fix_versions": ["2.0"], "description": ""}
    report = _report(
        {"name": "flask", "version": "1.0", "vulns": [vuln]}, {"name": "jinja2", "version": "3", "vulns": []}
    )
    _pip_audit_answers(monkeypatch, report, returncode=1)
    assert audit_dependencies.main() == 1
    assert "VULNERABLE flask 1.0: PYSEC-0000-1 (fixed in 2.0)" in capsys.readouterr().out


def test_nothing_found_passes(monkeypatch, capsys):
    _pip_audit_answers(monkeypatch, _report({"name": "flask", "version": "3.1.3", "vulns": []}))
    assert audit_dependencies.main() == 0
    assert "no known vulnerabilities in 1 packages" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("stdout", "stderr"),
    [
        (_report({"name": "flask", "skip_reason": "Dependency not found on PyPI and could not be audited: flask"}), ""),
        ("", "requests.exceptions.ConnectionError: Max retries exceeded with url: /v1/querybatch"),
    ],
    ids=["every package not found", "connection failed"],
)
def test_an_unreachable_service_is_said_plainly_and_does_not_fail(monkeypatch, capsys, stdout, stderr):
    _pip_audit_answers(monkeypatch, stdout, stderr, returncode=1 if stderr else 0)
    assert audit_dependencies.main() == 0
    assert "pip-audit NOT RUN: its vulnerability service cannot be reached" in capsys.readouterr().out


def test_any_other_failure_fails(monkeypatch):
    _pip_audit_answers(monkeypatch, "", "error: unrecognised option", returncode=2)
    assert audit_dependencies.main() == 2
