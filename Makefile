# The two commands: `make run` and `make test`. Both prepare the machine first (idempotent).
.PHONY: setup run test test-core test-upgrade bench

setup:
	@bash scripts/setup.sh

run: setup
	@bash scripts/run.sh

# Stops the SRI simulator(s) that `make run` left running detached (by their pid files).
.PHONY: stop
stop:
	@bash scripts/stop.sh --all

test: setup
	@bash scripts/test.sh

test-core: setup
	@SRI_SKIP_ODOO=1 bash scripts/test.sh

# Upgrade from the last release without the SRI document engine (see scripts/test_upgrade.sh).
test-upgrade: setup
	@bash scripts/test_upgrade.sh

bench: setup
	@bash scripts/bench.sh
