"""A section's dependency install runs before the section's checks that use what it writes
(`gonogo.markdown.installs`): `npm ci` then `npm run build`, as a reader runs those lines,
not side by side on a half-made tree."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from testing.cli import gonogo, write
from testing.services import IN_CI

CHECKLIST = """# Release

## Code quality

```bash
npm ci
npm run build
```

- [ ] `npm ci` succeeds
- [ ] Build passes
- [ ] No TypeScript errors
"""

#: The install writes what the build reads, 1.5 s after it starts: the project's
#: postinstall step stands for the tree a real install takes a while to write.
PACKAGE = {
    "name": "shop", "version": "1.0.0", "private": True,
    "scripts": {
        "postinstall": "node -e \"setTimeout(() => require('fs').writeFileSync('installed.txt', 'ok'), 1500)\"",
        "build": "node -e \"require('fs').readFileSync('installed.txt')\"",
    },
}
LOCK = {"name": "shop", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
        "packages": {"": {"name": "shop", "version": "1.0.0", "hasInstallScript": True}}}


def test_explain_shows_the_install_as_a_need_of_the_sections_tooling(tmp_path: Path) -> None:
    write(tmp_path / "release.md", CHECKLIST)
    result = gonogo("explain", "release.md", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (
        "  L11  Build passes\n"
        "       → would run: command {run: npm run build} {needs: [npm-ci-succeeds]}"
        "  [recognized: command of the section; line 7]\n"
    ) in result.stdout
    assert "→ would run: typecheck {needs: [npm-ci-succeeds]}  [recognized: typecheck]" in result.stdout
    assert "→ would run: command {run: npm ci}  [recognized: command of the section; line 6]\n" in result.stdout


def test_a_sidecar_need_is_kept_as_written(tmp_path: Path) -> None:
    write(tmp_path / "release.md", CHECKLIST)
    write(tmp_path / "gonogo.yml", "version: 1\nchecklist: release.md\n"
          "bind:\n  - item: Build passes\n    run: npm run build\n    needs: []\n")
    result = gonogo("explain", "release.md", "-c", "gonogo.yml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "→ would run: command {run: npm run build} {needs: []}  [sidecar]" in result.stdout


def test_check_builds_after_the_install_has_written_the_tree(tmp_path: Path) -> None:
    if shutil.which("npm") is None:
        if IN_CI:
            pytest.fail("npm is not installed")
        pytest.skip("npm is not installed")
    write(tmp_path / "release.md", CHECKLIST.replace("- [ ] No TypeScript errors\n", ""))
    write(tmp_path / "package.json", json.dumps(PACKAGE))
    write(tmp_path / "package-lock.json", json.dumps(LOCK))
    result = gonogo("check", "-c", "release.md", "--report", "json:r.json", cwd=tmp_path,
                    env={"npm_config_offline": "true", "npm_config_audit": "false",
                         "npm_config_fund": "false", "npm_config_cache": str(tmp_path / ".npm")})
    outcomes = {c["title"]: c["outcome"] for c in json.loads((tmp_path / "r.json").read_text())["checks"]}
    assert outcomes == {"`npm ci` succeeds": "passed", "Build passes": "passed"}, result.stdout
    assert result.returncode == 0, result.stdout + result.stderr
    assert "GO: 2 passed" in result.stdout
