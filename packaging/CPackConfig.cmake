# `cpack -G DEB` in the build folder makes realsyn_<version>_amd64.deb.
set(CPACK_PACKAGE_NAME "realsyn")
set(CPACK_PACKAGE_VENDOR "RealSyn Studio")
set(CPACK_PACKAGE_CONTACT "RealSyn Studio developers <dev@realsyn.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Curate vision-language data from interleaved documents (RealSyn pipeline)")
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Real dependencies are computed from the binaries' shared libraries.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Runtime pieces that are loaded dynamically and so invisible to shlibdeps.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6sql6-sqlite, libopenblas0-pthread, opencv-data, tesseract-ocr-eng")
if(REALSYN_BUILD_GUI)
  install(FILES ${CMAKE_CURRENT_LIST_DIR}/realsyn-studio.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
endif()
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
include(CPack)
