cmake_minimum_required(VERSION 3.25)
# A Windows program of this build imports only DLLs that every Windows 10 has: no zlib1.dll,
# libstdc++-6.dll or libwinpthread-1.dll left for a customer to miss (Wine has some of them,
# so the tests under Wine would not notice). Run by ctest: -DOBJDUMP=... -DPROGRAMS=a.exe;b.exe
set(system_dlls advapi32.dll bcrypt.dll comctl32.dll comdlg32.dll crypt32.dll gdi32.dll
    imm32.dll kernel32.dll msvcrt.dll ole32.dll oleaut32.dll rpcrt4.dll shell32.dll
    shlwapi.dll user32.dll uxtheme.dll version.dll winmm.dll winspool.drv ws2_32.dll
    oleacc.dll uuid.dll dwmapi.dll userenv.dll)
set(failed "")
foreach(program IN LISTS PROGRAMS)
  execute_process(COMMAND ${OBJDUMP} -p ${program} OUTPUT_VARIABLE dump RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${OBJDUMP} could not read ${program}")
  endif()
  string(REGEX MATCHALL "DLL Name: [^\n]+" names "${dump}")
  if(NOT names)
    message(FATAL_ERROR "${program} imports no DLL at all: not a Windows program?")
  endif()
  foreach(entry IN LISTS names)
    string(REPLACE "DLL Name: " "" dll "${entry}")
    string(STRIP "${dll}" dll)
    string(TOLOWER "${dll}" lower)
    if(NOT lower IN_LIST system_dlls)
      list(APPEND failed "${program} needs ${dll}")
    endif()
  endforeach()
endforeach()
if(failed)
  string(REPLACE ";" "\n  " failed "${failed}")
  message(FATAL_ERROR "Windows programs needing a DLL Windows does not have:\n  ${failed}\n"
          "Link that library statically (cmake/mingw-w64.cmake).")
endif()
