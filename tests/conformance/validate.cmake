# validate.cmake: the validator's `shouldValidate` checks, meant to be
# included from tests/conformance/CMakeLists.txt after the corpus fixture
# and WARD_SHARED_DEFAULT / WARD_CORPUS_DIR are defined:
#     include(${CMAKE_CURRENT_SOURCE_DIR}/validate.cmake)
# Both tests skip (exit 77) when the reference material is absent.
add_executable(validate_check ${CMAKE_CURRENT_LIST_DIR}/validate_check.c)
target_link_libraries(validate_check PRIVATE ward_static)

# handwritten tests: every tests/*/N.json of the conformance suite
add_test(NAME conformance.validate.handwritten
  COMMAND validate_check ${WARD_SHARED_DEFAULT}/cedar/conformance tests)
set_tests_properties(conformance.validate.handwritten PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)

# the generated corpus, extracted by the conformance_corpus fixture
add_test(NAME conformance.validate.corpus
  COMMAND validate_check ${WARD_CORPUS_DIR} corpus-tests)
set_tests_properties(conformance.validate.corpus PROPERTIES
  FIXTURES_REQUIRED conformance_corpus
  SKIP_RETURN_CODE 77
  TIMEOUT 900)
