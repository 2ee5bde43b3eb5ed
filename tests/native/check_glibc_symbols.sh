#!/usr/bin/env bash
# Fails when a Linux ELF file needs a symbol version newer than the baseline: GLIBC_x.y above
# MAX (default 2.28), or any GLIBCXX_/CXXABI_/GCC_ version at all (libstdc++ and libgcc are
# linked statically into what ships, so a reference to their shared copies means a machine
# without that libstdc++ cannot load the file). Lists every versioned dynamic symbol it found.
# Usage: check_glibc_symbols.sh [--max 2.28] [--objdump TOOL] FILE...
set -euo pipefail
max=2.28
objdump_tool=objdump
while (($#)); do
  case "$1" in
    --max) max="$2"; shift 2 ;;
    --objdump) objdump_tool="$2"; shift 2 ;;
    --) shift; break ;;
    -*) echo "check_glibc_symbols: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
if (($# == 0)); then
  echo "check_glibc_symbols: no file given (usage: check_glibc_symbols.sh [--max 2.28] FILE...)" >&2
  exit 2
fi

# version_le A B: true when dotted version A <= B.
version_le() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1)" = "$1" ]; }

status=0
for file in "$@"; do
  if [ ! -f "$file" ]; then
    echo "check_glibc_symbols: $file does not exist" >&2
    status=1
    continue
  fi
  # objdump -T: "... DF *UND*  0000000000000000 (GLIBC_2.2.5) pow" or "GLIBC_2.29  pow" for a
  # default version; the version column is the one before the name.
  symbols=$("$objdump_tool" -T "$file" | awk '$2 != "" && $(NF-1) ~ /^\(?(GLIBC|GLIBCXX|CXXABI|GCC)_/ {v=$(NF-1); gsub(/[()]/, "", v); print v, $NF}' | sort -u)
  if [ -z "$symbols" ]; then
    echo "check_glibc_symbols: $file has no versioned glibc symbols at all; is it a glibc ELF file?" >&2
    status=1
    continue
  fi
  newest=0
  bad=()
  while read -r version name; do
    case "$version" in
      GLIBC_PRIVATE) bad+=("$name@$version (private to glibc)") ;;
      GLIBC_*)
        v=${version#GLIBC_}
        version_le "$v" "$newest" || newest=$v
        version_le "$v" "$max" || bad+=("$name@$version")
        ;;
      *) bad+=("$name@$version (libstdc++/libgcc must be linked statically)") ;;
    esac
  done <<<"$symbols"
  count=$(wc -l <<<"$symbols")
  if ((${#bad[@]})); then
    echo "check_glibc_symbols: $file needs symbols newer than glibc $max:" >&2
    printf '  %s\n' "${bad[@]}" >&2
    echo "  (add each to LAMINA_GLIBC_WRAPPED_SYMBOLS in cmake/LaminaGlibcBaseline.cmake and serve it in native/src/platform/glibc_compat.c)" >&2
    status=1
  else
    echo "check_glibc_symbols: $file: $count versioned symbols, newest GLIBC_$newest (limit $max)"
  fi
done
exit $status
