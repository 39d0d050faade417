# Compiles a small text file into the library as a std::string_view constant, so featurization
# works without locating data files at run time. Reconfigures when the file changes.
function(thermex_embed_csv path symbol)
  file(READ ${path} content)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${path})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/generated/embedded_${symbol}.cpp)
  file(CONFIGURE OUTPUT ${out} CONTENT
"// Generated from ${path}; do not edit.\n#include <string_view>\nnamespace thermex::embedded {\nextern const std::string_view ${symbol};\nconst std::string_view ${symbol} = R\"thermexcsv(@content@)thermexcsv\";\n}  // namespace thermex::embedded\n" @ONLY)
  set(THERMEX_EMBEDDED_SOURCES ${THERMEX_EMBEDDED_SOURCES} ${out} PARENT_SCOPE)
endfunction()
