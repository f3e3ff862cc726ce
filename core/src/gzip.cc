// gzip inflate/deflate of HTTP bodies with zlib.
#include "proxier/core/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <array>

namespace proxier::core {

namespace {

// zlib's window bits: 15 plus 32 = detect gzip or zlib headers; plus 16 = write gzip.
constexpr int kDetectHeader = 15 + 32;
constexpr int kGzipHeader = 15 + 16;
// zlib counts in uInt; feed large inputs in slices.
constexpr size_t kSlice = 1 << 30;

}  // namespace

Result<std::string> GunzipBody(std::string_view compressed, size_t max_output) {
  if (compressed.empty()) return Status(Code::kInvalidArguments, "empty gzip body");
  z_stream stream{};
  if (inflateInit2(&stream, kDetectHeader) != Z_OK) {
    return Status(Code::kInternalError, "inflateInit2 failed");
  }
  std::string out;
  std::array<unsigned char, 16384> chunk;
  const auto* next = reinterpret_cast<const unsigned char*>(compressed.data());
  size_t left = compressed.size();
  Status status;
  bool ended = false;
  while (status.ok()) {
    if (stream.avail_in == 0 && left > 0) {
      const size_t take = std::min(left, kSlice);
      stream.next_in = const_cast<unsigned char*>(next);
      stream.avail_in = static_cast<uInt>(take);
      next += take;
      left -= take;
    }
    stream.next_out = chunk.data();
    stream.avail_out = static_cast<uInt>(chunk.size());
    const int rc = inflate(&stream, Z_NO_FLUSH);
    const size_t produced = chunk.size() - stream.avail_out;
    if (out.size() + produced > max_output) {
      status = Status(Code::kResourcesExceeded,
                      "gzip body inflates beyond " + std::to_string(max_output) + " bytes");
      break;
    }
    out.append(reinterpret_cast<const char*>(chunk.data()), produced);
    if (rc == Z_STREAM_END) {
      ended = true;
      if (stream.avail_in == 0 && left == 0) break;
      // Another gzip member follows.
      if (inflateReset(&stream) != Z_OK) {
        status = Status(Code::kInternalError, "inflateReset failed");
      }
      ended = false;
      continue;
    }
    if (rc == Z_BUF_ERROR && stream.avail_in == 0 && left == 0) {
      status = Status(Code::kInvalidArguments, "truncated gzip body");
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      status = Status(Code::kInvalidArguments, std::string("corrupt gzip body: ") +
                                                   (stream.msg ? stream.msg : "zlib error"));
    }
  }
  inflateEnd(&stream);
  if (!status.ok()) return status;
  if (!ended) return Status(Code::kInvalidArguments, "truncated gzip body");
  return out;
}

std::string GzipBody(std::string_view data) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipHeader, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return {};
  }
  std::string out;
  std::array<unsigned char, 16384> chunk;
  const auto* next = reinterpret_cast<const unsigned char*>(data.data());
  size_t left = data.size();
  int rc = Z_OK;
  do {
    if (stream.avail_in == 0 && left > 0) {
      const size_t take = std::min(left, kSlice);
      stream.next_in = const_cast<unsigned char*>(next);
      stream.avail_in = static_cast<uInt>(take);
      next += take;
      left -= take;
    }
    stream.next_out = chunk.data();
    stream.avail_out = static_cast<uInt>(chunk.size());
    rc = deflate(&stream, left == 0 ? Z_FINISH : Z_NO_FLUSH);
    out.append(reinterpret_cast<const char*>(chunk.data()), chunk.size() - stream.avail_out);
  } while (rc != Z_STREAM_END && rc != Z_STREAM_ERROR);
  deflateEnd(&stream);
  return out;
}

}  // namespace proxier::core
