// Connection requests from the lab ACS: an HTTP GET to a CPE's ConnectionRequestURL with Digest
// authentication (libcurl).
#pragma once

#include <chrono>
#include <string>

#include "proxier/common/log.h"

namespace proxier::labacs {

struct ConnectionRequestResult {
  long http_status = 0;  // 0 when no HTTP answer came back
  std::string error;     // transport error text when http_status is 0
};

// Sends the GET and waits for the answer (blocking, at most `timeout`). With a user name the
// request answers a Digest challenge (CURLAUTH_DIGEST); without, it is sent without credentials.
// Thread: any (one easy handle per call).
ConnectionRequestResult SendConnectionRequest(const std::string& url, const std::string& username,
                                              const Secret& password,
                                              std::chrono::milliseconds timeout);

}  // namespace proxier::labacs
