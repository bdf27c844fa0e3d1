"""Golden `gonogo explain` outputs for fifteen corpus checklists (65, 66 and 68 table-form), so
that a change in how items bind shows up in review as a diff of these files.

Regenerate after an intended change (then read the diff before committing):

    GONOGO_REGEN_GOLDEN=1 .venv/bin/python -m pytest tests/markdown/test_golden.py -p no:cacheprovider
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from testing.cli import gonogo

CORPUS = Path(__file__).parent.parent / "data" / "checklists"
GOLDEN = Path(__file__).parent.parent / "data" / "golden" / "corpus"
CHOSEN = (
    "03-k8s-sig-release-comms-tracking.md", "06-django-production-checklist.md",
    "08-zh-node-ieclub-pre-production.md", "09-ja-python-cloudrun-deploy.md",
    "11-zh-go-nginx-deployment.md", "13-k8s-helm-production-readiness.md",
    "15-es-rails-coolify-deployment.md", "25-pt-nextjs-prisma-docker-deploy.md",
    "31-ru-python-celery-production-checklist.md", "38-original-table-cell-checkboxes.md",
    "39-apache-answer-how-to-release.md", "40-go-signalflow-client-releasing.md",
    "65-mosip-go-nogo-release-checklist-table.md", "66-pm-skills-launch-checklist-table-sample.md",
    "68-owasp-asvs-v14-build-deploy-config-levels.md",
)


@pytest.mark.parametrize("name", CHOSEN)
def test_explain_matches_its_golden_file(name: str) -> None:
    result = gonogo("explain", name, cwd=CORPUS)
    assert result.returncode == 0, result.stderr
    golden = GOLDEN / (Path(name).stem + ".txt")
    if os.environ.get("GONOGO_REGEN_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")
