// gzip helpers for HTTP bodies with Content-Encoding: gzip (zlib), zip-bomb safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "proxier/common/status.h"

namespace proxier::core {

inline constexpr size_t kMaxGunzipBytes = 4 * 1024 * 1024;

// Inflates a gzip body (a zlib stream is accepted too; concatenated gzip members are joined).
// Errors: 9004 when the output would exceed `max_output` bytes (decompression stops there);
// 9003 for data that is not gzip/zlib, corrupt or truncated.
// Thread: any.
Result<std::string> GunzipBody(std::string_view compressed, size_t max_output = kMaxGunzipBytes);

// Compresses `data` into one gzip member (default level).
// Thread: any.
std::string GzipBody(std::string_view data);

}  // namespace proxier::core
