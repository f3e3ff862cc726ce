# Sources and libraries of the CWMP client, included by core/CMakeLists.txt.
list(APPEND CORE_SOURCES
  src/http_client.cc
  src/connection_request_server.cc
  src/digest.cc
  src/event_queue.cc
  src/schedule.cc
  src/cwmp_client.cc
  src/cwmp_session.cc
  src/cwmp_handlers.cc
  src/transfers.cc)
list(APPEND CORE_DEPS PkgConfig::LIBCURL PkgConfig::MHD)
