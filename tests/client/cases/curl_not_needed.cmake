# cmake -DBINARY=FILE -P curl_not_needed.cmake: fails when FILE loads libcurl at start, i.e.
# when a libcurl function the client core calls is missing from client/core/curl_delayed.cpp
# (the executable then takes it from libcurl itself).
execute_process(COMMAND readelf -d ${BINARY} OUTPUT_VARIABLE out ERROR_VARIABLE err
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "readelf -d ${BINARY} failed (${rc}): ${err}")
endif()
if(NOT out MATCHES "\\(NEEDED\\)")
  message(FATAL_ERROR "readelf -d ${BINARY} lists no libraries at all: is it dynamically linked?\n${out}")
endif()
if(out MATCHES "\\(NEEDED\\)[^\n]*libcurl")
  message(FATAL_ERROR "${BINARY} loads libcurl at start. Add the libcurl functions the client "
                      "core now calls to client/core/curl_delayed.cpp.\n${out}")
endif()
message(STATUS "${BINARY}: libcurl is not loaded at start")
