# What the platform offers, checked rather than guessed, and the feature
# macros that make its interfaces visible in strict C11 mode.
include(CheckSymbolExists)

option(OMV_RPC_POSIX_ONLY
  "Show only POSIX interfaces (no _DEFAULT_SOURCE/_GNU_SOURCE) to the code not named for Linux" OFF)

if(APPLE)
  # _POSIX_C_SOURCE alone hides Darwin's cfmakeraw and SO_NOSIGPIPE;
  # _DARWIN_C_SOURCE shows them again.
  set(OMV_RPC_FEATURE_MACROS _POSIX_C_SOURCE=200809L _DARWIN_C_SOURCE)
elseif(NOT WIN32)
  set(OMV_RPC_FEATURE_MACROS _POSIX_C_SOURCE=200809L)
  if(NOT OMV_RPC_POSIX_ONLY)
    list(APPEND OMV_RPC_FEATURE_MACROS _DEFAULT_SOURCE)
  endif()
endif()
add_compile_definitions(${OMV_RPC_FEATURE_MACROS})
# mingw-w64: C99 printf formats (%zu, %jd, %lld) rather than msvcrt's.
if(MINGW)
  add_compile_definitions(__USE_MINGW_ANSI_STDIO=1)
endif()

# Files named for Linux (*_linux.c, SocketCAN) may use its extensions.
# Usage: omvrpc_linux_sources(file...) in the directory that lists them.
function(omvrpc_linux_sources)
  if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    set_property(SOURCE ${ARGN} APPEND PROPERTY COMPILE_DEFINITIONS _DEFAULT_SOURCE)
  endif()
endfunction()

set(CMAKE_REQUIRED_DEFINITIONS)
foreach(m ${OMV_RPC_FEATURE_MACROS})
  list(APPEND CMAKE_REQUIRED_DEFINITIONS -D${m})
endforeach()
set(CMAKE_REQUIRED_LIBRARIES Threads::Threads)
# Monotonic condition-variable deadlines (links/common/clock.h); macOS lacks
# the call, winpthreads has it but refuses CLOCK_MONOTONIC at run time.
check_symbol_exists(pthread_condattr_setclock "pthread.h" OMV_RPC_HAVE_PTHREAD_CONDATTR_SETCLOCK)
if(OMV_RPC_HAVE_PTHREAD_CONDATTR_SETCLOCK)
  add_compile_definitions(OMV_RPC_HAVE_PTHREAD_CONDATTR_SETCLOCK=1)
endif()
unset(CMAKE_REQUIRED_LIBRARIES)

# A TCP peer that closes must not kill the program with SIGPIPE: Linux and
# the BSDs have MSG_NOSIGNAL per send, macOS only SO_NOSIGPIPE per socket.
if(NOT WIN32)
  check_symbol_exists(MSG_NOSIGNAL "sys/socket.h" OMV_RPC_HAVE_MSG_NOSIGNAL)
  check_symbol_exists(SO_NOSIGPIPE "sys/socket.h" OMV_RPC_HAVE_SO_NOSIGPIPE)
  if(OMV_RPC_HAVE_MSG_NOSIGNAL)
    add_compile_definitions(OMV_RPC_HAVE_MSG_NOSIGNAL=1)
  endif()
  if(OMV_RPC_HAVE_SO_NOSIGPIPE)
    add_compile_definitions(OMV_RPC_HAVE_SO_NOSIGPIPE=1)
  endif()
  if(NOT OMV_RPC_HAVE_MSG_NOSIGNAL AND NOT OMV_RPC_HAVE_SO_NOSIGPIPE)
    message(WARNING "omvrpc: neither MSG_NOSIGNAL nor SO_NOSIGPIPE: a program using the network "
      "link must ignore SIGPIPE itself, or a TCP peer that closes kills it")
  endif()
endif()
unset(CMAKE_REQUIRED_DEFINITIONS)

# omvrpc_need_modules(VAR "what" module...): VAR is TRUE when pkg-config
# finds every module. A missing one stops the configure with the Debian
# packages to install, except on Windows, where Debian has no build of
# these libraries: there `what` is left out, with a message saying why.
function(omvrpc_need_modules var what)
  set(missing "")
  foreach(m ${ARGN})
    string(MAKE_C_IDENTIFIER "OMV_RPC_PROBE_${m}" probe)
    pkg_check_modules(${probe} QUIET ${m})
    if(NOT ${probe}_FOUND)
      list(APPEND missing ${m})
    endif()
  endforeach()
  if(missing STREQUAL "")
    set(${var} TRUE PARENT_SCOPE)
  elseif(WIN32)
    string(REPLACE ";" ", " missing "${missing}")
    message(STATUS "omvrpc: ${what} not built: no Windows build of ${missing} found")
    set(${var} FALSE PARENT_SCOPE)
  else()
    string(REPLACE ";" ", " missing "${missing}")
    message(FATAL_ERROR "omvrpc: ${what} needs ${missing} (pkg-config); ./run deps installs them")
  endif()
endfunction()
