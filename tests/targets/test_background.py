"""Background services: started in a process group of their own and ended as a whole group,
by the same steps that end a timed-out check (``targets.local.ending_group``)."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from gonogo.targets.background import background_process
from testing.project import gone, group_members

#: The leader dies on SIGTERM, its child ignores it and would outlive a SIGTERM-only stop.
CHILD_IGNORES_TERM = textwrap.dedent("""\
    echo $$ > leader.pid
    sh -c "trap '' TERM; echo \\$\\$ > child.pid; exec sleep 60" &
    wait
""")
#: The leader ignores SIGTERM too: only the SIGKILL after the grace period ends it.
ALL_IGNORE_TERM = "trap '' TERM\n" + CHILD_IGNORES_TERM


def _wait_for(path: Path) -> int:
    deadline = time.monotonic() + 10
    while not (path.exists() and path.read_text().strip()):
        assert time.monotonic() < deadline, f"{path.name} never written"
        time.sleep(0.01)
    return int(path.read_text())


def test_stopping_a_service_ends_a_child_that_ignores_sigterm(tmp_path: Path) -> None:
    (tmp_path / "run.sh").write_text(CHILD_IGNORES_TERM)

    with background_process(["sh", "run.sh"], cwd=tmp_path, stdout=subprocess.DEVNULL) as process:
        leader, child = _wait_for(tmp_path / "leader.pid"), _wait_for(tmp_path / "child.pid")
        assert (leader, sorted(group_members(leader))) == (process.pid, sorted([leader, child]))

    assert process.returncode == -signal.SIGTERM
    assert gone(child)
    assert group_members(leader) == []


def test_a_service_that_ignores_sigterm_is_killed_after_the_grace_period(tmp_path: Path) -> None:
    (tmp_path / "run.sh").write_text(ALL_IGNORE_TERM)

    with background_process(["sh", "run.sh"], cwd=tmp_path) as process:
        leader, child = _wait_for(tmp_path / "leader.pid"), _wait_for(tmp_path / "child.pid")

    assert process.returncode == -signal.SIGKILL
    assert process.stdout is not None and process.stdout.closed
    assert gone(leader) and gone(child)
    assert group_members(leader) == []


def test_sigterm_to_gonogo_stops_its_services_on_the_way_out(tmp_path: Path) -> None:
    (tmp_path / "run.sh").write_text(ALL_IGNORE_TERM)
    program = textwrap.dedent("""\
        import subprocess, sys, time
        from pathlib import Path
        from gonogo.targets.background import background_process, sigterm_as_interrupt
        try:
            with sigterm_as_interrupt():
                with background_process(["sh", "run.sh"], cwd=Path("."), stdout=subprocess.DEVNULL):
                    print("started", flush=True)
                    time.sleep(60)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
    """)
    owner = subprocess.Popen([sys.executable, "-c", program], cwd=tmp_path, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert owner.stdout is not None and owner.stdout.readline() == "started\n"
    leader, child = _wait_for(tmp_path / "leader.pid"), _wait_for(tmp_path / "child.pid")

    owner.send_signal(signal.SIGTERM)
    out, err = owner.communicate(timeout=30)

    assert (owner.returncode, out, err) == (0, "interrupted\n", "")
    assert gone(leader) and gone(child)
    assert group_members(leader) == []
