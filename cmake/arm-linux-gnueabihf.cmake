# Toolchain file: 32-bit ARM hard-float gateways (Debian armhf, ARMv7). See cross-debian.cmake and
# scripts/cross-build.sh, which installs the toolchain and libraries this needs.
set(PROXIER_CROSS_TRIPLET arm-linux-gnueabihf)
set(PROXIER_CROSS_PROCESSOR arm)
set(PROXIER_DEB_ARCH armhf)
set(PROXIER_CROSS_QEMU qemu-arm)
include(${CMAKE_CURRENT_LIST_DIR}/cross-debian.cmake)
