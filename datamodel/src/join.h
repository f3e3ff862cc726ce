// Join: waits for several asynchronous completions, then runs one continuation.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace proxier::datamodel {

// Usage: auto join = Join<R>::Make(n, finish); call join->Slot(i) as the i-th completion.
// `finish` runs exactly once, after all n slots completed (at once when n == 0), with the
// results in slot order. Thread: single thread (the engine).
template <typename R>
class Join : public std::enable_shared_from_this<Join<R>> {
 public:
  using Finish = std::function<void(std::vector<R>)>;

  static std::shared_ptr<Join> Make(size_t n, Finish finish) {
    auto join = std::shared_ptr<Join>(new Join(n, std::move(finish)));
    if (n == 0) join->Complete();
    return join;
  }

  // The completion callback for slot i.
  std::function<void(R)> Slot(size_t i) {
    auto self = this->shared_from_this();
    return [self, i](R result) {
      self->results_[i].emplace(std::move(result));
      if (--self->remaining_ == 0) self->Complete();
    };
  }

 private:
  Join(size_t n, Finish finish) : remaining_(n), results_(n), finish_(std::move(finish)) {}
  void Complete() {
    std::vector<R> out;
    out.reserve(results_.size());
    for (auto& r : results_) out.push_back(std::move(*r));
    auto finish = std::move(finish_);
    finish(std::move(out));
  }

  size_t remaining_;
  std::vector<std::optional<R>> results_;
  Finish finish_;
};

}  // namespace proxier::datamodel
