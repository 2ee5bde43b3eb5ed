#!/usr/bin/env bash
# Checks the published artifacts dist/ and bom/ build (after `mvn install` or `mvn package`):
#  1. dev.lamina:lamina is the module dev.lamina exporting dev.lamina and dev.lamina.template
#     only, holds no native library, and code using dev.lamina.internal does not compile against it;
#  2. the linux-x86_64 jar holds native/linux-x86_64/liblamina.so and that library passes the
#     glibc baseline check; the all-platforms jar holds every native jar's library;
#  3. the lamina jar and the linux-x86_64 jar copied alone into an empty directory run greedy
#     generation from `java -cp` (and from the module path), giving the CLI's text;
#  4. without the native jar, the one exception names the jar to add and what was detected;
#  5. the BOM manages every artifact at this version.
# Needs JAVA_HOME (JDK 22+) and LAMINA_TEST_DATA (models/stories260K-f32.gguf).
# Usage: tests/packaging/test-artifacts.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
java="${JAVA_HOME:?set JAVA_HOME to a JDK 22+}/bin/java"
jar_tool="$JAVA_HOME/bin/jar"
javac="$JAVA_HOME/bin/javac"
data="${LAMINA_TEST_DATA:-$root/../shared}"
model="$data/models/stories260K-f32.gguf"
[ -f "$model" ] || { echo "test-artifacts: $model not found (set LAMINA_TEST_DATA)" >&2; exit 1; }

version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$root/pom.xml" | head -n 1)
target="$root/dist/target"
api_jar="$target/lamina-$version.jar"
native_jar="$target/lamina-$version-linux-x86_64.jar"
all_jar="$target/lamina-$version-all-platforms.jar"
for f in "$api_jar" "$native_jar" "$all_jar"; do
  [ -f "$f" ] || { echo "test-artifacts: $f is missing; build with mvn -pl dist -am package" >&2; exit 1; }
done

failures=0
fail() { echo "test-artifacts: FAILED: $*" >&2; failures=$((failures + 1)); }
pass() { echo "test-artifacts: ok: $*"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ---- 1. the module and its exports ---------------------------------------------------------
descriptor=$("$jar_tool" --describe-module --file "$api_jar")
exports=$(awk '$1 == "exports" {print $2}' <<<"$descriptor" | sort | tr '\n' ' ')
if [[ "$descriptor" == dev.lamina@* || "$descriptor" == dev.lamina\ * ]] && [ "$exports" = "dev.lamina dev.lamina.template " ]; then
  pass "module dev.lamina exports only: $exports"
else
  fail "expected module dev.lamina exporting dev.lamina and dev.lamina.template, got: $descriptor"
fi
if "$jar_tool" tf "$api_jar" | grep -q '^native/'; then
  fail "$api_jar holds a native library (it must not): $("$jar_tool" tf "$api_jar" | grep '^native/' | tr '\n' ' ')"
else
  pass "lamina-$version.jar holds no native library"
fi
for pkg in dev/lamina/internal/ dev/lamina/bindings/ dev/lamina/json/; do
  "$jar_tool" tf "$api_jar" | grep -q "^$pkg" || fail "$api_jar lacks $pkg (the module must hold the implementation)"
done
mkdir -p "$work/internals"
if "$javac" -d "$work/internals" --module-path "$api_jar" --add-modules dev.lamina \
     "$root/tests/packaging/UsesInternals.java" >"$work/internals.log" 2>&1; then
  fail "code using dev.lamina.internal compiled against the module"
elif grep -q "does not export\|not visible" "$work/internals.log"; then
  pass "dev.lamina.internal is not accessible to module users"
else
  fail "UsesInternals.java failed to compile for another reason: $(cat "$work/internals.log")"
fi

# ---- 2. native jars ---------------------------------------------------------------------------
native_entries=$("$jar_tool" tf "$native_jar" | grep -v '^META-INF/' | grep -v '/$' | tr '\n' ' ')
if [ "$native_entries" = "native/linux-x86_64/liblamina.so " ]; then
  pass "linux-x86_64 jar holds native/linux-x86_64/liblamina.so"
else
  fail "linux-x86_64 jar should hold just native/linux-x86_64/liblamina.so, holds: $native_entries"
fi
(cd "$work" && "$jar_tool" xf "$native_jar" native/linux-x86_64/liblamina.so)
if "$root/tests/native/check_glibc_symbols.sh" --max 2.28 "$work/native/linux-x86_64/liblamina.so"; then
  pass "the jar's liblamina.so needs glibc 2.28 at most"
else
  fail "the jar's liblamina.so needs a newer glibc (above)"
fi
for jar in "$target"/lamina-"$version"-*.jar; do
  platform=${jar##*/lamina-$version-}; platform=${platform%.jar}
  [ "$platform" = all-platforms ] && continue
  entry=$("$jar_tool" tf "$jar" | grep "^native/$platform/[^/][^/]*$" || true)
  if [ -z "$entry" ]; then
    fail "$jar holds no native/$platform/ library"
  elif "$jar_tool" tf "$all_jar" | grep -qx "$entry"; then
    pass "all-platforms jar holds $entry"
  else
    fail "all-platforms jar lacks $entry"
  fi
done

# ---- 3. the two jars alone, in an empty directory ---------------------------------------------
alone="$work/alone"
mkdir -p "$alone/tmp"
cp "$api_jar" "$native_jar" "$root/tests/packaging/Smoke.java" "$alone/"
prompt="Once upon a time"
expected=$("$root/lamina" run -m "$model" -p "$prompt" -n 12 --temp 0 2>/dev/null)
cp_out=$(cd "$alone" && "$java" --enable-native-access=ALL-UNNAMED -Djava.io.tmpdir="$alone/tmp" \
           -Djava.library.path="$alone/none" \
           -cp "lamina-$version.jar:lamina-$version-linux-x86_64.jar" Smoke.java "$model" "$prompt" 12 2>"$work/cp.err") \
  || fail "java -cp with the two jars failed: $(cat "$work/cp.err")"
if [ -n "$cp_out" ] && [ "$cp_out" = "$expected" ]; then
  pass "java -cp lamina.jar:lamina-linux-x86_64.jar generates the CLI's text ($cp_out)"
else
  fail "java -cp generated '$cp_out', the CLI '$expected'"
fi
grep -q "library: $alone/tmp/lamina-" "$work/cp.err" || fail "the library was not extracted into the fresh cache: $(cat "$work/cp.err")"

mp_out=$(cd "$alone" && "$java" --enable-native-access=dev.lamina -Djava.io.tmpdir="$alone/tmp" \
           --module-path "lamina-$version.jar" --add-modules dev.lamina \
           -cp "lamina-$version-linux-x86_64.jar" Smoke.java "$model" "$prompt" 12 2>"$work/mp.err") \
  || fail "the module path run failed: $(cat "$work/mp.err")"
[ "$mp_out" = "$expected" ] && pass "module path run generates the same text" \
  || fail "module path run generated '$mp_out', expected '$expected'"

# ---- 4. the failure message without the native jar --------------------------------------------
if (cd "$alone" && "$java" --enable-native-access=ALL-UNNAMED -Djava.io.tmpdir="$alone/tmp" \
      -Djava.library.path="$alone/none" -cp "lamina-$version.jar" Smoke.java "$model" "$prompt" 1 \
      >/dev/null 2>"$work/missing.err"); then
  fail "generation without the native jar succeeded"
else
  missing_ok=1
  for needle in "Cannot load the Lamina native library liblamina.so for linux-x86_64" \
                "$alone/none/liblamina.so (java.library.path): not found" \
                "jar resource native/linux-x86_64/liblamina.so: not on the class path" \
                "Detected: OS Linux" "arch amd64" "C library glibc " \
                "dev.lamina:lamina:$version:linux-x86_64" "all-platforms"; do
    grep -qF "$needle" "$work/missing.err" || { fail "the failure message lacks '$needle': $(cat "$work/missing.err")"; missing_ok=0; }
  done
  [ "$missing_ok" = 1 ] && pass "without the native jar the exception names the paths tried, the host and the jar to add"
fi

# ---- 5. the BOM -------------------------------------------------------------------------------
bom="$root/bom/pom.xml"
bom_version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$bom" | head -n 1)
[ "$bom_version" = "$version" ] || fail "lamina-bom is at $bom_version, the build at $version"
for classifier in linux-x86_64 linux-aarch64 osx-aarch64 windows-x86_64 all-platforms; do
  grep -q "<classifier>$classifier</classifier>" "$bom" || fail "lamina-bom does not manage dev.lamina:lamina:$classifier"
done
[ "$failures" = 0 ] && pass "lamina-bom $bom_version manages every classifier"

if [ "$failures" != 0 ]; then
  echo "test-artifacts: $failures check(s) failed" >&2
  exit 1
fi
echo "test-artifacts: all checks passed"
