# Runs a CLI test case and compares its transcript with an expected file, with
# TZ=UTC LC_ALL=C fixed (as Transmission's run_transmission_show.cmake does).
#
# -DCASE_FILE=...     the case: a CMake script calling run()/file_tool()
# -DEXPECTED=...      the expected transcript
# -DWORK=...          a scratch folder, emptied first
# -DSOURCE_DIR=...    replaced by <src> in the transcript
# -DTOOL_<NAME>=...   executables the case may name (helpline-brand, helpline, ...)
# -DFILE_TOOL=...     tests/support/file_tool
# Set UPDATE_EXPECTED=1 in the environment to rewrite the expected file instead.

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
set(TRANSCRIPT "")

function(normalise out text)
  string(REPLACE "${WORK}" "<work>" text "${text}")
  string(REPLACE "${SOURCE_DIR}" "<src>" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# run(TOOL_NAME args...): runs the tool in WORK and records command, output and exit code.
function(run tool)
  set(exe "${TOOL_${tool}}")
  if(NOT exe)
    message(FATAL_ERROR "case names unknown tool ${tool}")
  endif()
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env --unset=DISPLAY --unset=WAYLAND_DISPLAY TZ=UTC LC_ALL=C COLUMNS=100 ${exe} ${ARGN}
    WORKING_DIRECTORY "${WORK}"
    OUTPUT_VARIABLE output ERROR_VARIABLE output
    RESULT_VARIABLE code)
  string(JOIN " " args ${ARGN})
  normalise(args "${args}")
  normalise(output "${output}")
  set(TRANSCRIPT "${TRANSCRIPT}$ ${tool} ${args}\n${output}[exit ${code}]\n\n" PARENT_SCOPE)
endfunction()

# prepare(TOOL_NAME args...): runs a tool whose output varies (sizes of real binaries);
# not recorded, must succeed.
function(prepare tool)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env TZ=UTC LC_ALL=C "${TOOL_${tool}}" ${ARGN}
    WORKING_DIRECTORY "${WORK}" OUTPUT_VARIABLE output ERROR_VARIABLE output RESULT_VARIABLE code)
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "${tool} ${ARGN} failed: ${output}")
  endif()
endfunction()

# copy_tool(TOOL_NAME dest): copies an executable into WORK (to stamp or damage it).
function(copy_tool tool dest)
  file(COPY_FILE "${TOOL_${tool}}" "${WORK}/${dest}")
endfunction()

# file_tool(args...): prepares or damages files; not recorded, must succeed.
function(file_tool)
  execute_process(COMMAND "${FILE_TOOL}" ${ARGN} WORKING_DIRECTORY "${WORK}" RESULT_VARIABLE code)
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "file_tool ${ARGN} failed")
  endif()
endfunction()

include("${CASE_FILE}")

if(DEFINED ENV{UPDATE_EXPECTED})
  file(WRITE "${EXPECTED}" "${TRANSCRIPT}")
  message(STATUS "updated ${EXPECTED}")
  return()
endif()
if(NOT EXISTS "${EXPECTED}")
  file(WRITE "${WORK}/actual.txt" "${TRANSCRIPT}")
  message(FATAL_ERROR "no expected file ${EXPECTED}; the transcript is in ${WORK}/actual.txt")
endif()
file(READ "${EXPECTED}" expected)
if(NOT expected STREQUAL TRANSCRIPT)
  file(WRITE "${WORK}/actual.txt" "${TRANSCRIPT}")
  execute_process(COMMAND diff -u "${EXPECTED}" "${WORK}/actual.txt")
  message(FATAL_ERROR "transcript differs from ${EXPECTED} (actual: ${WORK}/actual.txt)")
endif()
