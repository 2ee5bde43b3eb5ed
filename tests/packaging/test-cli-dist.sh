#!/usr/bin/env bash
# Checks the CLI distribution (scripts/cli-dist.sh): the archive unpacked alone into an empty
# directory runs `lamina --help` and greedy generation on its own runtime, with no JAVA_HOME,
# giving the text ./lamina gives; and the jbang catalog names this version's CLI.
# Needs JAVA_HOME (to build the archive), cli/target/lamina.jar and LAMINA_TEST_DATA.
# Usage: tests/packaging/test-cli-dist.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="${LAMINA_TEST_DATA:-$root/../shared}"
model="$data/models/stories260K-f32.gguf"
[ -f "$model" ] || { echo "test-cli-dist: $model not found (set LAMINA_TEST_DATA)" >&2; exit 1; }
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$root/pom.xml" | head -n 1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "test-cli-dist: FAILED: $*" >&2; failures=$((failures + 1)); }
pass() { echo "test-cli-dist: ok: $*"; }

"$root/scripts/cli-dist.sh" "$work/out" >/dev/null
archive=$(ls "$work"/out/lamina-"$version"-*.tar.gz)
mkdir "$work/empty"
tar -C "$work/empty" -xzf "$archive"
launcher="$work/empty/lamina-$version/bin/lamina"
[ -x "$launcher" ] || fail "no executable bin/lamina in $archive"

runtime_version=$("$work/empty/lamina-$version/runtime/bin/java" -XshowSettings:properties -version 2>&1 \
  | sed -n 's/^ *java\.specification\.version = //p')
[ "${runtime_version%%.*}" -ge 22 ] 2>/dev/null && pass "bundled runtime is Java $runtime_version" \
  || fail "bundled runtime is Java '$runtime_version', FFM needs 22+"

# No JAVA_HOME and a PATH whose java (if any) is not used: the launcher must take its own runtime.
clean_env=(env -i "HOME=$work" "PATH=/usr/bin:/bin" "TMPDIR=$work")
help=$("${clean_env[@]}" "$launcher" --help 2>&1) || fail "lamina --help failed: $help"
grep -q "run" <<<"$help" && pass "lamina --help lists the commands" || fail "lamina --help printed: $help"

prompt="Once upon a time"
expected=$("$root/lamina" run -m "$model" -p "$prompt" -n 12 --temp 0 2>/dev/null)
got=$("${clean_env[@]}" "$launcher" run -m "$model" -p "$prompt" -n 12 --temp 0 2>"$work/run.err") \
  || fail "lamina run failed: $(cat "$work/run.err")"
[ -n "$got" ] && [ "$got" = "$expected" ] && pass "bin/lamina run generates ./lamina's text" \
  || fail "bin/lamina run gave '$got', ./lamina '$expected'"

# jbang: the alias runs this version's CLI main class with native access.
catalog="$root/jbang-catalog.json"
node -e '
  const [file, version] = process.argv.slice(1);
  const c = JSON.parse(require("fs").readFileSync(file, "utf8"));
  const a = c.aliases && c.aliases.lamina;
  const problems = [];
  if (!a) problems.push("no alias \"lamina\"");
  else {
    if (a["script-ref"] !== `dev.lamina:lamina-cli:${version}`) problems.push(`script-ref is ${a["script-ref"]}`);
    if (a["main"] !== "dev.lamina.cli.LaminaCommand") problems.push(`main is ${a["main"]}`);
    if (!(a["java-options"] || []).includes("--enable-native-access=ALL-UNNAMED")) problems.push("no --enable-native-access");
    if (!(a["dependencies"] || []).includes(`dev.lamina:lamina:${version}:all-platforms`)) problems.push("no all-platforms natives");
  }
  if (problems.length) { console.error(problems.join("; ")); process.exit(1); }
' "$catalog" "$version" && pass "jbang-catalog.json runs dev.lamina:lamina-cli:$version" \
  || fail "jbang-catalog.json does not match this build (above)"
grep -q "class LaminaCommand" "$root/cli/src/main/java/dev/lamina/cli/LaminaCommand.java" \
  || fail "the catalog's main class dev.lamina.cli.LaminaCommand does not exist"

if [ "$failures" != 0 ]; then
  echo "test-cli-dist: $failures check(s) failed" >&2
  exit 1
fi
echo "test-cli-dist: all checks passed"
