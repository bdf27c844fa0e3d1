"""`gonogo explain` on big Markdown checklists: does it grow linearly with the document?

Generated checklists of 300, 3,000 and 30,000 items (sections of the reference checklist's
shape: a ```bash block with `curl`, `pnpm` and `pg_dump` lines, then task items of every
recognised kind), and a 1 MB "real-shaped" document (many sections with `curl` lines,
tables with a box per row, numbered step headings with code blocks, plain bullets under a
"Verify" heading). Each is explained by the real CLI in a subprocess; the time printed is
the CPU time (user + system) of the child minus start-up (`gonogo explain` of a one-item
checklist), median of runs. CPU time rather than wall time because the machine is shared:
on a loaded machine wall time measures the queue; wall time is printed too.

Targets: 3,000 items in ≤ 1 s beyond start-up, and time(3,000) ≤ 3 × time(300) (whole
runs, start-up included, as a user sees them: 1.3 s and 7.8 s before this work).

    .venv/bin/python bench/markdown.py [--repeat 3] [--skip-30000]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_3000_S = 1.0
TARGET_RATIO = 3.0

_SECTION = """\
### {n}. Service {n}

```bash
curl -fsS https://api.example.com/v{n}/health
curl -fsS https://example.com/page{n}
pnpm --filter svc{n} build
pnpm --filter svc{n} lint
```

- [ ] `pnpm --filter svc{n} build` succeeds
- [ ] Lint passes for svc{n}
- [ ] API endpoint `/v{n}/health` returns 200
- [ ] Homepage page{n} loads
- [ ] `SVC{n}_URL` points to production
- [ ] `SVC{n}_SECRET` is strong (32+ characters)
- [ ] Reviewed by the owner of svc{n}
- [ ] Changelog updated for svc{n}
- [ ] Dashboards for svc{n} show no anomalies
- [ ] Error logs of svc{n} are clean

"""

_TABLE_HEAD = "| Item | Status | Verified By | Date |\n|------|--------|-------------|------|\n"
_REAL = """\
## {n}) Publish service {n}

Build and publish the artefact, then check it answers.

```console
$ curl -fsS https://api.example.org/svc{n}/health
$ git status --short
```

### Verify service {n}

- The health endpoint of svc{n} returns 200
- `curl https://example.org/svc{n}` loads
- Error logs of svc{n} are clean

| Item | Status | Verified By | Date |
|------|--------|-------------|------|
| Backups of svc{n} verified | [ ] | | |
| Alerts for svc{n} routed | ☐ | | |
| Runbook for svc{n} reviewed <br> by on-call | [ ] | | |

- [ ] `SVC{n}_TOKEN` is set in production
- [ ] svc{n} deploy announced

Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut
labore et dolore magna aliqua. See https://docs.example.org/svc{n} for details.

"""


def generated(items: int) -> str:
    """A checklist of ``items`` task items in sections of ten, under phase headings."""
    out = ["# Production Deployment Checklist\n\n## Pre-Deployment Verification\n\n"]
    for n in range(items // 10):
        out.append(_SECTION.format(n=n))
    return "".join(out)


def real_shaped(size: int = 1_000_000) -> str:
    out = ["# Release checklist\n\n## Before you deploy\n\n"]
    n = 0
    while sum(len(p) for p in out) < size:
        out.append(_REAL.format(n=n))
        n += 1
    return "".join(out)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONOGO_")}
    env["NO_COLOR"] = "1"
    return env


def _explain(path: Path) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one `gonogo explain PATH`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "gonogo", "explain", str(path)], cwd=path.parent,
                            env=_env(), capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"explain {path.name} failed ({result.returncode}): {result.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def _median(path: Path, repeat: int) -> tuple[float, float]:
    runs = [_explain(path) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-30000", action="store_true", help="leave out the 30,000-item checklist")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        base = root / "one.md"
        base.write_text("# One\n\n## Pre-deployment\n\n- [ ] Changelog updated\n", encoding="utf-8")
        start_up, start_wall = _median(base, args.repeat)
        print(f"start-up (explain of a one-item checklist): {start_up:.2f}s CPU, {start_wall:.2f}s wall")
        times: dict[str, float] = {}
        cases = [("300 items", generated(300)), ("3,000 items", generated(3000))]
        if not args.skip_30000:
            cases.append(("30,000 items", generated(30000)))
        cases.append(("1 MB real-shaped document", real_shaped()))
        for name, text in cases:
            path = root / (name.split()[0].replace(",", "") + ".md")
            path.write_text(text, encoding="utf-8")
            repeat = 1 if name.startswith("30,000") else args.repeat
            cpu, wall = _median(path, repeat)
            times[name] = cpu - start_up
            print(f"{name:28} {len(text) / 1e6:5.2f} MB  {times[name]:7.2f}s CPU beyond start-up "
                  f"({cpu:.2f}s CPU, {wall:.2f}s wall in all)")
    t300, t3000 = times["300 items"], times["3,000 items"]
    ratio = (t3000 + start_up) / (t300 + start_up)
    ok_time = t3000 <= TARGET_3000_S
    ok_ratio = ratio <= TARGET_RATIO
    print(f"target: 3,000 items ≤ {TARGET_3000_S:.0f}s beyond start-up: {t3000:.2f}s "
          f"{'ok' if ok_time else 'MISSED'}")
    print(f"target: time(3,000) ≤ {TARGET_RATIO:.0f} × time(300): {ratio:.1f}× {'ok' if ok_ratio else 'MISSED'}")
    return 0 if ok_time and ok_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
