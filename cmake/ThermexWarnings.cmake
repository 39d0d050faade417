# Warnings are errors in our own code (set per target, never globally, so third-party headers
# included as SYSTEM stay quiet).
function(thermex_set_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror>
    # GCC 12 reports -Wrestrict false positives inside libstdc++'s std::string operator+
    # at -O3 (GCC bug 105329); the warning says nothing about our code.
    $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CXX_COMPILER_ID:GNU>>:-Wno-restrict>
    # Clang reports a `#pragma omp simd` loop it could not vectorize (e.g. under the
    # sanitizers of the fuzz preset) as -Wpass-failed: a missed optimization, not a defect.
    $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CXX_COMPILER_ID:Clang>>:-Wno-pass-failed>)
  if(THERMEX_NATIVE)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-march=native>)
  endif()
  if(THERMEX_SANITIZE)
    target_compile_options(${target} PRIVATE
      $<$<COMPILE_LANGUAGE:CXX>:-fsanitize=${THERMEX_SANITIZE} -fno-omit-frame-pointer>)
    target_link_options(${target} PRIVATE -fsanitize=${THERMEX_SANITIZE})
  endif()
endfunction()
