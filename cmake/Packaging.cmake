# The Debian package (issue 12, item 3): CPack's DEB generator over this build's own install
# rules (cmake --install is the one description of the installed layout), so a cross build
# packages its target binaries as they are, with no second build and no cross build-dependency
# dance (dpkg-buildpackage -a). What debhelper would add is written out in etc/debian/: the
# maintainer scripts (they honour DPKG_ROOT), the copyright, changelog and man page. Make it
# with scripts/package.sh ARCH. The package is meant for CMAKE_INSTALL_PREFIX=/usr.
include_guard(GLOBAL)

if(NOT PROXIER_DEB_ARCH)
  find_program(PROXIER_DPKG dpkg)
  if(PROXIER_DPKG)
    execute_process(COMMAND ${PROXIER_DPKG} --print-architecture OUTPUT_VARIABLE PROXIER_DEB_ARCH
                    OUTPUT_STRIP_TRAILING_WHITESPACE)
  endif()
endif()

set(_doc ${CMAKE_INSTALL_DATADIR}/doc/proxier)
set(_pkg ${CMAKE_BINARY_DIR}/debian)
configure_file(${CMAKE_SOURCE_DIR}/etc/debian/changelog ${_pkg}/changelog @ONLY)
configure_file(${CMAKE_SOURCE_DIR}/etc/debian/proxierd.8 ${_pkg}/proxierd.8 @ONLY)
file(WRITE ${_pkg}/conffiles "${CMAKE_INSTALL_FULL_SYSCONFDIR}/proxier/proxierd.toml\n")
foreach(_f changelog proxierd.8)
  add_custom_command(OUTPUT ${_pkg}/${_f}.gz
                     COMMAND gzip -9nf -k ${_pkg}/${_f}
                     DEPENDS ${_pkg}/${_f} VERBATIM)
endforeach()
add_custom_target(proxier_package_docs ALL DEPENDS ${_pkg}/changelog.gz ${_pkg}/proxierd.8.gz)
install(FILES ${CMAKE_SOURCE_DIR}/etc/debian/copyright DESTINATION ${_doc})
install(FILES ${_pkg}/changelog.gz DESTINATION ${_doc})
install(FILES ${_pkg}/proxierd.8.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES ${CMAKE_SOURCE_DIR}/etc/debian/lintian-overrides DESTINATION
        ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME proxier)
foreach(_s postinst prerm postrm)
  configure_file(${CMAKE_SOURCE_DIR}/etc/debian/${_s} ${_pkg}/${_s} COPYONLY
                 FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                                  WORLD_READ WORLD_EXECUTE)
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME proxier)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "Proxier developers <proxier-dev@example.org>")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "Proxier developers <proxier-dev@example.org>")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "TR-069 proxier CPE for home gateways
proxierd is a home gateway's CWMP (TR-069) client on a TR-181 Device:2
data model, and a UPnP Device Management control point that brings the
LAN's UPnP DM appliances under the operator's ACS, as embedded devices of
the gateway's model or as virtual CWMP devices of their own.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${PROXIER_DEB_ARCH})
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${_pkg}/conffiles ${_pkg}/postinst ${_pkg}/prerm
                                       ${_pkg}/postrm)
set(CPACK_OUTPUT_FILE_PREFIX ${CMAKE_BINARY_DIR}/packages)
include(CPack)
