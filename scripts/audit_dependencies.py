"""Check the installed packages against known vulnerabilities with pip-audit (make test runs it).

Fails when a package has a known vulnerability, or when pip-audit itself fails. When pip-audit
cannot reach its vulnerability service at all (a machine that reaches only a package mirror:
every package comes back "not found", or the connection fails), it says so plainly and does not
fail, because nothing was checked either way: the message names the cause so nobody reads it
as "no vulnerabilities".
"""

from __future__ import annotations

import json

# Only to run pip-audit from this virtualenv, with fixed arguments.
import subprocess  # nosec B404
import sys

UNREACHABLE_SIGNS = (
    "ConnectionError",
    "NameResolutionError",
    "Max retries exceeded",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "timed out",
)
NOT_FOUND = "Dependency not found on PyPI"


def main() -> int:
    command = [sys.executable, "-m", "pip_audit", "--local", "--progress-spinner", "off", "--format", "json"]
    # Fixed arguments, no shell, our own interpreter.
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        if any(sign in result.stderr for sign in UNREACHABLE_SIGNS):
            return _unreachable("the connection to it failed")
        sys.stderr.write(result.stderr)
        print(f"pip-audit failed (exit {result.returncode}); see above.")
        return result.returncode or 1

    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = len(dependencies) - len(skipped)
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "none yet"
            print(f"VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixes})")
    if vulnerable:
        print(f"pip-audit: {len(vulnerable)} package(s) with known vulnerabilities. Upgrade them in requirements.")
        return 1
    if dependencies and audited == 0 and all(NOT_FOUND in d["skip_reason"] for d in skipped):
        return _unreachable("it answered 'not found' for every package")
    for dependency in skipped:
        print(f"pip-audit could not check {dependency['name']}: {dependency['skip_reason']}")
    print(f"pip-audit: no known vulnerabilities in {audited} packages.")
    return 0


def _unreachable(why: str) -> int:
    print(
        "pip-audit NOT RUN: its vulnerability service cannot be reached from this machine "
        f"({why}), so no package was checked. Run `make audit` where it can be reached."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
