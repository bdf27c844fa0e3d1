"""`gonogo check` changes nothing: run over the whole checklist corpus and a set of hostile
documents with every program on PATH shadowed by a recording shim, it runs only
allow-listed read-only programs, and no file outside the project's state folder changes."""

from __future__ import annotations

import hashlib
import re
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from testing.cli import gonogo, write

CORPUS = Path(__file__).parent.parent / "data" / "checklists"
FILES = sorted(p for p in CORPUS.glob("*.md") if p.name != "SOURCES.md")

HOSTILE = {
    "hostile-quality.md": """# Release

## Pre-deployment checks

```bash
rm -r build && npm run build
find . -name '*.orig' -delete
docker compose down -v
git clean -fdx
sed -i 's/debug/info/' app.conf
echo x > written.txt
curl -X POST http://127.0.0.1:9/deploy
sh -c 'rm -rf keep'
echo $(rm keep/a.txt)
ls keep | xargs rm
./deploy.sh
/bin/rm -f keep/b.txt
cat <<EOF > heredoc.txt
x
EOF
psql <<EOF
DROP TABLE users;
EOF
npm test
git status
```

- [ ] Build passes
- [ ] Update deployment status in `../outside/status.md`
""",
    "hostile-cloud.md": """# Shipping notes

## Things we do

```bash
gcloud run deploy api --image gcr.io/p/api
vercel --prod
alembic upgrade head
```

- [ ] `gcloud run deploy api --image gcr.io/p/api` succeeds
- [ ] `vercel --prod` done
- [ ] Notify team of deployment

## Verify deployment

```bash
curl -s http://127.0.0.1:9/health
curl -sS -X DELETE http://127.0.0.1:9/cache
pnpm --filter web lint
```

- [ ] Lint passes
""",
    "hostile-annotated.md": """# Release

## Pre-deployment

```bash
touch allowed.txt  # gonogo: allow
```

- [ ] Cache warmed <!-- gonogo: {run: "touch annotated.txt"} -->
- [ ] Old files gone <!-- gonogo: {type: record, path: ../outside/status.md} -->
""",
}

#: Exactly the programs each hostile document may run under `check`.
HOSTILE_RUNS = {
    "hostile-quality.md": ["npm test", "git status"],  # `rm -r build && npm run build`: not at all
    "hostile-cloud.md": ["curl -s http://127.0.0.1:9/health", "pnpm --filter web lint"],
    # explicit opt-ins run (the annotated record is a state-changing type: never under check)
    "hostile-annotated.md": ["touch allowed.txt", "touch annotated.txt"],
}

#: Exactly what the corpus makes `check` run (measured with the shims; each one read-only).
CORPUS_RUNS = {
    "08-zh-node-ieclub-pre-production.md": [
        "curl -I http://ieclub.online",
        "curl -I https://ieclub.online",
        "curl -I https://ieclub.online/",
        "curl https://ieclub.online/api/health",
        "curl https://ieclub.online/api/test",
    ],
}
#: Arguments that would mean a change got through.
FORBIDDEN = re.compile(r"(^| )(rm|publish|deploy|push|delete|-delete|destroy|apply|down|clean|"
                       r"upgrade|migrate|restart|reload|stop|kill|--prod|-X POST|-X PUT|-X DELETE|-i)( |$)")


@pytest.fixture(scope="module")
def shims(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory where every word that could name a program is a script that logs its argv."""
    directory = tmp_path_factory.mktemp("shims")
    names: set[str] = {"sh", "bash", "env", "node", "python", "python3", "npm", "npx", "pnpm", "yarn",
                       "git", "docker", "curl", "rm", "touch", "cat", "ls", "psql", "kill", "gcloud",
                       "vercel", "alembic", "find", "sed", "xargs", "tee", "mkdir", "cp", "mv", "tsc",
                       "eslint", "prisma", "docker-compose", "pg_dump", "pg_restore", "sudo", "ssh"}
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in FILES] + list(HOSTILE.values())
    for text in texts:
        for block in re.findall(r"```[^\n]*\n(.*?)```", text, re.S):
            names.update(re.findall(r"(?<![\w./$-])([A-Za-z_][\w.+-]*)", block))
    for name in names:
        shim = directory / name
        shim.write_text('#!/bin/sh\nprintf \'%s\\n\' "${0##*/} $*" >> "$SHIM_LOG"\nexit 0\n')
        shim.chmod(stat.S_IRWXU)
    return directory


def _snapshot(root: Path, skip: Path | None = None) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        if skip is not None and (path == skip or skip in path.parents):
            continue
        found[str(path.relative_to(root))] = (
            hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir")
    return found


def _check(tmp_path: Path, shims: Path, name: str, text: str) -> tuple[list[str], str]:
    """Run `gonogo check -c DOC` in a fresh project; the logged argvs and the output."""
    root = tmp_path / name.removesuffix(".md")
    project, outside, home = root / "project", root / "outside", root / "home"
    write(outside / "status.md", "# status\n")
    write(project / "keep" / "a.txt", "a\n")
    write(project / "keep" / "b.txt", "b\n")
    write(project / "app.conf", "level=debug\n")
    write(project / "deploy.sh", '#!/bin/sh\nprintf "%s\\n" "deploy.sh $*" >> "$SHIM_LOG"\n').chmod(0o700)
    home.mkdir()
    document = write(project / name, text)
    log = root / "programs.log"
    log.touch()
    before = _snapshot(root, skip=project / ".gonogo")
    result = gonogo("check", "-c", str(document), cwd=project, timeout=300, env={
        "PATH": str(shims), "SHIM_LOG": str(log), "HOME": str(home),
        "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
        "ALL_PROXY": "http://127.0.0.1:9", "NO_PROXY": "",
        "DOCKER_HOST": f"unix://{root}/no-docker.sock",  # the Docker API is shadowed too
    })
    assert result.returncode in (0, 1, 2, 4), result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    after = _snapshot(root, skip=project / ".gonogo")
    after.pop(str(log.relative_to(root)), None)
    before.pop(str(log.relative_to(root)), None)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    ran = log.read_text().splitlines()
    # the opted-in `touch` shims log but create nothing, so nothing may differ at all
    assert changed == set(), (changed, ran)
    return ran, result.stdout


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_documents_run_only_read_only_programs(tmp_path: Path, shims: Path, name: str) -> None:
    ran, out = _check(tmp_path, shims, name, HOSTILE[name])
    assert sorted(ran) == sorted(HOSTILE_RUNS[name]), out  # checks of a phase run concurrently


def test_a_record_or_notify_item_is_reported_not_run(tmp_path: Path, shims: Path) -> None:
    _, out = _check(tmp_path, shims, "hostile-annotated.md", HOSTILE["hostile-annotated.md"])
    line = next(x for x in out.splitlines() if "Old files gone" in x)
    assert "changes state; not run by check — runs only under `gonogo deploy`" in line


def test_the_whole_corpus_runs_only_read_only_programs(tmp_path: Path, shims: Path) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:  # each run is a gonogo subprocess
        runs = dict(zip(FILES, pool.map(
            lambda p: _check(tmp_path, shims, p.name, p.read_text(encoding="utf-8", errors="replace"))[0],
            FILES), strict=True))
    everything = {path.name: sorted(ran) for path, ran in runs.items() if ran}
    for ran in everything.values():
        for argv in ran:
            assert not FORBIDDEN.search(argv), argv
    assert everything == CORPUS_RUNS
