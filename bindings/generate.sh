#!/usr/bin/env bash
# Regenerates the Panama FFM bindings in bindings/src/main/java/dev/lamina/bindings from
# native/include/lamina.h. Run it after every change to lamina.h and commit the result;
# BindingsCompletenessTest fails the Maven build if the bindings lag behind the header.
#
# Usage:  JEXTRACT=/path/to/jextract bindings/generate.sh     (or with jextract on PATH)
#
# The committed bindings were generated with:
#   jextract 23+f9866df3a178 — openjdk/jextract master, commit f9866df3a178baa2e4a3746a7a6e458d783ace92,
#   built by hand with javac from JDK 25 (see bindings/README.md),
#   running on JDK 25.0.3+9-LTS with Debian 12's libclang 14.0.6 (libclang1-14, libclang-common-14-dev).
#
# Exact command line (run from the repository root; $TMP is a scratch directory):
#   jextract --dump-includes $TMP/all-symbols.txt native/include/lamina.h
#   (keep the --include-* lines of $TMP/all-symbols.txt that name lm_*/LM_* symbols declared in
#    native/include/lamina.h, without their trailing comments, into $TMP/lamina-symbols.txt)
#   jextract @$TMP/lamina-symbols.txt --target-package dev.lamina.bindings \
#            --header-class-name lamina_h --output $TMP/out native/include/lamina.h
#
# Why the symbol filter: without --include-* options jextract would bind everything lamina.h
# pulls in (stdint.h, stddef.h, glibc's features.h ...). Deriving the list from the dump keeps
# it in step with the header without a hand-maintained list.
#
# Why no --library: the Java API loads liblamina itself with System.load before it touches the
# bindings, so the generated lamina_h looks symbols up through SymbolLookup.loaderLookup()
# (the libraries loaded by its class loader), falling back to the default lookup.
#
# jextract warns "Skipping lm_model (type Declared(lm_model) is not supported)" for the three
# opaque handle structs; that is expected: handles are plain MemorySegment pointers in Java.
set -euo pipefail

EXPECTED_VERSION="jextract 23+f9866df3a178"

bindings_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$bindings_dir/.." && pwd)
header=native/include/lamina.h
package=dev.lamina.bindings
package_path=dev/lamina/bindings            # where jextract writes the package under --output
package_dir=src/main/java/$package_path    # where it lives in this module

jextract=${JEXTRACT:-}
if [[ -z "$jextract" ]]; then
    jextract=$(command -v jextract || true)
fi
if [[ -z "$jextract" || ! -x "$jextract" ]]; then
    echo "generate.sh: jextract not found: set JEXTRACT=/path/to/jextract or put jextract on PATH" >&2
    echo "             (JEXTRACT='${JEXTRACT:-}'). bindings/README.md says how to build it." >&2
    exit 1
fi

version=$("$jextract" --version 2>&1 | head -n 1) || {
    echo "generate.sh: '$jextract --version' failed; is it a working jextract?" >&2
    exit 1
}
if [[ "$version" != "$EXPECTED_VERSION" ]]; then
    # Not fatal: another jextract may produce slightly different code. Review the diff and
    # update the version notes at the top of this script if you keep the result.
    echo "generate.sh: warning: '$version' differs from the recorded '$EXPECTED_VERSION'" >&2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$repo_root"
"$jextract" --dump-includes "$tmp/all-symbols.txt" "$header"

# Dump lines look like: --include-function lm_version   # header: /abs/path/native/include/lamina.h
grep -E '^--include-[a-z]+[[:space:]]+(lm_|LM_)[A-Za-z0-9_]*[[:space:]]+#[[:space:]]*header:[[:space:]]*(.*/)?native/include/lamina\.h[[:space:]]*$' \
        "$tmp/all-symbols.txt" \
    | awk '{ print $1, $2 }' | LC_ALL=C sort > "$tmp/lamina-symbols.txt" || true
if [[ ! -s "$tmp/lamina-symbols.txt" ]]; then
    echo "generate.sh: no lm_/LM_ symbols found in jextract's dump of $header" >&2
    exit 1
fi

"$jextract" @"$tmp/lamina-symbols.txt" \
    --target-package "$package" \
    --header-class-name lamina_h \
    --output "$tmp/out" \
    "$header"

if [[ ! -f "$tmp/out/$package_path/lamina_h.java" ]]; then
    echo "generate.sh: jextract produced no $package_path/lamina_h.java" >&2
    exit 1
fi

# Replace the package wholesale so classes of removed structs do not linger.
rm -rf "${bindings_dir:?}/$package_dir"
mkdir -p "$(dirname "$bindings_dir/$package_dir")"
mv "$tmp/out/$package_path" "$bindings_dir/$package_dir"
# The header's digest, which NativeLibrary compares with lm_header_digest() of the library it loads.
digest=$(sha256sum "$header" | cut -d' ' -f1)
cat > "$bindings_dir/$package_dir/LaminaHeaderDigest.java" <<JAVA
// Written by bindings/generate.sh (not jextract): the SHA-256 of the lamina.h these bindings
// were generated from.
package $package;

public final class LaminaHeaderDigest {
    public static final String SHA256 = "$digest";

    private LaminaHeaderDigest() {}
}
JAVA
echo "generate.sh: wrote $(ls "$bindings_dir/$package_dir" | wc -l) files to bindings/$package_dir ($version)"
