"""The GitHub Pages workflow: valid against GitHub's schema, clean for zizmor, and doing what the README says."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import REPO

WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    path = BIN / name
    assert path.exists(), f"{name} absent de .venv : lancez la commande de test du README (requirements-dev.txt)"
    return str(path)


def load() -> dict:
    # PyYAML reads the key `on` as the boolean True (YAML 1.1): map it back.
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    if True in data:
        data["on"] = data.pop(True)
    return data


def test_workflow_matches_the_github_schema():
    result = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


def test_schema_check_rejects_a_broken_workflow(tmp_path):
    """The schema check can fail: a job without runs-on and a misspelt key are refused."""
    broken = tmp_path / "pages.yml"
    broken.write_text(WORKFLOW.read_text(encoding="utf-8").replace("runs-on:", "run-on:", 1), encoding="utf-8")
    result = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(broken)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout


def zizmor(path: Path) -> list[dict]:
    result = subprocess.run([_tool("zizmor"), "--offline", "--format=json", "--persona=pedantic", str(path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode in (0, 10, 11, 12, 13, 14), result.stderr  # 1x: findings, by highest severity
    return json.loads(result.stdout)


def test_zizmor_finds_nothing_of_medium_severity_or_more():
    findings = zizmor(WORKFLOW)
    serious = [f"{f['ident']} ({f['determinations']['severity']})" for f in findings
               if f["determinations"]["severity"] not in ("Unknown", "Informational", "Low")]
    assert serious == []
    assert findings == [], [f["ident"] for f in findings]  # pedantic persona: not even a low one today


def test_zizmor_flags_an_unpinned_action_and_persisted_credentials(tmp_path):
    """zizmor can fail: the same workflow with a tag instead of a SHA and default checkout is reported."""
    text = WORKFLOW.read_text(encoding="utf-8")
    text = re.sub(r"actions/checkout@[0-9a-f]{40}[^\n]*", "actions/checkout@v5", text)
    text = text.replace("persist-credentials: false", "fetch-depth: 1")
    weak = tmp_path / "pages.yml"
    weak.write_text(text, encoding="utf-8")
    idents = {f["ident"] for f in zizmor(weak)}
    assert {"unpinned-uses", "artipacked"} <= idents, idents


def test_every_action_is_pinned_to_a_commit_with_its_version():
    uses = re.findall(r"uses: (\S+)(.*)", WORKFLOW.read_text(encoding="utf-8"))
    assert len(uses) == 5  # checkout, setup-python, configure-pages, upload-pages-artifact, deploy-pages
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r" # v\d+\.\d+\.\d+", comment), (action, comment)


def test_workflow_publishes_with_minimal_permissions():
    flow = load()
    assert flow["on"]["push"]["branches"] == ["main"] and "workflow_dispatch" in flow["on"]
    assert flow["permissions"] == {"contents": "read"}
    assert flow["concurrency"]["group"] == "pages"
    build, deploy = flow["jobs"]["build"], flow["jobs"]["deploy"]
    assert "permissions" not in build
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    steps = {step.get("uses", "").split("@")[0] or step["run"].split("\n")[0]: step for step in build["steps"]}
    assert steps["actions/checkout"]["with"]["persist-credentials"] is False
    assert steps["actions/setup-python"]["with"]["python-version"] == "3.11"
    assert steps["actions/upload-pages-artifact"]["with"] == {"path": "site", "include-hidden-files": True}
    runs = [step.get("run", "") for step in build["steps"]]
    assert "bash scripts/run-tests.sh -q" in runs            # the README's test command
    site = next(step for step in build["steps"] if step.get("run", "").startswith(".venv/bin/python build.py --strict"))
    assert site["env"]["ATELIER_SITE_URL"] == "${{ steps.pages.outputs.base_url }}"
    order = [step.get("uses", "").split("@")[0] or step["run"] for step in build["steps"]]
    assert order.index("bash scripts/run-tests.sh -q") < order.index(".venv/bin/python build.py --strict") \
        < order.index(".venv/bin/python build.py pdf") < order.index("actions/upload-pages-artifact")
    # The book comes from the pinned Pandoc and Typst wheels of requirements.txt: no Quarto to install.
    assert not any(step.startswith("quarto-dev/") for step in order)
    pdf = next(step for step in build["steps"] if step.get("run") == ".venv/bin/python build.py pdf")
    assert pdf["env"]["ATELIER_SITE_URL"] == "${{ steps.pages.outputs.base_url }}"


def test_every_build_py_command_the_workflow_runs_exists():
    """The workflow calls `build.py pdf`: build.py must offer it (its --help lists the commands)."""
    usage = subprocess.run([sys.executable, str(REPO / "build.py"), "--help"], capture_output=True, text=True,
                           timeout=60).stdout
    commands = next(group for group in re.findall(r"\{([^}]*)\}", usage) if "build" in group.split(","))
    runs = re.findall(r"build\.py (\w[\w-]*)", WORKFLOW.read_text(encoding="utf-8"))
    assert runs and set(runs) <= set(commands.split(",")), (runs, commands)
