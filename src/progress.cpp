// Progress display: formatting helpers and the thread-safe Progress counter.
#include "thermex/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace thermex {
namespace {

// Terminal redraws faster than this only flicker and cost write() calls.
constexpr double kTerminalIntervalS = 0.1;

void write_stderr(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

}  // namespace

ProgressMode detect_progress_mode(bool quiet) noexcept {
  if (quiet) return ProgressMode::kSilent;
  return ::isatty(STDERR_FILENO) != 0 ? ProgressMode::kTerminal : ProgressMode::kLog;
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0.0) return "?";
  // Whole seconds, rounded, so "59.6 s" reads 1m00s rather than 60s.
  const auto total = static_cast<long long>(std::llround(seconds));
  if (total < 60) return fmt::format("{}s", total);
  if (total < 3600) return fmt::format("{}m{:02}s", total / 60, total % 60);
  return fmt::format("{}h{:02}m", total / 3600, (total % 3600) / 60);
}

std::string format_rate(std::size_t done, double elapsed_s) {
  if (done == 0 || !(elapsed_s > 0.0) || !std::isfinite(elapsed_s)) return "? items/s";
  const double rate = static_cast<double>(done) / elapsed_s;
  if (rate >= 1.0) return fmt::format("{:.3g} items/s", rate);
  return fmt::format("{:.3g} s/item", 1.0 / rate);
}

std::string format_progress_line(std::string_view task, std::size_t done, std::size_t total,
                                 double elapsed_s) {
  std::string line = fmt::format("{} {}", task, done);
  if (total == 0) return line + " " + format_rate(done, elapsed_s);
  const double fraction = static_cast<double>(done) / static_cast<double>(total);
  line += fmt::format("/{} ({:.0f}%) {}", total, 100.0 * fraction, format_rate(done, elapsed_s));
  if (done > 0 && done < total && elapsed_s > 0.0) {
    const double eta = elapsed_s * static_cast<double>(total - done) / static_cast<double>(done);
    line += " ETA " + format_duration(eta);
  }
  return line;
}

std::string format_progress_done(std::string_view task, std::size_t done, double elapsed_s) {
  return fmt::format("{} done: {} items in {} ({})", task, done, format_duration(elapsed_s),
                     format_rate(done, elapsed_s));
}

Progress::Progress(ProgressMode mode, std::function<void(std::string_view)> write,
                   double log_interval_s)
    : mode_(mode),
      write_(write ? std::move(write) : std::function<void(std::string_view)>(write_stderr)),
      interval_s_(mode == ProgressMode::kTerminal ? kTerminalIntervalS : log_interval_s) {}

double Progress::elapsed_s() const noexcept {
  return std::chrono::duration<double>(Clock::now() - start_).count();
}

void Progress::begin(std::string task, std::size_t total) {
  end();
  task_ = std::move(task);
  total_ = total;
  done_.store(0, std::memory_order_relaxed);
  start_ = Clock::now();
  last_draw_ns_.store(0, std::memory_order_relaxed);
  open_ = true;
  if (mode_ == ProgressMode::kTerminal) maybe_draw(true);
}

void Progress::add(std::size_t items) noexcept {
  done_.fetch_add(items, std::memory_order_relaxed);
  maybe_draw(false);
}

void Progress::set_done(std::size_t done) noexcept {
  std::size_t current = done_.load(std::memory_order_relaxed);
  while (done > current && !done_.compare_exchange_weak(current, done, std::memory_order_relaxed)) {
  }
  maybe_draw(false);
}

void Progress::maybe_draw(bool force) noexcept {
  if (mode_ == ProgressMode::kSilent || !open_) return;
  const auto now_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start_).count();
  const auto interval_ns = static_cast<std::int64_t>(interval_s_ * 1e9);
  if (!force && now_ns - last_draw_ns_.load(std::memory_order_relaxed) < interval_ns) return;
  // A reporting thread that finds another one drawing skips: progress must never stall work.
  std::unique_lock lock(draw_mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return;
  last_draw_ns_.store(now_ns, std::memory_order_relaxed);
  try {
    const std::string line = format_progress_line(task_, done_.load(std::memory_order_relaxed),
                                                  total_, static_cast<double>(now_ns) * 1e-9);
    if (mode_ == ProgressMode::kTerminal) {
      write_("\r" + line + "\x1b[K");  // ESC[K clears what a longer previous line left
      line_dirty_ = true;
    } else if (!force) {
      write_(line + "\n");
    }
  } catch (...) {
    // Formatting or writing failed (out of memory, closed stderr): progress is best effort.
  }
}

void Progress::end() {
  if (!open_) return;
  const std::lock_guard lock(draw_mutex_);
  open_ = false;
  if (mode_ == ProgressMode::kSilent) return;
  const std::string line =
      format_progress_done(task_, done_.load(std::memory_order_relaxed), elapsed_s());
  if (mode_ == ProgressMode::kTerminal) {
    write_("\r" + line + "\x1b[K\n");
  } else {
    write_(line + "\n");
  }
  line_dirty_ = false;
}

void Progress::message(std::string_view text) {
  if (mode_ == ProgressMode::kSilent) return;
  const std::lock_guard lock(draw_mutex_);
  if (line_dirty_) {
    write_("\r\x1b[K");
    line_dirty_ = false;
  }
  write_(std::string(text) + "\n");
  // The open task's line is redrawn by the next add().
}

}  // namespace thermex
