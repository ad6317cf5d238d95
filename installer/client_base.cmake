# Assembles the client base bundle (docs/installer.md): what `helpline-brand stamp` and
# `helpline-brand package` start from, laid out as it is installed in
# /usr/lib/helpline/client-base by the helpline-client-base package:
#
#   bin/helpline, bin/helpline-cli          the unbranded clients, stripped (a stamp is
#                                           appended after the ELF file: strip first)
#   share/locale/LANG/LC_MESSAGES/helpline.mo   translations (the client looks in
#                                           <its folder>/../share/locale)
#   depends                                 the Debian Depends of the two programs, from
#                                           their shared libraries (dpkg-shlibdeps)
#   version                                 the base version
#
# cmake -DGUI=… -DCLI=… -DLOCALE_DIR=… -DOUT=… -DVERSION=… -DSTRIP=… -DSHLIBDEPS=… -P client_base.cmake
foreach(var GUI CLI LOCALE_DIR OUT VERSION)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "client_base.cmake: ${var} is not set")
  endif()
endforeach()

file(REMOVE_RECURSE ${OUT}.tmp)
file(MAKE_DIRECTORY ${OUT}.tmp/bin)
foreach(program GUI CLI)
  get_filename_component(name ${${program}} NAME)
  if(STRIP)
    execute_process(COMMAND ${STRIP} --strip-unneeded -o ${OUT}.tmp/bin/${name} ${${program}}
                    RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "could not strip ${${program}}")
    endif()
  else()
    file(COPY ${${program}} DESTINATION ${OUT}.tmp/bin)
  endif()
endforeach()
file(COPY ${LOCALE_DIR}/ DESTINATION ${OUT}.tmp/share/locale)
file(WRITE ${OUT}.tmp/version "${VERSION}\n")

# dpkg-shlibdeps wants a debian/control to name the package it computes for.
set(depends "")
if(SHLIBDEPS)
  set(scratch ${OUT}.shlibdeps)
  file(REMOVE_RECURSE ${scratch})
  file(WRITE ${scratch}/debian/control "Source: helpline\n\nPackage: helpline-client-base\nArchitecture: any\n")
  execute_process(COMMAND ${SHLIBDEPS} -O ${OUT}.tmp/bin/helpline ${OUT}.tmp/bin/helpline-cli
                  WORKING_DIRECTORY ${scratch} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  file(REMOVE_RECURSE ${scratch})
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "dpkg-shlibdeps failed: ${err}")
  endif()
  string(REGEX REPLACE "^shlibs:Depends=" "" depends "${out}")
  string(STRIP "${depends}" depends)
endif()
file(WRITE ${OUT}.tmp/depends "${depends}\n")

file(REMOVE_RECURSE ${OUT})
file(RENAME ${OUT}.tmp ${OUT})
