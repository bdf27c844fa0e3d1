"""Local processes: the whole group dies on timeout, lingering children don't hang a check,
and output is captured bounded (head and tail kept, dropped bytes counted)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from gonogo.core.outcomes import Outcome
from gonogo.targets.local import KILL_GRACE_S, BoundedCapture
from testing.checks import run_check
from testing.project import gone, group_members, project


def test_a_timeout_kills_the_whole_group_even_children_that_ignore_sigterm(tmp_path: Path) -> None:
    script = textwrap.dedent("""\
        trap '' TERM
        echo $$ > leader.pid
        sh -c "echo \\$\\$ > child.pid; exec sleep 60" &
        wait
    """)
    (tmp_path / "run.sh").write_text(script)
    result, _ = run_check("command", {"run": ["sh", "run.sh"]}, tmp_path, timeout=0.5)
    assert (result.outcome, result.summary) == (Outcome.FAILED, "timed out after 0.5s")
    assert result.duration_s >= KILL_GRACE_S  # the leader ignored SIGTERM: SIGKILL came after the grace
    leader = int((tmp_path / "leader.pid").read_text())
    child = int((tmp_path / "child.pid").read_text())
    assert gone(leader)
    assert gone(child)
    assert group_members(leader) == []


def test_a_background_child_holding_stdout_does_not_hang_the_check(tmp_path: Path) -> None:
    result, output = run_check("command", {"run": "sleep 60 & echo $! > bg.pid; echo started"},
                               tmp_path, timeout=30)
    assert result.outcome == Outcome.PASSED
    assert result.summary == "exit 0 (a background child kept running and was stopped)"
    assert output == "started\n"
    assert gone(int((tmp_path / "bg.pid").read_text()))


def test_a_daemonizing_child_with_closed_output_is_left_alone(tmp_path: Path) -> None:
    """A child that redirected its output away is not lingering on the check: it passes plainly."""
    result, _ = run_check("command", {"run": "sleep 0.2 >/dev/null 2>&1 & echo ok"}, tmp_path)
    assert (result.outcome, result.summary) == (Outcome.PASSED, "exit 0")


def test_bounded_capture_keeps_head_and_tail_and_counts_the_rest() -> None:
    capture = BoundedCapture(head=4, tail=6)
    for chunk in (b"abc", b"defgh", b"ijklmnop", b"qrstuvwxyz"):
        capture.write(chunk)
    assert capture.total == 26
    assert capture.dropped == 16
    assert capture.text() == "abcd\n… [16 bytes dropped] …\nuvwxyz"


def test_bounded_capture_under_the_limits_is_verbatim() -> None:
    capture = BoundedCapture(head=4, tail=6)
    capture.write(b"abcdefgh")
    assert (capture.dropped, capture.text()) == (0, "abcdefgh")


@pytest.mark.slow
def test_a_gigabyte_of_output_costs_no_memory(tmp_path: Path) -> None:
    project(tmp_path, """
        phases:
          - id: p
            kind: preflight
            checks:
              - id: flood
                run: "head -c 1000000000 /dev/zero | tr '\\\\0' a; echo; echo the-end"
    """)
    measure = (
        "import resource, subprocess, sys\n"
        "r = subprocess.run([sys.executable, '-m', 'gonogo', 'check'], capture_output=True, text=True)\n"
        "print(r.returncode)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", measure], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120, check=True)
    code, peak_kb = out.stdout.split()
    assert code == "0"
    assert int(peak_kb) < 200 * 1024, f"peak RSS {int(peak_kb) // 1024} MB"
    (log,) = (tmp_path / ".gonogo" / "runs").glob("*/output/flood.log")
    text = log.read_text()
    assert len(text) < 200_000
    assert text.startswith("a" * 1000)
    assert text.endswith("a\nthe-end\n")
    dropped = 1_000_000_009 - 2 * 64 * 1024
    assert f"\n… [{dropped} bytes dropped] …\n" in text


def test_waiting_for_a_process_is_event_driven_not_polling() -> None:
    """The exit of a process is heard when it happens, with no timer waking the loop every
    few milliseconds to look (such polling also noticed an exit up to 100 ms late)."""
    import asyncio

    from gonogo.targets.local import run_process

    async def main() -> tuple[int | None, int]:
        loop = asyncio.get_running_loop()
        timers: list[object] = []
        schedule = loop.call_at

        def counting(when: float, callback: Any, *args: Any, context: Any = None) -> Any:
            timers.append(callback)
            return schedule(when, callback, *args, context=context)

        loop.call_at = counting  # type: ignore[method-assign]
        result = await run_process(["sleep", "0.3"])
        return result.exit_code, len(timers)

    exit_code, timers = asyncio.run(main())
    assert exit_code == 0
    assert timers <= 1  # only the limit on draining its output after the exit
