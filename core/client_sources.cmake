# Sources and libraries of the CWMP client, included by core/CMakeLists.txt.
list(APPEND CORE_SOURCES
  src/http_client.cc
  src/connection_request_server.cc)
list(APPEND CORE_DEPS PkgConfig::LIBCURL PkgConfig::MHD)
