// MhdLoop: runs a libmicrohttpd daemon inside an EventLoop (external epoll mode), so that its
// handlers run on the engine thread and no server thread exists.
#pragma once

#include <memory>

#include "proxier/common/event_loop.h"
#include "proxier/common/status.h"

struct MHD_Daemon;

namespace proxier {

// Watches the daemon's epoll fd and arms a timer for the daemon's own timeouts (idle
// connections); each wake-up runs MHD_run. The daemon must have been started with
// MHD_USE_EPOLL and without an internal thread. Used by the connection-request server (core/) and
// the GENA event server (upnp/).
// Thread: engine thread. The daemon is borrowed: destroy the MhdLoop before MHD_stop_daemon.
class MhdLoop {
 public:
  // Errors: 9002 when the daemon has no epoll fd or the loop refuses to watch it.
  static Result<std::unique_ptr<MhdLoop>> Attach(EventLoop& loop, MHD_Daemon* daemon);
  ~MhdLoop();
  MhdLoop(const MhdLoop&) = delete;
  MhdLoop& operator=(const MhdLoop&) = delete;

  // Processes what is ready now and re-arms the timer (also called by the watch and the timer).
  void Run();

 private:
  MhdLoop(EventLoop& loop, MHD_Daemon* daemon) : loop_(loop), daemon_(daemon) {}
  void ArmTimer();

  EventLoop& loop_;
  MHD_Daemon* daemon_;
  int epoll_fd_ = -1;
  EventLoop::TimerId timer_ = 0;
  bool timer_armed_ = false;
};

}  // namespace proxier
