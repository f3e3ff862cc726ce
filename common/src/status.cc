// Fault-code names and Status formatting.
#include "proxier/common/status.h"

namespace proxier {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "OK";
    case Code::kAcsMethodNotSupported:
      return "Method not supported";
    case Code::kAcsRequestDenied:
      return "Request denied (no reason specified)";
    case Code::kAcsInternalError:
      return "Internal error";
    case Code::kAcsInvalidArguments:
      return "Invalid arguments";
    case Code::kAcsResourcesExceeded:
      return "Resources exceeded";
    case Code::kAcsRetryRequest:
      return "Retry request";
    case Code::kAcsVersionIncompatible:
      return "ACS version incompatible with CPE";
    case Code::kMethodNotSupported:
      return "Method not supported";
    case Code::kRequestDenied:
      return "Request denied (no reason specified)";
    case Code::kInternalError:
      return "Internal error";
    case Code::kInvalidArguments:
      return "Invalid arguments";
    case Code::kResourcesExceeded:
      return "Resources exceeded";
    case Code::kInvalidParameterName:
      return "Invalid parameter name";
    case Code::kInvalidParameterType:
      return "Invalid parameter type";
    case Code::kInvalidParameterValue:
      return "Invalid parameter value";
    case Code::kNonWritableParameter:
      return "Attempt to set a non-writable parameter";
    case Code::kNotificationRejected:
      return "Notification request rejected";
    case Code::kDownloadFailure:
      return "File transfer failure";
    case Code::kUploadFailure:
      return "Upload failure";
    case Code::kTransferAuthFailure:
      return "File transfer server authentication failure";
    case Code::kUnsupportedProtocol:
      return "Unsupported protocol for file transfer";
    case Code::kMulticastJoinFailure:
      return "File transfer failure: unable to join multicast group";
    case Code::kFileServerContactFailure:
      return "File transfer failure: unable to contact file server";
    case Code::kFileAccessFailure:
      return "File transfer failure: unable to access file";
    case Code::kDownloadIncomplete:
      return "File transfer failure: unable to complete download";
    case Code::kFileCorrupted:
      return "File transfer failure: file corrupted or unusable";
    case Code::kFileAuthenticationFailure:
      return "File transfer failure: file authentication failure";
    case Code::kTimeWindowsExceeded:
      return "Unable to complete download within specified time windows";
    case Code::kCancelNotPermitted:
      return "Cancelation of file transfer not permitted";
    case Code::kInvalidUuid:
      return "Invalid UUID format";
    case Code::kUnknownExecutionEnv:
      return "Unknown Execution Environment";
    case Code::kDisabledExecutionEnv:
      return "Disabled Execution Environment";
    case Code::kDuEeMismatch:
      return "Deployment Unit to Execution Environment mismatch";
    case Code::kDuplicateDu:
      return "Duplicate Deployment Unit";
    case Code::kSystemResourcesExceeded:
      return "System resources exceeded";
    case Code::kUnknownDu:
      return "Unknown Deployment Unit";
    case Code::kInvalidDuState:
      return "Invalid Deployment Unit state";
    case Code::kDuDowngradeNotPermitted:
      return "Invalid Deployment Unit Update: downgrade not permitted";
    case Code::kDuVersionNotSpecified:
      return "Invalid Deployment Unit Update: version not specified";
    case Code::kDuVersionExists:
      return "Invalid Deployment Unit Update: version already exists";
  }
  return "Fault";
}

bool IsClientFault(Code code) {
  switch (code) {
    case Code::kAcsInvalidArguments:
    case Code::kInvalidArguments:
    case Code::kInvalidParameterName:
    case Code::kInvalidParameterType:
    case Code::kInvalidParameterValue:
    case Code::kNonWritableParameter:
    case Code::kTimeWindowsExceeded:
    case Code::kCancelNotPermitted:
      return true;
    default:
      return false;
  }
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out = std::to_string(fault_code());
  out += ' ';
  out += CodeName(code_);
  if (!message_.empty()) {
    out += ": ";
    out += message_;
  }
  return out;
}

std::ostream& operator<<(std::ostream& os, const Status& status) { return os << status.ToString(); }

}  // namespace proxier
