# lamina_select_isa_sources(<list-variable>)
# Keeps the per-ISA kernel files of a source list that fit the target processor and gives only
# them their instruction-set flags, so nothing else (in particular the CPU feature detection)
# can contain instructions an older CPU lacks. Files are named *_avx2.cpp, *_avx512.cpp,
# *_vnni_avx512.cpp, *_neon.cpp and *_dotprod_neon.cpp.
function(lamina_select_isa_sources var)
  set(sources ${${var}})
  # The reference code (quantizers in quant/, the scalar kernels) rounds every product before it
  # is added: the SIMD variants are held to it bit for bit in places (activation quantization),
  # and GCC's default on aarch64 would fuse a*b+c into one FMA, which rounds differently.
  foreach(src IN LISTS sources)
    if(src MATCHES "/quant/[^/]*\\.cpp$" OR src MATCHES "_scalar\\.cpp$")
      set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS "-ffp-contract=off")
    endif()
  endforeach()
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|amd64")
    list(FILTER sources EXCLUDE REGEX "_neon\\.cpp$")
    foreach(src IN LISTS sources)
      if(src MATCHES "_avx2\\.cpp$")
        set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma;-mf16c")
      elseif(src MATCHES "_vnni_avx512\\.cpp$")
        # Only these may contain VNNI: GCC emits VPDPBUSD for plain int8 loops when allowed,
        # which must not reach the AVX-512 kernels used on CPUs without VNNI.
        set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS
          "-mavx512f;-mavx512bw;-mavx512vl;-mavx512dq;-mavx512vnni;-mavx2;-mfma;-mf16c")
      elseif(src MATCHES "_avx512\\.cpp$")
        set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS
          "-mavx512f;-mavx512bw;-mavx512vl;-mavx512dq;-mavx2;-mfma;-mf16c")
      endif()
    endforeach()
  elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
    list(FILTER sources EXCLUDE REGEX "_avx(2|512)\\.cpp$")
    foreach(src IN LISTS sources)
      # Only *_dotprod_neon.cpp may contain SDOT/UDOT; it runs only when the CPU reports
      # dotprod. Other *_neon.cpp stay armv8-a.
      if(src MATCHES "_dotprod_neon\\.cpp$")
        set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS "-march=armv8.2-a+dotprod")
      endif()
    endforeach()
  else()
    list(FILTER sources EXCLUDE REGEX "_(avx2|avx512|neon)\\.cpp$")
  endif()
  set(${var} ${sources} PARENT_SCOPE)
endfunction()
