# Shared compile settings for every Forecourt target: warnings, sanitizers, fuzzing,
# unity batches.
function(fc_target_defaults target)
  # Unity builds: a target's sources are compiled in batches of up to eight, so
  # the heavy header-only libraries (nlohmann/json, CLI11, doctest) are parsed,
  # and their inline functions generated, once per batch rather than once per
  # file. FC_UNITY_BUILD=OFF compiles file by file (e.g. to check includes).
  set_target_properties(${target} PROPERTIES UNITY_BUILD ${FC_UNITY_BUILD} UNITY_BUILD_BATCH_SIZE 8)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
  if(FC_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(FC_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined)
    # GCC's flow analysis reports false "maybe uninitialized" warnings inside
    # the standard library (std::regex, std::function) once the sanitizers'
    # instrumentation is in; the release build keeps the warning as an error.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
    endif()
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
  if(FC_FUZZ)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()
