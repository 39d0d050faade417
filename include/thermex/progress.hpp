#pragma once
/// \file
/// Progress display of long runs (the study): the current task, items done / total, rate and
/// ETA. On a terminal one line is redrawn in place (carriage return); otherwise plain log lines
/// are written at most every few seconds and at the end of each task, so batch logs stay short.
/// Item counting is thread-safe (an atomic counter), so OpenMP loops may report from any thread.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace thermex {

/// How progress is shown.
enum class ProgressMode {
  kSilent,    ///< nothing (--quiet)
  kTerminal,  ///< one line redrawn with '\r' (stderr is a terminal)
  kLog,       ///< a plain line every log interval and at the end of each task
};

/// kSilent when `quiet`, kTerminal when stderr is a terminal (isatty), kLog otherwise.
ProgressMode detect_progress_mode(bool quiet) noexcept;

/// A duration as text: "42s" below a minute, "3m05s" below an hour, "2h03m" above; "?" for a
/// negative or non-finite value.
std::string format_duration(double seconds);

/// A rate as text with three significant digits: "12.3 items/s", or "1.25 s/item" when below one
/// item per second ("? items/s" when elapsed is 0 or nothing is done yet).
std::string format_rate(std::size_t done, double elapsed_s);

/// One progress line, e.g. "[svr] onset_C 120/600 (20%) 35.2 items/s ETA 14s" (total 0 = unknown
/// total: no percentage or ETA). `done` larger than `total` is shown as is. Pure function.
std::string format_progress_line(std::string_view task, std::size_t done, std::size_t total,
                                 double elapsed_s);

/// The final line of a task, e.g. "[svr] onset_C done: 600 items in 3m05s (3.24 items/s)".
std::string format_progress_done(std::string_view task, std::size_t done, double elapsed_s);

/// A progress display. begin()/end() are called from one thread; add() and set_done() from any.
/// Writes through `write` (default: stderr). Not copyable.
class Progress {
 public:
  /// `log_interval_s`: least time between two kLog lines of one task (terminal lines are
  /// redrawn at most every 0.1 s).
  explicit Progress(ProgressMode mode, std::function<void(std::string_view)> write = {},
                    double log_interval_s = 5.0);
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  ProgressMode mode() const noexcept { return mode_; }

  /// Starts task `task` ("[stage] detail") with `total` items (0 = unknown). Ends the previous
  /// task if one is open.
  void begin(std::string task, std::size_t total);
  /// Counts `items` more done; thread-safe (atomic), redraws when due. Cheap when not due.
  void add(std::size_t items = 1) noexcept;
  /// Sets the count of done items (for callbacks that report totals, e.g. null importance);
  /// thread-safe. A smaller value than the current count is ignored.
  void set_done(std::size_t done) noexcept;
  /// Ends the task: writes the done line (kLog) or finishes the terminal line. No-op when no
  /// task is open.
  void end();
  /// Writes a message on its own line (clearing a terminal progress line first).
  void message(std::string_view text);

 private:
  using Clock = std::chrono::steady_clock;
  void maybe_draw(bool force) noexcept;
  double elapsed_s() const noexcept;

  ProgressMode mode_;
  std::function<void(std::string_view)> write_;
  double interval_s_;
  std::string task_;
  std::atomic<bool> open_{false};
  std::size_t total_ = 0;
  std::atomic<std::size_t> done_{0};
  Clock::time_point start_;
  std::atomic<std::int64_t> last_draw_ns_{0};  // since start_
  std::mutex draw_mutex_;    // one writer at a time; others skip instead of waiting
  bool line_dirty_ = false;  // a terminal line is on screen without a newline
};

}  // namespace thermex
