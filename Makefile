# The two commands: `make run` and `make test`. Both prepare the machine first (idempotent).
.PHONY: setup run test test-core bench

setup:
	@bash scripts/setup.sh

run: setup
	@bash scripts/run.sh

test: setup
	@bash scripts/test.sh

test-core: setup
	@SRI_SKIP_ODOO=1 bash scripts/test.sh

bench: setup
	@bash scripts/bench.sh
