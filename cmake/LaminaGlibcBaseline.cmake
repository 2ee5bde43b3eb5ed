# lamina_glibc_baseline(<target>)
# Makes <target> need no glibc symbol version newer than LAMINA_GLIBC_BASELINE_VERSION (2.28),
# whatever glibc it is built on: every reference whose default version is newer is renamed with
# -Wl,--wrap and served by native/src/platform/glibc_compat.c (old versions bound with .symver,
# emulations for what 2.28 lacks). tests/native/check_glibc_symbols.sh checks the result.
#
# The list is the union of what our code and the static libstdc++/libgcc of GCC 12 reference on
# glibc 2.36; a newer toolchain may add symbols, which the check then names.
set(LAMINA_GLIBC_BASELINE_VERSION "2.28" CACHE STRING "Newest glibc symbol version the Linux library may need")
set(LAMINA_GLIBC_WRAPPED_SYMBOLS
    pow log log2 exp                                  # libm, new versions in 2.29
    stat lstat fstat fstat64                          # exported functions since 2.33
    pthread_create pthread_join pthread_detach pthread_once
    pthread_key_create __pthread_key_create pthread_key_delete
    pthread_getspecific pthread_setspecific           # moved into libc in 2.34
    pthread_cond_clockwait                            # new in 2.30
    arc4random arc4random_buf                         # new in 2.36 (std::random_device)
    _dl_find_object)                                  # new in 2.35 (libgcc's unwinder)

# On for Linux/glibc builds that ship; the sanitizer runtimes intercept pthread_create & co. by
# name and must see the calls, so sanitizer builds keep the default bindings.
if(CMAKE_SYSTEM_NAME STREQUAL "Linux" AND NOT LAMINA_SANITIZE)
  set(_lamina_glibc_default ON)
else()
  set(_lamina_glibc_default OFF)
endif()
option(LAMINA_GLIBC_BASELINE "Bind glibc symbols no newer than LAMINA_GLIBC_BASELINE_VERSION" ${_lamina_glibc_default})

function(lamina_glibc_baseline target)
  if(NOT LAMINA_GLIBC_BASELINE)
    return()
  endif()
  target_sources(${target} PRIVATE ${PROJECT_SOURCE_DIR}/native/src/platform/glibc_compat.c)
  foreach(sym IN LISTS LAMINA_GLIBC_WRAPPED_SYMBOLS)
    target_link_options(${target} PRIVATE "LINKER:--wrap=${sym}")
  endforeach()
  # Before 2.34 the pthread functions live in libpthread.so.0 (a stub on newer glibc): name it
  # so the old versions resolve on an old system even when nothing else loaded it.
  target_link_options(${target} PRIVATE "LINKER:--push-state,--no-as-needed" "-l:libpthread.so.0" "LINKER:--pop-state")
endfunction()

# lamina_add_glibc_compat_check()
# The tests of the baseline, for the native suite and the cross builds: glibc_compat_check runs
# every wrapped function through a library linked like liblamina (tests/native/glibc_compat_check.cpp),
# glibc_symbol_versions lists every versioned symbol of both libraries and fails on a newer one.
function(lamina_add_glibc_compat_check)
  if(NOT LAMINA_GLIBC_BASELINE)
    return()
  endif()
  find_package(Threads REQUIRED)
  set(dir ${PROJECT_SOURCE_DIR}/tests/native)
  add_library(lamina_glibc_compat_check SHARED ${dir}/glibc_compat_check.cpp)
  set_target_properties(lamina_glibc_compat_check PROPERTIES CXX_VISIBILITY_PRESET hidden)
  target_link_options(lamina_glibc_compat_check PRIVATE -static-libstdc++ -static-libgcc -Wl,--no-undefined)
  target_link_libraries(lamina_glibc_compat_check PRIVATE Threads::Threads)
  lamina_glibc_baseline(lamina_glibc_compat_check)
  add_executable(lamina_glibc_compat_check_main ${dir}/glibc_compat_check_main.c)
  target_link_libraries(lamina_glibc_compat_check_main PRIVATE lamina_glibc_compat_check)
  add_test(NAME glibc_compat_check COMMAND lamina_glibc_compat_check_main)
  add_test(NAME glibc_symbol_versions
           COMMAND ${dir}/check_glibc_symbols.sh --max ${LAMINA_GLIBC_BASELINE_VERSION}
                   --objdump ${CMAKE_OBJDUMP} $<TARGET_FILE:lamina> $<TARGET_FILE:lamina_glibc_compat_check>)
endfunction()
