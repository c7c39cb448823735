#!/usr/bin/env bash
# Command 1 of README.md. On a fresh Debian 12 machine, as root: install every package virt-lxc needs
# (libvirt with the LXC driver, busybox-static, CRIU >= 4.2, JDK, Maven), build the project, install the
# `virt-lxc` command, make sure libvirtd runs, and run the built-in demo. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")"

scripts/setup/install-packages.sh
scripts/setup/install-criu.sh
echo "virt-lxc setup: building (mvn package, tests are ./run-tests.sh)"
mvn -B -q package -DskipTests
# libvirtd first: the installer records the controller's class-data sharing archive from a training start.
scripts/setup/ensure-libvirtd.sh
scripts/setup/ensure-sysctls.sh
scripts/install-virt-lxc.sh
scripts/demo.sh
