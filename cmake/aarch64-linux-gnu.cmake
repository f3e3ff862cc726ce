# Toolchain file: 64-bit ARM gateways (Debian arm64). See cross-debian.cmake and
# scripts/cross-build.sh, which installs the toolchain and libraries this needs.
set(PROXIER_CROSS_TRIPLET aarch64-linux-gnu)
set(PROXIER_CROSS_PROCESSOR aarch64)
set(PROXIER_DEB_ARCH arm64)
set(PROXIER_CROSS_QEMU qemu-aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/cross-debian.cmake)
