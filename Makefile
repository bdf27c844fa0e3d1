# Two commands do all the set-up on a fresh Debian/Ubuntu machine:
#   make demo   the main job on an embedded default (SQLite state, local services, no Docker)
#   make test   the whole test suite, with the real services it needs (installed when root)

.PHONY: setup demo test lint typecheck bench services stop-services clean

setup:
	@scripts/bootstrap.sh

demo: setup
	.venv/bin/gonogo demo

test:
	@scripts/test.sh $(ARGS)

lint: setup
	.venv/bin/ruff check gonogo testing tests bench
	.venv/bin/lint-imports

typecheck: setup
	.venv/bin/mypy

bench:
	@scripts/bench.sh

services:
	@scripts/services.sh start

stop-services:
	@scripts/services.sh stop

clean:
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache build *.egg-info
