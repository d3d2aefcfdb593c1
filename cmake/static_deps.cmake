# PXC_STATIC: every library but the C runtime linked from Debian's static
# archives (README "Install": the release build). Defines the targets the
# dynamic build gets from pkg-config (PkgConfig::GRPCPP, PkgConfig::LIBSSH,
# PkgConfig::MARIADB) with the same include directories, and linking them
# links pxc_static_deps: the whole dependency closure of gRPC, Protobuf,
# Abseil, libssh, Connector/C, OpenSSL and zlib as .a files in one
# --start-group/--end-group, so that their order does not matter. glibc (and
# with it libdl, libpthread, libm, librt) stays dynamic; libstdc++ and libgcc
# are static (-static-libstdc++ -static-libgcc).
include_guard(GLOBAL)

pkg_check_modules(GRPCPP REQUIRED grpc++)
pkg_check_modules(LIBSSH REQUIRED libssh)
pkg_check_modules(MARIADB REQUIRED libmariadb)

# Names from `pkg-config --static --libs`; Connector/C's static archive is
# libmariadbclient.a. libssh's own dependencies (not in its .pc): OpenSSL,
# zlib, and GSS-API, which pxc never uses (cmake/gssapi_unavailable.c).
set(_pxc_names ${GRPCPP_STATIC_LIBRARIES} protobuf ${LIBSSH_STATIC_LIBRARIES} mariadbclient
    ${MARIADB_STATIC_LIBRARIES} ssl crypto z)
list(REMOVE_ITEM _pxc_names mariadb)
set(_pxc_archives)
set(_pxc_system)
foreach(_n IN LISTS _pxc_names)
  if(_n MATCHES "^(c|dl|m|pthread|rt)$")
    list(APPEND _pxc_system ${_n})
    continue()
  endif()
  if(_n STREQUAL "atomic")
    # libatomic comes with GCC, not with a -dev package.
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libatomic.a
                    OUTPUT_VARIABLE _lib OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT IS_ABSOLUTE "${_lib}" OR NOT EXISTS "${_lib}")
      message(FATAL_ERROR "PXC_STATIC: libatomic.a not found")
    endif()
  else()
    string(MAKE_C_IDENTIFIER "PXC_STATIC_LIB_${_n}" _var)
    find_library(${_var} NAMES lib${_n}.a NO_CACHE)
    if(NOT ${_var})
      message(FATAL_ERROR "PXC_STATIC: lib${_n}.a not found (scripts/install-deps.sh build); "
                          "or configure with -DPXC_STATIC=OFF")
    endif()
    set(_lib ${${_var}})
  endif()
  list(APPEND _pxc_archives ${_lib})
endforeach()
list(REMOVE_DUPLICATES _pxc_archives)
list(REMOVE_DUPLICATES _pxc_system)
list(LENGTH _pxc_archives _count)
message(STATUS "PXC_STATIC: linking ${_count} static archives; dynamic: libc (${_pxc_system})")

add_library(pxc_static_deps INTERFACE)
target_link_libraries(pxc_static_deps INTERFACE
  "-Wl,--start-group" ${_pxc_archives} "-Wl,--end-group" ${_pxc_system} Threads::Threads)
# Compiled into every executable that links the static dependencies (an
# object on the link line, so it is there before libssh.a asks for it).
target_sources(pxc_static_deps INTERFACE ${CMAKE_CURRENT_LIST_DIR}/gssapi_unavailable.c)

foreach(_m GRPCPP LIBSSH MARIADB)
  add_library(PkgConfig::${_m} INTERFACE IMPORTED)
  target_include_directories(PkgConfig::${_m} INTERFACE ${${_m}_INCLUDE_DIRS})
  target_compile_options(PkgConfig::${_m} INTERFACE ${${_m}_CFLAGS_OTHER})
  target_link_libraries(PkgConfig::${_m} INTERFACE pxc_static_deps)
endforeach()
