// Status and Result<T>: error values whose codes are the CWMP fault codes.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace proxier {

// CWMP fault codes (TR-069 Table "Fault codes"); kOk means success. Codes outside this list
// (vendor 9800-9899, future standard 9033-9799) are carried as-is by Status.
enum class Code : uint16_t {
  kOk = 0,
  // ACS faults (sent by an ACS to a CPE).
  kAcsMethodNotSupported = 8000,
  kAcsRequestDenied = 8001,
  kAcsInternalError = 8002,
  kAcsInvalidArguments = 8003,
  kAcsResourcesExceeded = 8004,
  kAcsRetryRequest = 8005,
  kAcsVersionIncompatible = 8006,
  // CPE faults.
  kMethodNotSupported = 9000,
  kRequestDenied = 9001,
  kInternalError = 9002,
  kInvalidArguments = 9003,
  kResourcesExceeded = 9004,
  kInvalidParameterName = 9005,
  kInvalidParameterType = 9006,
  kInvalidParameterValue = 9007,
  kNonWritableParameter = 9008,
  kNotificationRejected = 9009,
  kDownloadFailure = 9010,
  kUploadFailure = 9011,
  kTransferAuthFailure = 9012,
  kUnsupportedProtocol = 9013,
  kMulticastJoinFailure = 9014,
  kFileServerContactFailure = 9015,
  kFileAccessFailure = 9016,
  kDownloadIncomplete = 9017,
  kFileCorrupted = 9018,
  kFileAuthenticationFailure = 9019,
  kTimeWindowsExceeded = 9020,
  kCancelNotPermitted = 9021,
  kInvalidUuid = 9022,
  kUnknownExecutionEnv = 9023,
  kDisabledExecutionEnv = 9024,
  kDuEeMismatch = 9025,
  kDuplicateDu = 9026,
  kSystemResourcesExceeded = 9027,
  kUnknownDu = 9028,
  kInvalidDuState = 9029,
  kDuDowngradeNotPermitted = 9030,
  kDuVersionNotSpecified = 9031,
  kDuVersionExists = 9032,
};

// Standard text for a fault code ("Invalid parameter name"); "Fault <n>" for unknown codes.
std::string_view CodeName(Code code);
// True for the faults whose SOAP faultcode is "Client" (9003, 9005-9008, 9020-9021, 8003).
bool IsClientFault(Code code);

// Outcome of an operation: a code plus a human-readable message. Cheap to copy when ok.
// Thread: a value type; no shared state.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  int fault_code() const { return static_cast<int>(code_); }
  const std::string& message() const { return message_; }
  // "9005 Invalid parameter name: <message>" or "OK".
  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

std::ostream& operator<<(std::ostream& os, const Status& status);

// A value or a non-ok Status. Accessing value() of an error aborts (programming error).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(v_).ok()) v_ = Status(Code::kInternalError, "Result built from OK status");
  }
  Result(Code code, std::string message) : Result(Status(code, std::move(message))) {}

  bool ok() const { return std::holds_alternative<T>(v_); }
  // The error; Status::Ok() when this holds a value.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T value_or(T fallback) const { return ok() ? std::get<T>(v_) : std::move(fallback); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace proxier

// Returns early from the enclosing function when `expr` yields a non-ok Status.
#define PX_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::proxier::Status px_status_ = (expr);   \
    if (!px_status_.ok()) return px_status_; \
  } while (false)
