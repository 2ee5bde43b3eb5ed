#!/usr/bin/env bash
# Fails when an object file compiled for a particular instruction set (*_avx2, *_avx512,
# *_vnni_avx512, *_neon, *_dotprod_neon) defines a weak symbol: an inline function or template
# instantiation (std::vector code, a shared helper) that other files define too. The linker keeps
# one copy of such a symbol for the whole library, and if it keeps this file's, code that runs
# on every CPU executes instructions only some have (SIGILL). ISA files must keep everything they
# instantiate local (anonymous namespaces, file-local types).
# Usage: check_isa_objects.sh NM OBJECT...
set -euo pipefail
nm_tool="$1"
shift
status=0
checked=0
for obj in "$@"; do
  case "$(basename "$obj")" in
    *_avx2.cpp.o | *_avx512.cpp.o | *_neon.cpp.o) ;;
    *) continue ;;
  esac
  checked=$((checked + 1))
  # W/V: weak definitions; u: unique global (GNU). DW.ref.* are the personality routine's
  # references the compiler emits for every file with exceptions, the same bytes everywhere.
  shared=$("$nm_tool" -C --defined-only "$obj" | awk '$2 ~ /^[WVu]$/' | grep -v ' DW\.ref\.' || true)
  if [ -n "$shared" ]; then
    echo "check_isa_objects: $(basename "$obj") defines symbols other files may define too (the linker could pick this ISA's copy for all):" >&2
    echo "$shared" >&2
    status=1
  fi
done
if [ "$checked" -eq 0 ]; then
  echo "check_isa_objects: no ISA object files were given: nothing was checked" >&2
  exit 1
fi
echo "check_isa_objects: $checked ISA object files, $([ $status -eq 0 ] && echo 'no shared symbols' || echo 'SHARED SYMBOLS FOUND')"
exit $status
