"""`gonogo restore` stopped at each of its steps — SIGKILL or Ctrl-C — on the real
PostgreSQL: the target is exactly as it was (before the swap) or fully restored (after
it), never half; the journal says interrupted with what to run next; no deploy lock is
involved; and a re-run of the restore ends restored, with no scratch copy left."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.cli import gonogo
from testing.postgres import fresh_database, load_sample
from tests.commands.test_restore import BEFORE, copies, counts, make_dump, target_database
from tests.recovery.conftest import assert_shown_interrupted, last_run, lock_state, stop_at

pytestmark = pytest.mark.postgres

RESTORED = {"billing.invoices": 2, "public.users": 1000}

#: (fault point, whether the target is already the restored copy there)
STEPS = [
    ("check.before:backup-file", False),   # before the dump is checked against its manifest
    ("check.before:restore", False),       # before anything is made on the server
    ("restore.scratch_created", False),    # an empty scratch database exists
    ("restore.filled", False),             # pg_restore done, not yet compared
    ("restore.verified", False),           # compared with the manifest, not yet swapped
    ("restore.swapped", True),             # swapped in, the old copy not yet tidied
]


@pytest.fixture(scope="module")
def dump(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One verified dump of the sample database for the module."""
    root = tmp_path_factory.mktemp("dump")
    with fresh_database("gonogo_rec") as source:
        load_sample(source)
        yield make_dump(root, source)


@pytest.mark.parametrize("how", ["kill", "int"])
@pytest.mark.parametrize(("point", "swapped"), STEPS, ids=[p for p, _ in STEPS])
def test_restore_stopped_at_each_step_is_whole_then_converges(
        tmp_path: Path, dump: Path, point: str, swapped: bool, how: str) -> None:
    with target_database() as (target, name):
        stopped = stop_at(["restore", "--from", str(dump), "--to", target, "--yes"], tmp_path,
                          point, how)
        assert counts(target) == (RESTORED if swapped else BEFORE)   # never half
        run = last_run(tmp_path)
        assert run["command"] == "restore"
        rerun = f"gonogo restore --from {dump} --to {target}"
        if how == "int":
            assert stopped.returncode == 130, stopped.stdout + stopped.stderr
            state = (f"the restored database is in place as {name}" if swapped else
                     f"the target database {name} is unchanged")
            assert stopped.stderr.startswith(f"gonogo: restore interrupted; {state}"), \
                stopped.stderr
            assert stopped.stderr.endswith("\ngonogo: interrupted\n"), stopped.stderr
            assert "Traceback" not in stopped.stderr
            assert copies(name)[0] == []       # the scratch database was dropped
        assert_shown_interrupted(tmp_path, run, rerun)
        assert lock_state(tmp_path) == "no deploy lock is held\n"

        again = gonogo("restore", "--from", str(dump), "--to", target, "--yes", cwd=tmp_path)
        assert again.returncode == 0, again.stdout + again.stderr
        assert counts(target) == RESTORED
        scratch, kept = copies(name)
        assert scratch == [] and len(kept) == 1
        kept_url = target.rsplit("/", 1)[0] + "/" + kept[0]
        # the rerun keeps what it replaced: the original, or the copy the stopped run swapped in
        assert counts(kept_url) == (RESTORED if swapped else BEFORE)
