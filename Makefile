# Two commands do all the set-up on a fresh Debian/Ubuntu machine:
#   make demo   the main job on an embedded default (SQLite state, local services, no Docker)
#   make test   the whole test suite, with the real services it needs (installed when root)
#   make stack-demo   the reference checklist releasing a real stack (pnpm/NestJS, PostgreSQL,
#                     nginx, Docker Swarm over SSH): v1 GO, v2 GO, v3 rolled back; stack-down

.PHONY: setup demo stack-demo stack-test stack-down test lint typecheck docs bench services stop-services clean

setup:
	@scripts/bootstrap.sh

demo: setup
	.venv/bin/gonogo demo

stack-demo: setup
	examples/v-edfinance/scripts/stack.sh demo

stack-test: setup
	.venv/bin/python -m pytest tests/stack/test_v_edfinance.py -p no:cacheprovider

stack-down:
	examples/v-edfinance/scripts/stack.sh down

test:
	@scripts/test.sh $(ARGS)

lint: setup
	.venv/bin/ruff check gonogo testing tests bench
	.venv/bin/lint-imports

typecheck: setup
	.venv/bin/mypy

# the docs site (mkdocs.yml); --strict: a broken link, a missing page or a warning fails
docs: setup
	NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict --site-dir site

bench:
	@scripts/bench.sh

services:
	@scripts/services.sh start

stop-services:
	@scripts/services.sh stop

clean:
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache build *.egg-info site dist
