# Assembles the client base bundle (docs/installer.md): what `helpline-brand stamp` and
# `helpline-brand package` start from, laid out as it is installed in
# /usr/lib/helpline/client-base by the helpline-client-base package:
#
#   bin/helpline, bin/helpline-cli          the unbranded clients, stripped (a stamp is
#                                           appended after the ELF file: strip first)
#   libexec/helpline-portal-vnc,            the remote-session backends the clients start
#   libexec/helpline-vnc-auth               by name, stripped; never stamped (a branded
#                                           client looks in <its folder>/../libexec first)
#   share/locale/LANG/LC_MESSAGES/helpline.mo   translations (the client looks in
#                                           <its folder>/../share/locale)
#   depends                                 the Debian Depends of all these programs, from
#                                           their shared libraries (dpkg-shlibdeps)
#   version                                 the base version
#
# cmake -DGUI=… -DCLI=… -DBACKENDS=a;b -DLOCALE_DIR=… -DOUT=… -DVERSION=… -DSTRIP=… -DSHLIBDEPS=…
#       -P client_base.cmake          (BACKENDS: the backend programs, possibly none)
# With -DWINDOWS=ON it makes the Windows client base (installer/windows/CMakeLists.txt): the
# same layout of .exe files, without `depends`.
foreach(var GUI CLI LOCALE_DIR OUT VERSION)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "client_base.cmake: ${var} is not set")
  endif()
endforeach()

file(REMOVE_RECURSE ${OUT}.tmp)
file(MAKE_DIRECTORY ${OUT}.tmp/bin)

# put_program(PROGRAM FOLDER): PROGRAM stripped into OUT.tmp/FOLDER.
function(put_program program folder)
  get_filename_component(name ${program} NAME)
  file(MAKE_DIRECTORY ${OUT}.tmp/${folder})
  if(STRIP)
    execute_process(COMMAND ${STRIP} --strip-unneeded -o ${OUT}.tmp/${folder}/${name} ${program}
                    RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "could not strip ${program}")
    endif()
  else()
    file(COPY ${program} DESTINATION ${OUT}.tmp/${folder})
  endif()
endfunction()

put_program(${GUI} bin)
put_program(${CLI} bin)
set(programs ${OUT}.tmp/bin/helpline ${OUT}.tmp/bin/helpline-cli)
foreach(backend IN LISTS BACKENDS)
  put_program(${backend} libexec)
  get_filename_component(name ${backend} NAME)
  list(APPEND programs ${OUT}.tmp/libexec/${name})
endforeach()
file(COPY ${LOCALE_DIR}/ DESTINATION ${OUT}.tmp/share/locale)
file(WRITE ${OUT}.tmp/version "${VERSION}\n")

# dpkg-shlibdeps wants a debian/control to name the package it computes for.
set(depends "")
if(SHLIBDEPS AND NOT WINDOWS)
  set(scratch ${OUT}.shlibdeps)
  file(REMOVE_RECURSE ${scratch})
  file(WRITE ${scratch}/debian/control "Source: helpline\n\nPackage: helpline-client-base\nArchitecture: any\n")
  execute_process(COMMAND ${SHLIBDEPS} -O ${programs}
                  WORKING_DIRECTORY ${scratch} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  file(REMOVE_RECURSE ${scratch})
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "dpkg-shlibdeps failed: ${err}")
  endif()
  string(REGEX REPLACE "^shlibs:Depends=" "" depends "${out}")
  string(STRIP "${depends}" depends)
endif()
if(NOT WINDOWS)
  file(WRITE ${OUT}.tmp/depends "${depends}\n")
endif()

file(REMOVE_RECURSE ${OUT})
file(RENAME ${OUT}.tmp ${OUT})
