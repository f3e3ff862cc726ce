# Cross-compiling for a Debian 12 architecture with Debian's own cross toolchain
# (crossbuild-essential-<arch>) and multiarch -dev packages (<pkg>:<arch>). Included by the
# per-architecture toolchain files, which set PROXIER_CROSS_TRIPLET, PROXIER_CROSS_PROCESSOR and
# PROXIER_CROSS_QEMU first. Nothing here names the build machine's architecture: libraries and
# pkg-config files are looked up under the target's multiarch triplet only.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ${PROXIER_CROSS_PROCESSOR})
set(CMAKE_C_COMPILER ${PROXIER_CROSS_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${PROXIER_CROSS_TRIPLET}-g++)
set(CMAKE_LIBRARY_ARCHITECTURE ${PROXIER_CROSS_TRIPLET})
# pkgconf's cross personality: searches /usr/lib/<triplet>/pkgconfig and /usr/share/pkgconfig only.
set(PKG_CONFIG_EXECUTABLE ${PROXIER_CROSS_TRIPLET}-pkg-config CACHE FILEPATH "cross pkg-config")
# scripts/cross-build.sh unpacks the target's libupnp-dev into the build directory (it is not
# co-installable across architectures) and names its pkg-config directory here.
set(PROXIER_CROSS_PKG_CONFIG_PATH "" CACHE PATH "extra pkg-config directory for the target")
if(PROXIER_CROSS_PKG_CONFIG_PATH)
  set(ENV{PKG_CONFIG_PATH} "${PROXIER_CROSS_PKG_CONFIG_PATH}")
endif()
# Programs run on the build machine; libraries and packages come from the target's directories
# (CMAKE_LIBRARY_ARCHITECTURE puts /usr/lib/<triplet> first, and the build machine's own
# /usr/lib/<its triplet> is never searched).
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
# Tests built here run on the build machine under qemu-user (ctest prefixes target executables
# with the emulator; the integration tests read PROXIER_EMULATOR). The target's dynamic loader and
# libraries are the multiarch ones in /lib and /usr/lib/<triplet>, so qemu needs no -L.
find_program(PROXIER_QEMU_PROGRAM NAMES ${PROXIER_CROSS_QEMU} ${PROXIER_CROSS_QEMU}-static)
if(PROXIER_QEMU_PROGRAM)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${PROXIER_QEMU_PROGRAM})
endif()
