#!/usr/bin/env bash
# Builds everything: liblamina (CMake, Release), the bindings, the Java API and the `lamina`
# CLI jar (Maven, which drives the CMake build). Afterwards ./lamina runs the CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup.sh)"
export JAVA_HOME
mvn -B -q -DskipTests install "$@"
echo "built: ./lamina --help" >&2
