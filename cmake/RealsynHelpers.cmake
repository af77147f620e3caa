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
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;REALSYN_BUILD_DIR=${CMAKE_BINARY_DIR};QTEST_FUNCTION_TIMEOUT=3600000")
  # Qt Test's watchdog forks to print a stack when a function runs past its
  # timeout, and that fork deadlocks in OpenBLAS's atfork handler: leave
  # timeouts to CTest (TIMEOUT above), which kills cleanly.
endfunction()

# realsyn_add_plugin(NAME SOURCES... [LIBS lib...])
# A runtime Qt plugin: a MODULE library written to <build>/plugins, where
# PluginManager finds it from the build tree (bin/../plugins), and installed
# to <libdir>/realsyn/plugins. The plugin links realsyn_core for the
# interfaces and value types; LIBS adds what the plugin itself needs.
function(realsyn_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE realsyn_options realsyn_core ${ARG_LIBS})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/plugins)
  install(TARGETS ${name} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/realsyn/plugins)
endfunction()

# realsyn_add_module(TARGET FILE name SOURCES... LIBS lib...)
# One of realsyn's own modules: a shared object that keeps heavy libraries
# out of the processes that do not need them, opened with dlopen
# (core/util/runtimemodule.h, app/cli/main.cpp). It is written to
# <build>/lib/realsyn (found from the build tree as bin/../lib/realsyn) as
# FILE (no "lib" prefix), installed to <libdir>/realsyn, exports only what
# its sources mark visible, and binds to its own copies of the static
# libraries it links, never to the caller's.
function(realsyn_add_module target)
  cmake_parse_arguments(ARG "" "FILE" "SOURCES;LIBS" ${ARGN})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE realsyn_options ${ARG_LIBS})
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME ${ARG_FILE}
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lib/realsyn)
  target_link_options(${target} PRIVATE -Wl,--exclude-libs,ALL -Wl,-Bsymbolic)
  install(TARGETS ${target} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/realsyn)
endfunction()

# realsyn_add_parquet_library(TARGET GEN_DIR)
# The parquet writer and footer reader (core/export/detail/parquetfile.cpp)
# as a static library, with the file-metadata C++ that thrift-compiler
# generates into GEN_DIR from our IDL subset (core/export/detail/
# parquet.thrift). The caller has found REALSYN_THRIFT and the THRIFT and
# ZSTD pkg-config targets and Snappy. The main build makes one for
# realsyn_parquet.so and the unit tests, the fuzz build one for its harness.
function(realsyn_add_parquet_library target gen_dir)
  set(idl ${PROJECT_SOURCE_DIR}/core/export/detail/parquet.thrift)
  add_custom_command(
    OUTPUT ${gen_dir}/parquet_types.h ${gen_dir}/parquet_types.cpp
    COMMAND ${CMAKE_COMMAND} -E make_directory ${gen_dir}
    COMMAND ${REALSYN_THRIFT} --gen cpp -out ${gen_dir} ${idl}
    DEPENDS ${idl}
    COMMENT "Generating the parquet file-metadata code (thrift --gen cpp)"
    VERBATIM)
  set(src ${PROJECT_SOURCE_DIR}/core/export)
  add_library(${target} STATIC
    ${src}/parquetwriter.h
    ${src}/detail/parquetfile.h
    ${src}/detail/parquetfile.cpp
    ${src}/detail/parquetencoding.h
    ${src}/detail/parquetencoding.cpp
    ${gen_dir}/parquet_types.h
    ${gen_dir}/parquet_types.cpp)
  target_include_directories(${target} PRIVATE ${gen_dir})
  target_link_libraries(${target} PUBLIC realsyn_options Qt6::Core PRIVATE PkgConfig::THRIFT PkgConfig::ZSTD Snappy::snappy)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()
