// libmicrohttpd in external-epoll mode on the EventLoop.
#include "proxier/common/mhd_loop.h"

#include <microhttpd.h>

namespace proxier {

Result<std::unique_ptr<MhdLoop>> MhdLoop::Attach(EventLoop& loop, MHD_Daemon* daemon) {
  std::unique_ptr<MhdLoop> m(new MhdLoop(loop, daemon));
  const MHD_DaemonInfo* info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_EPOLL_FD);
  if (!info || info->epoll_fd < 0) {
    return Status(Code::kInternalError, "libmicrohttpd daemon without an epoll fd");
  }
  MhdLoop* self = m.get();
  PX_RETURN_IF_ERROR(
      loop.WatchFd(info->epoll_fd, EventLoop::kReadable, [self](uint32_t) { self->Run(); }));
  m->epoll_fd_ = info->epoll_fd;
  m->ArmTimer();
  return m;
}

MhdLoop::~MhdLoop() {
  if (timer_armed_) loop_.Cancel(timer_);
  if (epoll_fd_ >= 0) loop_.UnwatchFd(epoll_fd_);
}

void MhdLoop::Run() {
  MHD_run(daemon_);
  ArmTimer();
}

void MhdLoop::ArmTimer() {
  if (timer_armed_) loop_.Cancel(timer_);
  timer_armed_ = false;
  MHD_UNSIGNED_LONG_LONG timeout = 0;
  if (MHD_get_timeout(daemon_, &timeout) == MHD_YES) {
    timer_armed_ = true;
    timer_ = loop_.RunAfter(Millis(static_cast<int64_t>(timeout)), [this] {
      timer_armed_ = false;
      Run();
    });
  }
}

}  // namespace proxier
