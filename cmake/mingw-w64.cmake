# Cross-building the Windows client on Debian (the `windows` preset; docs/client.md "Windows").
# mingw-w64's GCC 12 with POSIX threads (std::thread and std::mutex need them), the libraries
# of scripts/windows-deps (HELPLINE_WINDOWS_DEPS, from the environment or the cache), and Wine
# to run what was built: ctest, and Catch2's test discovery at build time.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(HELPLINE_MINGW x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${HELPLINE_MINGW}-gcc-posix)
set(CMAKE_CXX_COMPILER ${HELPLINE_MINGW}-g++-posix)
set(CMAKE_RC_COMPILER ${HELPLINE_MINGW}-windres)

# The environment wins over the cache: a new Debian version of a library builds a new folder.
if(DEFINED ENV{HELPLINE_WINDOWS_DEPS_PREFIX})
  set(HELPLINE_WINDOWS_DEPS "$ENV{HELPLINE_WINDOWS_DEPS_PREFIX}" CACHE PATH "scripts/windows-deps' folder" FORCE)
endif()
if(NOT HELPLINE_WINDOWS_DEPS OR NOT EXISTS "${HELPLINE_WINDOWS_DEPS}/VERSIONS")
  message(FATAL_ERROR "The Windows libraries are not built: run scripts/windows-deps and pass the "
                      "folder it prints as HELPLINE_WINDOWS_DEPS_PREFIX (scripts/windows-build does both).")
endif()

set(CMAKE_FIND_ROOT_PATH ${HELPLINE_WINDOWS_DEPS} /usr/${HELPLINE_MINGW})
set(CMAKE_PREFIX_PATH ${HELPLINE_WINDOWS_DEPS})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Static programs: one .exe per program, nothing to install beside it but the translations.
# Static libraries too: libz.dll.a of Debian's mingw zlib would make the programs need a
# zlib1.dll that Wine has and Windows does not; libcrypto must come before ws2_32.
set(ZLIB_USE_STATIC_LIBS ON)
set(OPENSSL_USE_STATIC_LIBS ON)
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++")
# Windows 10 and later.
add_compile_definitions(_WIN32_WINNT=0x0A00 WINVER=0x0A00 UNICODE _UNICODE NOMINMAX WIN32_LEAN_AND_MEAN)

# Wine runs the programs built here, in a Wine prefix of the build folder's own (made on first
# use, ~10 s): no Mono or Gecko prompt, no debug noise.
find_program(HELPLINE_WINE wine REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR /usr/bin/env WINEPREFIX=${CMAKE_BINARY_DIR}/wine
    WINEDEBUG=-all WINEDLLOVERRIDES=mscoree,mshtml= ${HELPLINE_WINE})
