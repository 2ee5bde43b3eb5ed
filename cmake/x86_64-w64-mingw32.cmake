# Cross-compiling lamina.dll for Windows x86-64 with Debian's mingw-w64, posix thread model
# (g++-mingw-w64-x86-64-posix: std::thread over winpthreads, linked statically below).
#   cmake --preset windows-x86_64 && cmake --build --preset windows-x86_64
# Test binaries run under wine (CMAKE_CROSSCOMPILING_EMULATOR) when it is installed.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR AMD64)

set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc-posix)
set(CMAKE_CXX_COMPILER x86_64-w64-mingw32-g++-posix)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)

set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

find_program(LAMINA_WINE NAMES wine64 wine PATHS /usr/lib/wine)
if(LAMINA_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${LAMINA_WINE})
endif()
