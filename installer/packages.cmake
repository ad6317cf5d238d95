# The team's own Debian packages, made by CPack from the built tree (docs/installer.md):
#   cmake --build --preset release --target package     (or scripts/package)
# helpline-client-base, helpline-brand and helpline-server, one per install component
# (installer/CMakeLists.txt says what each installs). Included from the top CMakeLists.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME helpline)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${HELPLINE_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_HOMEPAGE_URL "${HELPLINE_HOMEPAGE}")
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)  # the prefix under DESTDIR (CPACK_SET_DESTDIR below)
# Absolute destinations (/etc/helpline, /lib/systemd/system) land in the package's tree.
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
# Read by cpack itself: the archives' time stamps (installer/cpack_project.cmake.in).
configure_file(${CMAKE_CURRENT_LIST_DIR}/cpack_project.cmake.in ${CMAKE_BINARY_DIR}/CPackProject.cmake @ONLY)
set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_BINARY_DIR}/CPackProject.cmake)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING IGNORE)
# The components this tree has (no client base without the GUI, no server without it).
set(CPACK_COMPONENTS_ALL "")
get_cmake_property(known COMPONENTS)
foreach(component client_base brand server)
  if(component IN_LIST known)
    list(APPEND CPACK_COMPONENTS_ALL ${component})
  endif()
endforeach()
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE ${HELPLINE_DEB_RELEASE})
set(CPACK_DEBIAN_PACKAGE_SOURCE helpline)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)

set(CPACK_DEBIAN_CLIENT_BASE_PACKAGE_NAME helpline-client-base)
set(CPACK_DEBIAN_CLIENT_BASE_PACKAGE_SECTION net)
set(CPACK_DEBIAN_CLIENT_BASE_DESCRIPTION "unbranded Helpline clients, what branded clients are made from
Helpline is a self-hostable remote-support system. Its customers run a client
carrying their support team's brand; helpline-brand makes such clients, without
a compiler, by stamping a signed branding profile into a copy of these.
.
This package holds the unbranded GUI and terminal clients, their translations
and their Debian dependencies in /usr/lib/helpline/client-base, where
helpline-brand finds them. They are not on the PATH: unbranded, they only say
so.")

set(CPACK_DEBIAN_BRAND_PACKAGE_NAME helpline-brand)
set(CPACK_DEBIAN_BRAND_PACKAGE_SECTION utils)
# The client base is what `helpline-brand package` starts from by default, and
# rsvg-convert renders the brand's icons; stamp, inspect, keygen and the profile
# commands need neither, and `package --client DIR` can take a base from elsewhere.
set(CPACK_DEBIAN_BRAND_PACKAGE_RECOMMENDS "helpline-client-base (= ${HELPLINE_DEB_VERSION}), librsvg2-bin")
# The brand's Windows installer (package --format nsis) needs makensis and icotool, and
# inspect opens one with 7-Zip: for the teams that make one.
set(CPACK_DEBIAN_BRAND_PACKAGE_SUGGESTS "nsis, icoutils, p7zip-full")
set(CPACK_DEBIAN_BRAND_DESCRIPTION "make branded, signed Helpline clients and their packages
Helpline is a self-hostable remote-support system. helpline-brand turns a
support team's branding profile (name, logo, colours, texts, server) into a
branded client signed with the team's key, in well under a second and without
a compiler, and wraps it in a Debian package and a tarball for customers.")

set(CPACK_DEBIAN_SERVER_PACKAGE_NAME helpline-server)
set(CPACK_DEBIAN_SERVER_PACKAGE_SECTION net)
# The postinst makes the service's user with systemd-sysusers (as debhelper's
# dh_installsysusers would depend); the unit's ExecReload runs procps's /bin/kill.
set(CPACK_DEBIAN_SERVER_PACKAGE_DEPENDS "systemd | systemd-standalone-sysusers | systemd-sysusers, procps")
# The console's viewer shows customers' screens with noVNC's files and its dashboard draws
# with Chart.js's; without them the console works and says what is missing. Recommends
# (installed by default), not Depends: Debian's novnc also brings websockify, Python and
# Node.js, none of which the server uses.
set(CPACK_DEBIAN_SERVER_PACKAGE_RECOMMENDS "novnc, libjs-chart.js, node-qrcode-generator")
set(CPACK_DEBIAN_SERVER_PACKAGE_SUGGESTS "sqlite3")
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_LIST_DIR}/deb/server/conffiles ${CMAKE_CURRENT_LIST_DIR}/deb/server/postinst
    ${CMAKE_CURRENT_LIST_DIR}/deb/server/prerm ${CMAKE_CURRENT_LIST_DIR}/deb/server/postrm)
set(CPACK_DEBIAN_SERVER_DESCRIPTION "Helpline team server: assistance queue, operator console and session relay
Helpline is a self-hostable remote-support system. The team server keeps the
assistance queue, serves the operators' web console, streams events to the
customers' clients and relays remote sessions, with an embedded SQLite
database.
.
It runs as the systemd service helpline-server, as its own system user, with
its data in /var/lib/helpline and its settings in /etc/helpline/server.conf.
The first installation creates the team and its first admin.")

include(CPack)
