"""`gonogo demo`: a real run of the self-contained demo, as a user starts it."""

from __future__ import annotations

import re
import socket
from pathlib import Path

from testing.cli import gonogo


def _ports(stdout: str) -> dict[str, int]:
    return {m[1]: int(m[2]) for m in re.finditer(r"^service: +(\w+) http://127\.0\.0\.1:(\d+)", stdout, re.M)}


def _port_closed(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1.0)
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_demo_runs_no_go_then_go_and_keeps_the_workspace(tmp_path: Path) -> None:
    workspace = tmp_path / "demo"

    proc = gonogo("demo", "--dir", str(workspace), cwd=tmp_path)

    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    # the gate's own verdict lines, in order: first NO-GO, then GO
    verdicts = re.findall(r"^(NO-GO|GO): .* · run (\S+)$", out, re.M)
    assert [v for v, _ in verdicts] == ["NO-GO", "GO"]
    assert re.search(r"run 1 \(planted problems\): +NO-GO +exit 1 +as designed", out)
    assert re.search(r"run 2 \(problems fixed\): +GO +exit 0 +as designed", out)
    # the planted problems are what blocked the first run
    assert "✗ API build passes" in out
    assert "↷ Lint passes (no errors)" in out
    assert "✗ `JWT_SECRET` is strong (32+ characters)" in out
    assert "✗ API `/health` returns 200" in out and "HTTP 503, expected 200" in out
    assert "Contacts:\n  VPS Provider: Hosting panel @ provider" in out
    # secrets never reach the screen
    env_file = (workspace / ".env.production").read_text()
    jwt = re.search(r"^JWT_SECRET=(.+)$", env_file, re.M)
    assert jwt and jwt[1] not in out

    reports = re.findall(r"^  HTML report, run (\d): (.+)$", out, re.M)
    assert [n for n, _ in reports] == ["1", "2"]
    first, second = (Path(p) for _, p in reports)
    assert first.is_file() and second.is_file()
    assert f"<title>acme-shop — NO-GO — gonogo run {verdicts[0][1]}</title>" in first.read_text()
    assert f"<title>acme-shop — GO — gonogo run {verdicts[1][1]}</title>" in second.read_text()

    assert f"cd {workspace}" in out
    runs = gonogo("runs", cwd=workspace)
    assert runs.returncode == 0, runs.stderr
    rows = [line for line in runs.stdout.splitlines()[1:] if line.strip()]
    assert len(rows) == 2
    assert re.match(rf"{verdicts[1][1]} +demo +production +GO ", rows[0])
    assert re.match(rf"{verdicts[0][1]} +demo +production +NO-GO ", rows[1])

    ports = _ports(out)
    assert set(ports) == {"api", "web"}
    assert all(_port_closed(port) for port in ports.values()), "a demo service is still running"


def test_demo_without_dir_removes_its_workspace_but_not_the_reports(tmp_path: Path) -> None:
    proc = gonogo("demo", cwd=tmp_path, env={"TMPDIR": str(tmp_path)})

    assert proc.returncode == 0, proc.stdout + proc.stderr
    workspace = Path(re.findall(r"^workspace: (\S+)", proc.stdout, re.M)[0])
    assert not workspace.exists()
    assert "The workspace was removed; `gonogo demo --dir PATH` keeps one to explore." in proc.stdout
    report = Path(re.findall(r"^  HTML report, run 2: (.+)$", proc.stdout, re.M)[0])
    assert report.is_file() and "— GO —" in report.read_text()
    assert all(_port_closed(port) for port in _ports(proc.stdout).values())


def test_demo_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")

    proc = gonogo("demo", "--dir", str(tmp_path), cwd=tmp_path)

    assert proc.returncode == 2
    assert proc.stderr == (
        f"gonogo: error: --dir {tmp_path}: the folder is not empty and not a gonogo demo "
        "workspace; pass a new or empty folder\n"
    )
    assert (tmp_path / "notes.txt").read_text() == "mine\n"


def test_the_demo_fills_only_its_own_placeholders() -> None:
    from gonogo.commands.demo import _fill

    text = 'port: "{{API_PORT}}"\nrun: ["${python}", "$${HOME}"]\n{{UNKNOWN}} {{ API_PORT }}\n'

    assert _fill(text, {"API_PORT": "8123", "python": "/usr/bin/python3"}) == (
        'port: "8123"\nrun: ["${python}", "$${HOME}"]\n{{UNKNOWN}} {{ API_PORT }}\n'
    )
