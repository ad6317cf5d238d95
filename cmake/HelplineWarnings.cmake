# helpline_set_warnings(target): the project's warning set, errors with HELPLINE_WERROR.
function(helpline_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough)
  if(HELPLINE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
