// Store directory and file modes (see store_files.h).
#include "store_files.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "proxier/common/log.h"

namespace proxier::app {
namespace {

std::string Octal(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

const char* const kSuffixes[] = {"", "-wal", "-shm"};

}  // namespace

Status PrepareStore(const std::string& db_path) {
  std::filesystem::path dir = std::filesystem::path(db_path).parent_path();
  if (dir.empty()) dir = ".";
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) {
      return Status(Code::kInvalidArguments,
                    "store directory " + dir.string() + ": " + std::strerror(errno));
    }
    std::error_code ec;
    std::filesystem::create_directories(dir.parent_path().empty() ? "." : dir.parent_path(), ec);
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return Status(Code::kInvalidArguments,
                    "cannot create store directory " + dir.string() + ": " + std::strerror(errno));
    }
    // mkdir's mode is filtered by the umask; 0700 is set explicitly.
    if (chmod(dir.c_str(), 0700) != 0 || stat(dir.c_str(), &st) != 0) {
      return Status(Code::kInvalidArguments,
                    "store directory " + dir.string() + ": " + std::strerror(errno));
    }
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status(Code::kInvalidArguments,
                  "store directory " + dir.string() + " is not a directory");
  }
  if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    return Status(Code::kInvalidArguments,
                  "store directory " + dir.string() + " is writable by other users (mode " +
                      Octal(st.st_mode) + "): refusing to start; make it 0700 (chmod go-w)");
  }
  for (const char* suffix : kSuffixes) {
    const std::string file = db_path + suffix;
    struct stat fs {};
    if (lstat(file.c_str(), &fs) != 0) continue;  // not there yet
    if (S_ISLNK(fs.st_mode)) {
      return Status(Code::kInvalidArguments,
                    "store file " + file + " is a symbolic link: refusing to start");
    }
    if (fs.st_mode & (S_IWGRP | S_IWOTH)) {
      return Status(Code::kInvalidArguments,
                    "store file " + file + " is writable by other users (mode " +
                        Octal(fs.st_mode) + "): refusing to start; make it 0600");
    }
  }
  return SealStoreFiles(db_path);
}

Status SealStoreFiles(const std::string& db_path) {
  for (const char* suffix : kSuffixes) {
    const std::string file = db_path + suffix;
    struct stat fs {};
    if (lstat(file.c_str(), &fs) != 0 || !S_ISREG(fs.st_mode)) continue;
    if ((fs.st_mode & 07777) == 0600) continue;
    if (chmod(file.c_str(), 0600) != 0) {
      return Status(Code::kInternalError,
                    "cannot make store file " + file + " 0600: " + std::strerror(errno));
    }
    PX_LOG(kInfo, "proxierd") << "store file " << file << " was " << Octal(fs.st_mode)
                              << ", now 0600";
  }
  return Status::Ok();
}

void WarnIfConfigExposed(const std::string& config_path, bool holds_password) {
  struct stat st {};
  if (!holds_password || config_path.empty() || stat(config_path.c_str(), &st) != 0) return;
  if (st.st_mode & S_IROTH) {
    PX_LOG(kWarning, "proxierd") << "configuration " << config_path
                                 << " holds a password and is readable by every user (mode "
                                 << Octal(st.st_mode) << "): make it 0640 or 0600 (chmod o-r)";
  }
}

}  // namespace proxier::app
