"""`services:` problems are one-line config errors (exit 2), never a traceback."""

from __future__ import annotations

from pathlib import Path

from testing.cli import gonogo, write

HEAD = "version: 1\nenvironments:\n  production: {}\nservices:\n"


def test_a_needs_cycle_is_named(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", HEAD + (
        "  - {name: a, driver: shell, deploy: 'true', needs: [b]}\n"
        "  - {name: b, driver: shell, deploy: 'true', needs: [a]}\n"))
    result = gonogo("deploy", "--version", "v1", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == ("gonogo: error: gonogo.yml: services: services' needs form a cycle: "
                             "a -> b (hint: remove one of these needs)\n")


def test_an_unknown_need_is_named(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", HEAD + "  - {name: a, driver: shell, deploy: 'true', needs: [db]}\n")
    result = gonogo("deploy", "--version", "v1", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == ("gonogo: error: gonogo.yml: services[0].needs[0]: unknown service or "
                             "check 'db' (hint: services: a)\n")


def test_an_undefined_variable_in_a_service_is_named(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", HEAD + (
        "  - {name: a, driver: swarm, image: '${REGISTRY}/api', service: a}\n"))
    result = gonogo("deploy", "--version", "v1", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("gonogo: error: gonogo.yml: services[0].image: undefined "
                                    "variable ${REGISTRY} (hint: ")


def test_nothing_to_deploy(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", "version: 1\n")
    result = gonogo("deploy", "--version", "v1", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == ("gonogo: error: nothing to deploy: the config has no `services:` and "
                             "no deploy phases\n")
