# realsyn_add_test(NAME SOURCES... [LABELS l...] [LIBS lib...])
# One Qt Test executable per unit, registered with CTest. Tests find the
# shared reference data through REALSYN_SHARED_DIR (default ../shared next to
# the source tree) and their own fixtures through REALSYN_TEST_DATA.
function(realsyn_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LABELS;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE realsyn_options realsyn_testsupport Qt6::Test ${ARG_LIBS})
  add_test(NAME ${name} COMMAND ${name})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;REALSYN_BUILD_DIR=${CMAKE_BINARY_DIR}")
endfunction()
