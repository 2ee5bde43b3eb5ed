#!/usr/bin/env bash
# Installs what building and testing Lamina needs on a fresh Debian 12 machine (idempotent).
# Needs root (or sudo) only when something is missing.
set -euo pipefail

PACKAGES=(
  cmake g++ make            # native core
  libgtest-dev googletest   # GoogleTest (googletest ships the source for cross builds)
  maven                     # Java build
  g++-aarch64-linux-gnu qemu-user  # linux-aarch64: cross-compiled, kernel tests under emulation
  g++-mingw-w64-x86-64-posix wine64  # windows-x86_64: lamina.dll cross-built, kernel tests under wine
  clang libclang-rt-14-dev  # libFuzzer harness (scripts/fuzz.sh)
)
# Node and npm: the server tests drive `lamina serve` with the official openai npm client.
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || PACKAGES+=(nodejs npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "lamina setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# JDK 25 (FFM needs 22+). Honour JAVA_HOME if it already points at a JDK >= 22.
if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -Eq 'version "(2[2-9]|[3-9][0-9])'; then
  if [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
    echo "export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64"
  else
    echo "lamina setup: no JDK 22+ found; install one (e.g. Temurin 25) and set JAVA_HOME" >&2
    exit 1
  fi
else
  echo "export JAVA_HOME=$JAVA_HOME"
fi
