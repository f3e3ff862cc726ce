# proxier_module(<name> SOURCES ... DEPS ...): one library per folder, public headers in
# <folder>/include/proxier/<name>/, private sources in <folder>/src/.
function(proxier_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  if(ARG_SOURCES)
    add_library(proxier_${name} STATIC ${ARG_SOURCES})
    target_include_directories(proxier_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
                                                      ${CMAKE_BINARY_DIR}/generated
                               PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
    target_link_libraries(proxier_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  else()
    add_library(proxier_${name} INTERFACE)
    target_include_directories(proxier_${name} INTERFACE ${CMAKE_CURRENT_SOURCE_DIR}/include
                                                         ${CMAKE_BINARY_DIR}/generated)
    target_link_libraries(proxier_${name} INTERFACE ${ARG_DEPS})
  endif()
  add_library(proxier::${name} ALIAS proxier_${name})
endfunction()

# proxier_test(<name> SOURCES ... DEPS ... [LABELS ...]): one GoogleTest binary per module.
function(proxier_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
      PROXIER_SHARED_DIR="${PROXIER_SHARED_DIR}"
      PROXIER_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "unit;${ARG_LABELS}")
  # `unit_tests` builds every unit-test binary and nothing else (the sanitizer build of CI).
  if(NOT TARGET unit_tests)
    add_custom_target(unit_tests)
  endif()
  add_dependencies(unit_tests ${name})
endfunction()
