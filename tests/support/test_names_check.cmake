# A test name with ';' is split by CMake's list handling in catch_discover_tests into two
# ctest tests whose filters match nothing, and Catch2 reports "No tests ran" as a pass: the
# test would never run. This check fails on any such name in the discovered test sources
# (tests/gui registers whole executables, where names may have one).
# cmake -DTESTS_DIR=... -P test_names_check.cmake
file(GLOB_RECURSE sources "${TESTS_DIR}/*.cpp")
set(found "")
foreach(source IN LISTS sources)
  if(source MATCHES "/tests/gui/")
    continue()
  endif()
  file(READ "${source}" text)
  string(REGEX MATCHALL "(TEST_CASE|SCENARIO)\\([ \t\r\n]*\"[^\"]*;[^\"]*\"" names "${text}")
  # TEST_CASE_METHOD(Fixture, "name"): the name is the second argument.
  string(REGEX MATCHALL "TEST_CASE_METHOD\\([^,\"]*,[ \t\r\n]*\"[^\"]*;[^\"]*\"" method_names "${text}")
  list(APPEND names ${method_names})
  if(names)
    string(APPEND found "\n  ${source}")
  endif()
endforeach()
if(found)
  message(FATAL_ERROR "Test names with ';' (CTest splits them and the halves never run); "
                      "write ',' instead in:${found}")
endif()
