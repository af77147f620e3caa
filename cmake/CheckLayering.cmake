# Fails the build when the layering is broken (run by the realsyn_layering
# target before realsyn_core compiles; cmake -P with ROOT set):
#  - nothing under core/ includes ui/, plugins/ or app/ (the core is GUI-free
#    and knows plugins only through its own interfaces);
#  - a core/<area>/detail/ header is included only from core/<area>/.
if(NOT ROOT)
  message(FATAL_ERROR "CheckLayering.cmake needs -DROOT=<source dir>")
endif()
file(GLOB_RECURSE sources RELATIVE "${ROOT}" "${ROOT}/core/*.h" "${ROOT}/core/*.cpp")
set(violations "")
foreach(file IN LISTS sources)
  file(STRINGS "${ROOT}/${file}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*[\"<]")
  string(REGEX MATCH "^core/([^/]+)/" _ "${file}")
  set(area "${CMAKE_MATCH_1}")
  foreach(line IN LISTS includes)
    if(line MATCHES "[\"<](ui|plugins|app)/")
      list(APPEND violations "${file}: ${line}  (core must not depend on ${CMAKE_MATCH_1}/)")
    elseif(line MATCHES "[\"<]core/([^/]+)/detail/" AND NOT CMAKE_MATCH_1 STREQUAL area)
      list(APPEND violations "${file}: ${line}  (core/${CMAKE_MATCH_1}/detail/ is private to core/${CMAKE_MATCH_1}/)")
    endif()
  endforeach()
endforeach()
if(violations)
  list(JOIN violations "\n  " text)
  message(FATAL_ERROR "Layering violations:\n  ${text}")
endif()
