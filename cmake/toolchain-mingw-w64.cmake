# Cross-build for 64-bit Windows with mingw-w64 (Debian: gcc-mingw-w64-x86-64).
#   cmake -S . -B build-win -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-mingw-w64.cmake
#   cmake --build build-win -j2
# With wine (Debian: wine, wine64) found, ctest runs the Windows programs
# under it (CMAKE_CROSSCOMPILING_EMULATOR), with its prefix in the build
# directory so that nothing outside is touched.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(OMV_RPC_MINGW_TRIPLET x86_64-w64-mingw32)

# The posix thread model: winpthreads, which the links use.
find_program(CMAKE_C_COMPILER NAMES ${OMV_RPC_MINGW_TRIPLET}-gcc-posix ${OMV_RPC_MINGW_TRIPLET}-gcc)
find_program(CMAKE_RC_COMPILER NAMES ${OMV_RPC_MINGW_TRIPLET}-windres)

set(CMAKE_FIND_ROOT_PATH /usr/${OMV_RPC_MINGW_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config must not offer the build machine's Linux libraries: only
# what is installed for the target (nothing, on Debian, today).
set(ENV{PKG_CONFIG_LIBDIR} /usr/${OMV_RPC_MINGW_TRIPLET}/lib/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")

# The programs link the C runtime and winpthreads statically, so that
# they run (and wine runs them) without DLLs copied beside them.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static-libgcc -Wl,-Bstatic -lwinpthread -Wl,-Bdynamic")

find_program(OMV_RPC_WINE NAMES wine wine64)
if(OMV_RPC_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${CMAKE_COMMAND} -E env WINEDEBUG=-all
    WINEPREFIX=${CMAKE_BINARY_DIR}/wineprefix WINEDLLOVERRIDES=mscoree,mshtml=
    ${OMV_RPC_WINE})
endif()
