# Installation and packaging (docs/install.md): `cmake --install build --prefix P` and
# `cpack -G DEB` (in build/). Included from the top-level CMakeLists.txt.
include(GNUInstallDirs)
set(CISIM_DATADIR ${CMAKE_INSTALL_DATADIR}/cisim)

# The man page, generated from `cisim --help` and `cisim <command> --help` after every build of
# the program, so that it says what the installed program says.
set(CISIM_MANPAGE ${CMAKE_BINARY_DIR}/cisim.1)
add_custom_command(OUTPUT ${CISIM_MANPAGE}
  COMMAND env CISIM_NO_REEXEC=1 sh ${CMAKE_SOURCE_DIR}/packaging/gen_manpage.sh
          $<TARGET_FILE:cisim> ${PROJECT_VERSION} ${CISIM_MANPAGE}
  DEPENDS cisim ${CMAKE_SOURCE_DIR}/packaging/gen_manpage.sh
  COMMENT "Generating cisim.1 from the help texts" VERBATIM)
add_custom_target(cisim_manpage ALL DEPENDS ${CISIM_MANPAGE})

# The modulefile knows its version; it finds the prefix from where it lies.
configure_file(${CMAKE_SOURCE_DIR}/packaging/cisim.lua.in
               ${CMAKE_BINARY_DIR}/modulefiles/cisim/${PROJECT_VERSION}.lua @ONLY)

install(TARGETS cisim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/configs/ DESTINATION ${CISIM_DATADIR}/configs
        FILES_MATCHING PATTERN "*.yaml")
install(DIRECTORY ${CMAKE_SOURCE_DIR}/scripts/ DESTINATION ${CISIM_DATADIR}/scripts
        USE_SOURCE_PERMISSIONS
        PATTERN "__pycache__" EXCLUDE PATTERN "*.pyc" EXCLUDE)
# the Python reader: PYTHONPATH=<prefix>/share/cisim/python (the modulefile sets it)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/python/cisim DESTINATION ${CISIM_DATADIR}/python
        PATTERN "__pycache__" EXCLUDE PATTERN "*.pyc" EXCLUDE)
install(FILES ${CISIM_MANPAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/cisim.bash-completion
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME cisim)
install(FILES ${CMAKE_BINARY_DIR}/modulefiles/cisim/${PROJECT_VERSION}.lua
        DESTINATION ${CISIM_DATADIR}/modulefiles/cisim)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/LICENSE
              ${CMAKE_SOURCE_DIR}/CHANGELOG.md ${CMAKE_SOURCE_DIR}/CITATION.cff
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)

# A Debian package: `cd build && cpack -G DEB` gives cisim_<version>_<arch>.deb.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME cisim)
set(CPACK_PACKAGE_VENDOR "the cisim developers")
# The project has no mail address of its own yet: ".invalid" (RFC 2606) says so instead of
# inventing one. Whoever builds a package for others sets theirs (docs/install.md).
set(CISIM_PACKAGE_CONTACT "the cisim developers <cisim@invalid>" CACHE STRING
    "Maintainer field of the .deb: Name <address>")
set(CPACK_PACKAGE_CONTACT "${CISIM_PACKAGE_CONTACT}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "simulator of skin healing and collagen induction after microneedling")
set(CPACK_PACKAGE_DESCRIPTION
    "cisim evolves a reaction-diffusion-chemotaxis model of a layered dermis after needle \
punctures (2D cross-sections or 3D blocks, OpenMP, bitwise reproducible for any thread count) \
and writes self-describing HDF5 run files with an XDMF sidecar for ParaView. The package \
holds the program, its man page and bash completion, example configurations, plotting \
scripts, documentation and an Lmod modulefile.")
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_LICENSE GPL-3.0-or-later)
# The shared libraries the program links (GSL, HDF5, libyaml, libgomp) as found by
# dpkg-shlibdeps; the scripts' Python modules are recommended, not required.
find_program(CISIM_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(CISIM_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libgsl27, libhdf5-103-1, libyaml-0-2, zlib1g, libgomp1, libc6")
endif()
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "python3-h5py, python3-numpy, python3-matplotlib")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "lmod, paraview, hdf5-tools")
include(CPack)
