"""Golden `gonogo explain` outputs for eighteen corpus checklists (65, 66, 68, 90 and 91 table-form;
Japanese, Korean, Ukrainian, French, Spanish, German, Russian, Portuguese and Chinese ones), so
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
    "03-k8s-sig-release-comms-tracking.md", "08-zh-node-ieclub-pre-production.md",
    "38-original-table-cell-checkboxes.md", "39-apache-answer-how-to-release.md",
    "40-go-signalflow-client-releasing.md", "65-mosip-go-nogo-release-checklist-table.md",
    "66-pm-skills-launch-checklist-table-sample.md", "68-owasp-asvs-v14-build-deploy-config-levels.md",
    "80-ja-api-security-checklist-release.md", "81-ko-api-security-checklist-release.md",
    "83-uk-api-security-checklist-release.md", "86-fr-api-security-checklist-release.md",
    "88-es-production-checklist-real-bom.md", "90-de-golive-checkliste-status-table.md",
    "91-de-golive-checkliste-phases.md", "92-ru-docker-image-upgrade-checklist.md",
    "95-pt-deploy-producao-checklist.md", "99-derived-bom-crlf-ja-api-security-checklist-release.md",
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
