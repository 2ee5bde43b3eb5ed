# What differs between the platforms the library ships for (CMakePresets.json: linux-x86_64,
# linux-aarch64, osx-aarch64, windows-x86_64).
#
# lamina_select_platform_sources(<list-variable>)
#   Keeps the per-OS files of a source list that fit the target: *_posix.cpp (Linux, macOS) or
#   *_windows.cpp (Windows), so each OS's code lives in small files of its own.
# lamina_self_contained_library(<target>)
#   Links <target> so it loads on a machine with nothing installed but the OS:
#   Linux   static libstdc++/libgcc and no glibc symbol newer than 2.28 (LaminaGlibcBaseline.cmake);
#   Windows static libstdc++/libgcc/winpthread (no MinGW DLLs beside lamina.dll);
#   macOS   libc++ is part of the OS; undefined symbols are errors as with --no-undefined.
include(${CMAKE_CURRENT_LIST_DIR}/LaminaGlibcBaseline.cmake)

# MinGW's <cmath> hides M_PI & co. under -std=c++17 (strict ANSI) unless asked for them.
if(WIN32)
  add_compile_definitions(_USE_MATH_DEFINES)
endif()

function(lamina_select_platform_sources var)
  set(sources ${${var}})
  if(WIN32)
    list(FILTER sources EXCLUDE REGEX "_posix\\.cpp$")
  else()
    list(FILTER sources EXCLUDE REGEX "_windows\\.cpp$")
  endif()
  set(${var} ${sources} PARENT_SCOPE)
endfunction()

function(lamina_self_contained_library target)
  if(WIN32)
    target_link_options(${target} PRIVATE -static -static-libstdc++ -static-libgcc -Wl,--no-undefined)
    # lamina.dll, not liblamina.dll: the name System.mapLibraryName("lamina") gives on Windows.
    set_target_properties(${target} PROPERTIES PREFIX "")
  elseif(APPLE)
    target_link_options(${target} PRIVATE -Wl,-undefined,error)
  else()
    target_link_options(${target} PRIVATE -static-libstdc++ -static-libgcc -Wl,--no-undefined)
    lamina_glibc_baseline(${target})
  endif()
endfunction()
