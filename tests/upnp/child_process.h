// A child process with stdin/stdout pipes (upnp-dm-sim's control channel, gssdp tools), for
// tests and benchmarks. No gtest dependency. Thread: the owner's.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace proxier::upnp::testing {

// A child process with stdin/stdout pipes. Reading lines never blocks longer than asked.
class Child {
 public:
  static std::unique_ptr<Child> Spawn(const std::vector<std::string>& argv) {
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) return nullptr;
    pid_t pid = fork();
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive the test or benchmark (e.g. a crash)
      dup2(in[0], 0);
      dup2(out[1], 1);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    auto c = std::unique_ptr<Child>(new Child());
    c->pid_ = pid;
    c->in_ = in[1];
    c->out_ = out[0];
    return c;
  }
  ~Child() {
    if (pid_ > 0) {
      Write("quit");
      if (!WaitExit(std::chrono::milliseconds(5000))) Kill();
    }
    if (in_ >= 0) close(in_);
    if (out_ >= 0) close(out_);
  }
  void Write(const std::string& line) {
    std::string l = line + "\n";
    (void)!write(in_, l.data(), l.size());
  }
  // Next stdout line, or "" after `timeout`.
  std::string ReadLine(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      size_t nl = buf_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return line;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return "";
      pollfd p{out_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char b[4096];
      ssize_t n = read(out_, b, sizeof(b));
      if (n <= 0) return "";
      buf_.append(b, static_cast<size_t>(n));
    }
  }
  // Sends one control line and returns the answer line ("" after 10 s).
  std::string Command(const std::string& line) {
    Write(line);
    return ReadLine(std::chrono::milliseconds(10000));
  }
  bool WaitExit(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int st;
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        return true;
      }
      // Bounded poll of the exit status (no event source for it without a pidfd).
      pollfd p{out_, POLLIN, 0};
      char b[512];
      if (poll(&p, 1, 20) > 0 && read(out_, b, sizeof(b)) <= 0) {
        // EOF: the child is gone or closing; waitpid again next round.
      }
    }
    return false;
  }
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  pid_t pid() const { return pid_; }

 private:
  Child() = default;
  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
  std::string buf_;
};

}  // namespace proxier::upnp::testing
