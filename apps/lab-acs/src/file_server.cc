// FileServer: GET/HEAD/PUT of flat files under the files directory.
#include "file_server.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace proxier::labacs {

namespace {

constexpr char kRealm[] = "lab-acs-files";

bool ValidName(const std::string& name) {
  return !name.empty() && name.find('/') == std::string::npos &&
         name.find("..") == std::string::npos && name.find('\0') == std::string::npos;
}

bool WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

FileServer::FileServer(Registry& registry, std::string dir)
    : registry_(registry), dir_(std::move(dir)) {}

HttpResponse FileServer::Handle(const HttpRequest& request) {
  const std::string name = request.path.substr(std::string_view("/files/").size());
  uint64_t size = 0;
  HttpResponse r = Serve(request, name, &size);
  const int status = r.kind == HttpResponse::Kind::kNormal ? r.status : 401;
  PX_LOG(kInfo, "lab-acs") << "file " << request.method << " " << name << " -> " << status;
  registry_.RecordFileRequest({{"method", request.method},
                               {"name", name},
                               {"size", size},
                               {"user", RequestUser(request)},
                               {"status", status}});
  return r;
}

HttpResponse FileServer::Serve(const HttpRequest& request, const std::string& name,
                               uint64_t* size) {
  if (!ValidName(name)) return HttpResponse::Text(400, "invalid file name");
  const LabConfig config = registry_.config();
  if (!config.files_username.empty()) {
    const int auth = CheckDigestAuth(request, kRealm, config.files_username, config.files_password);
    if (auth != 1) {
      HttpResponse challenge = HttpResponse::Text(401, "authentication required");
      challenge.kind = HttpResponse::Kind::kDigestChallenge;
      challenge.realm = kRealm;
      challenge.stale = auth < 0;
      return challenge;
    }
  }
  if (dir_.empty()) return HttpResponse::Text(404, "no files directory configured");
  const std::string path = dir_ + "/" + name;
  if (request.method == "GET" || request.method == "HEAD") {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return HttpResponse::Text(404, "no such file");
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      close(fd);
      return HttpResponse::Text(404, "no such file");
    }
    HttpResponse r;
    r.status = 200;
    r.file_fd = fd;
    r.file_size = static_cast<uint64_t>(st.st_size);
    r.headers = {{"Content-Type", "application/octet-stream"}};
    *size = r.file_size;
    return r;
  }
  if (request.method == "PUT") {
    if (request.body_too_large) return HttpResponse::Text(413, "file too large");
    const bool existed = access(path.c_str(), F_OK) == 0;
    const std::string tmp = dir_ + "/.upload-" + RandomHex(12);
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return HttpResponse::Text(500, std::string("cannot store: ") + strerror(errno));
    const bool ok = WriteAll(fd, request.body);
    const bool closed = close(fd) == 0;
    if (!ok || !closed || rename(tmp.c_str(), path.c_str()) != 0) {
      unlink(tmp.c_str());
      return HttpResponse::Text(500, "cannot store the file");
    }
    *size = request.body.size();
    HttpResponse r = HttpResponse::Text(existed ? 200 : 201, existed ? "replaced" : "created");
    return r;
  }
  HttpResponse r = HttpResponse::Text(405, "files take GET, HEAD and PUT");
  r.headers.emplace_back("Allow", "GET, HEAD, PUT");
  return r;
}

}  // namespace proxier::labacs
