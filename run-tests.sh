#!/usr/bin/env bash
# Command 2 of README.md: the whole test suite, unit and integration, against a real libvirtd.
# As root. Installs what the tests need first (idempotent), so it also runs on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")"

scripts/setup/install-packages.sh
scripts/setup/install-criu.sh
scripts/setup/ensure-libvirtd.sh
scripts/setup/ensure-sysctls.sh
exec mvn -B verify
