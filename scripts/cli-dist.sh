#!/usr/bin/env bash
# Makes the CLI distribution of this platform: `lamina` with its own Java runtime (jlink, only
# the JDK modules the CLI uses), one archive that needs no installed Java:
#   build-dist/lamina-<version>-<platform>.tar.gz
#     lamina-<version>/bin/lamina        launcher
#     lamina-<version>/lib/lamina.jar    the CLI with the Java API and the native library
#     lamina-<version>/runtime/          the jlink'ed runtime
# Needs cli/target/lamina.jar (mvn package) and JAVA_HOME (the JDK whose jlink and jmods are used).
# Usage: scripts/cli-dist.sh [output-dir]   (default build-dist/)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/build-dist}"
jdk="${JAVA_HOME:?set JAVA_HOME to a JDK 25}"
jar="$root/cli/target/lamina.jar"
[ -f "$jar" ] || { echo "cli-dist: $jar is not built (mvn -DskipTests package)" >&2; exit 1; }
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$root/pom.xml" | head -n 1)
os=$(uname -s | tr '[:upper:]' '[:lower:]'); arch=$(uname -m)
case "$os-$arch" in
  linux-x86_64 | linux-amd64) platform=linux-x86_64 ;;
  linux-aarch64 | linux-arm64) platform=linux-aarch64 ;;
  darwin-arm64) platform=osx-aarch64 ;;
  *) platform="$os-$arch" ;;
esac

name="lamina-$version"
stage="$out/$name"
rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/lib"
# jdeps names the JDK modules the jar's classes use; jdk.zipfs etc. are not needed.
modules=$("$jdk/bin/jdeps" --multi-release 25 --ignore-missing-deps --print-module-deps "$jar")
echo "cli-dist: runtime modules: $modules"
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --compress=zip-6 --output "$stage/runtime"
cp "$jar" "$stage/lib/lamina.jar"
cat >"$stage/bin/lamina" <<'LAUNCHER'
#!/bin/sh
# The Lamina CLI on its own runtime: lamina --help
here=$(cd "$(dirname "$0")/.." && pwd)
exec "$here/runtime/bin/java" --enable-native-access=ALL-UNNAMED $LAMINA_JAVA_OPTS -jar "$here/lib/lamina.jar" "$@"
LAUNCHER
chmod +x "$stage/bin/lamina"
archive="$out/$name-$platform.tar.gz"
tar -C "$out" -czf "$archive" "$name"
rm -rf "$stage"
echo "cli-dist: $archive ($(du -h "$archive" | cut -f1))"
