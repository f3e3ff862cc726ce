// SendConnectionRequest: one blocking libcurl GET with Digest auth.
#include "lab_acs/connection_request.h"

#include <curl/curl.h>

namespace proxier::labacs {

namespace {

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

}  // namespace

ConnectionRequestResult SendConnectionRequest(const std::string& url, const std::string& username,
                                              const Secret& password,
                                              std::chrono::milliseconds timeout) {
  ConnectionRequestResult result;
  if (url.empty()) {
    result.error = "no ConnectionRequestURL known";
    return result;
  }
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    result.error = "curl_easy_init failed";
    return result;
  }
  char error[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Discard);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  if (!username.empty()) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_DIGEST));
    curl_easy_setopt(curl, CURLOPT_USERNAME, username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, password.Reveal().c_str());
  }
  CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.http_status);
  } else {
    result.error = error[0] ? error : curl_easy_strerror(rc);
  }
  curl_easy_cleanup(curl);
  PX_LOG(kInfo, "lab-acs") << "connection request " << RedactUrl(url)
                           << " user=" << (username.empty() ? "-" : username) << " -> "
                           << (rc == CURLE_OK ? std::to_string(result.http_status) : result.error);
  return result;
}

}  // namespace proxier::labacs
