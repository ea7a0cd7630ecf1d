# The two commands: `make run` and `make test`. Both prepare the machine first (idempotent).
.PHONY: setup run test test-core test-upgrade test-faults bench

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

# The SRI queue under faults, two workers, one killed -9 (see scripts/test_faults.sh); FAULTS_N=20 in CI.
test-faults: setup
	@bash scripts/test_faults.sh

bench: setup
	@bash scripts/bench.sh
