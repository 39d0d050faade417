// Progress display: the text of rates, ETAs and lines, and the counting from many threads.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "thermex/progress.hpp"

namespace thermex {
namespace {

TEST(Progress, FormatsDurations) {
  EXPECT_EQ(format_duration(0.0), "0s");
  EXPECT_EQ(format_duration(42.4), "42s");
  EXPECT_EQ(format_duration(59.6), "1m00s");
  EXPECT_EQ(format_duration(185.0), "3m05s");
  EXPECT_EQ(format_duration(7380.0), "2h03m");
  EXPECT_EQ(format_duration(-1.0), "?");
  EXPECT_EQ(format_duration(std::nan("")), "?");
}

TEST(Progress, FormatsRates) {
  EXPECT_EQ(format_rate(120, 10.0), "12 items/s");
  EXPECT_EQ(format_rate(1000, 3.0), "333 items/s");
  EXPECT_EQ(format_rate(1, 4.0), "4 s/item");
  EXPECT_EQ(format_rate(0, 4.0), "? items/s");
  EXPECT_EQ(format_rate(5, 0.0), "? items/s");
}

TEST(Progress, FormatsLines) {
  EXPECT_EQ(format_progress_line("[svr] onset_C", 120, 600, 10.0),
            "[svr] onset_C 120/600 (20%) 12 items/s ETA 40s");
  // Unknown total: count and rate only; finished: no ETA.
  EXPECT_EQ(format_progress_line("[x]", 50, 0, 5.0), "[x] 50 10 items/s");
  EXPECT_EQ(format_progress_line("[x]", 10, 10, 5.0), "[x] 10/10 (100%) 2 items/s");
  EXPECT_EQ(format_progress_line("[x]", 0, 10, 0.0), "[x] 0/10 (0%) ? items/s");
  EXPECT_EQ(format_progress_done("[svr] onset_C", 600, 185.0),
            "[svr] onset_C done: 600 items in 3m05s (3.24 items/s)");
}

TEST(Progress, LogModeWritesTheDoneLine) {
  std::vector<std::string> lines;
  Progress p(
      ProgressMode::kLog, [&](std::string_view s) { lines.emplace_back(s); }, 3600.0);
  p.begin("[stage] a", 10);
  p.add(3);
  p.add(7);
  EXPECT_TRUE(lines.empty()) << "a log line before the interval: " << lines.front();
  p.end();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind("[stage] a done: 10 items in ", 0), 0u) << lines[0];
  EXPECT_EQ(lines[0].back(), '\n');
  p.end();  // no open task: nothing more
  EXPECT_EQ(lines.size(), 1u);
}

TEST(Progress, TerminalModeRedrawsOneLine) {
  std::string screen;
  Progress p(ProgressMode::kTerminal, [&](std::string_view s) { screen += s; });
  p.begin("[stage] b", 4);
  p.set_done(2);
  p.set_done(1);  // smaller counts are ignored
  p.message("note");
  p.end();
  EXPECT_EQ(screen.rfind("\r[stage] b 0/4", 0), 0u) << screen;
  EXPECT_NE(screen.find("\r\x1b[Knote\n"), std::string::npos) << screen;
  EXPECT_NE(screen.find("[stage] b done: 2 items"), std::string::npos) << screen;
  EXPECT_EQ(screen.back(), '\n');
}

TEST(Progress, SilentModeWritesNothing) {
  std::string out;
  Progress p(ProgressMode::kSilent, [&](std::string_view s) { out += s; });
  p.begin("[stage] c", 3);
  p.add();
  p.message("hidden");
  p.end();
  EXPECT_TRUE(out.empty()) << out;
  EXPECT_EQ(detect_progress_mode(true), ProgressMode::kSilent);
}

TEST(Progress, CountsFromManyThreads) {
  std::vector<std::string> lines;
  Progress p(
      ProgressMode::kLog, [&](std::string_view s) { lines.emplace_back(s); }, 0.0);
  p.begin("[stage] d", 10000);
#pragma omp parallel for num_threads(4)
  for (int i = 0; i < 10000; ++i) p.add();
  p.end();
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back().rfind("[stage] d done: 10000 items", 0), 0u) << lines.back();
}

}  // namespace
}  // namespace thermex
