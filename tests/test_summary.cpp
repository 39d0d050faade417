#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "h5_test_support.hpp"
#include "thermex/db_summary.hpp"
#include "thermex/dsc_h5.hpp"

namespace thermex {
namespace {

// A strict recursive-descent JSON syntax checker (RFC 8259), enough to prove the hand-written
// output parses; it does not build values.
class JsonChecker {
 public:
  explicit JsonChecker(std::string_view text) : s_(text) {}
  bool valid() {
    ws();
    if (!value()) return false;
    ws();
    return i_ == s_.size();
  }

 private:
  void ws() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool lit(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }
  bool string() {
    if (!lit("\"")) return false;
    while (i_ < s_.size() && s_[i_] != '"') {
      const auto c = static_cast<unsigned char>(s_[i_]);
      if (c < 0x20) return false;
      if (c == '\\') {
        ++i_;
        if (i_ >= s_.size()) return false;
        if (s_[i_] == 'u') {
          for (int k = 0; k < 4; ++k) {
            if (++i_ >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[i_]))) {
              return false;
            }
          }
        } else if (std::string_view("\"\\/bfnrt").find(s_[i_]) == std::string_view::npos) {
          return false;
        }
      }
      ++i_;
    }
    return lit("\"");
  }
  bool number() {
    const std::size_t start = i_;
    lit("-");
    while (i_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i_])) ||
                              std::string_view(".eE+-").find(s_[i_]) != std::string_view::npos)) {
      ++i_;
    }
    return i_ > start && std::isdigit(static_cast<unsigned char>(s_[i_ - 1]));
  }
  template <typename Item>
  bool sequence(char open, char close, Item item) {
    if (!lit(std::string_view(&open, 1))) return false;
    ws();
    if (lit(std::string_view(&close, 1))) return true;
    do {
      ws();
      if (!item()) return false;
      ws();
    } while (lit(","));
    return lit(std::string_view(&close, 1));
  }
  bool value() {
    if (i_ >= s_.size()) return false;
    switch (s_[i_]) {
      case '{':
        return sequence('{', '}', [this] {
          if (!string()) return false;
          ws();
          if (!lit(":")) return false;
          ws();
          return value();
        });
      case '[':
        return sequence('[', ']', [this] { return value(); });
      case '"':
        return string();
      case 't':
        return lit("true");
      case 'f':
        return lit("false");
      case 'n':
        return lit("null");
      default:
        return number();
    }
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

DscRecord record(const char* doi, std::optional<double> onset) {
  DscRecord r;
  r.source_doi = doi;
  r.onset_C = onset;
  return r;
}

DscDatabase sample() {
  DscDatabase db;
  db.source_file = "dsc \"quoted\".csv";
  db.records = {record("10.1/ABC", 200.0), record("10.1/abc ", 210.0), record("", std::nullopt),
                record("10.2/x", 190.0), record("10.2/x", 230.0)};
  auto& rs = db.records;
  rs[0].material_class = MaterialClass::kNcm;
  rs[1].material_class = MaterialClass::kNcm;
  rs[2].material_class = MaterialClass::kLco;
  rs[3].origin = DataOrigin::kSynthetic;
  rs[0].peak_C = 250.0;
  rs[0].peak_definition = PeakDefinition::kFirst;
  rs[1].method = ThermalMethod::kC80;
  rs[0].onset_definition = OnsetDefinition::kTangent;
  rs[0].cutoff_voltage_V = 4.3;
  rs[4].cutoff_voltage_V = 4.5;
  rs[2].crucible = Crucible::kSealed;
  rs[0].total_heat_J_per_g = 900.0;
  rs[0].heat_basis = HeatBasis::kOxide;
  rs[1].total_heat_J_per_g = 800.0;  // basis unspecified: flagged
  rs[0].composition.count = 1;
  return db;
}

std::vector<RejectedRow> rejects(int n) {
  std::vector<RejectedRow> out;
  for (int i = 0; i < n; ++i) {
    out.push_back({10 + i, i % 2 ? "onset_C" : "", "reason\t" + std::to_string(i), "raw"});
  }
  return out;
}

std::size_t count_of(const std::vector<NamedCount>& v, const std::string& name) {
  for (const auto& c : v) {
    if (c.name == name) return c.count;
  }
  ADD_FAILURE() << "no count named " << name;
  return 0;
}

TEST(DbSummary, CountsStatsCoverageAndPitfalls) {
  const auto rj = rejects(7);
  const DbSummary s = summarize_database(sample(), rj, 5);
  EXPECT_EQ(s.records, 5u);
  EXPECT_EQ(count_of(s.by_origin, "literature"), 4u);
  EXPECT_EQ(count_of(s.by_origin, "synthetic"), 1u);
  EXPECT_EQ(count_of(s.by_material_class, "NCM"), 2u);
  EXPECT_EQ(count_of(s.by_material_class, "LCO"), 1u);
  EXPECT_EQ(count_of(s.by_material_class, "other"), 2u);
  EXPECT_EQ(s.distinct_sources, 2u);  // DOIs compare case-folded and trimmed
  EXPECT_EQ(s.missing_source, 1u);

  ASSERT_EQ(s.targets.size(), 4u);
  EXPECT_EQ(s.targets[0].name, "onset_C");
  EXPECT_EQ(s.targets[0].present, 4u);
  EXPECT_EQ(s.targets[0].min, 190.0);
  EXPECT_EQ(s.targets[0].median, 205.0);  // even count: mean of 200 and 210
  EXPECT_EQ(s.targets[0].max, 230.0);
  EXPECT_EQ(s.targets[1].present, 1u);
  EXPECT_EQ(s.targets[1].median, 250.0);
  EXPECT_EQ(s.targets[2].present, 0u);
  EXPECT_TRUE(std::isnan(s.targets[2].median));
  EXPECT_EQ(s.targets[3].present, 2u);
  EXPECT_EQ(s.targets[3].median, 850.0);

  auto coverage_of = [&](const std::string& name) -> const Coverage& {
    for (const auto& c : s.conditions) {
      if (c.name == name) return c;
    }
    throw std::runtime_error("no coverage " + name);
  };
  EXPECT_EQ(coverage_of("cutoff_voltage_V").present, 2u);
  EXPECT_DOUBLE_EQ(coverage_of("cutoff_voltage_V").percent, 40.0);
  EXPECT_EQ(coverage_of("crucible").present, 1u);
  EXPECT_EQ(coverage_of("composition").present, 1u);
  EXPECT_EQ(coverage_of("scan_rate_C_per_min").present, 0u);

  ASSERT_EQ(s.pitfalls.size(), 4u);
  EXPECT_EQ(s.pitfalls[0].name, "method");
  EXPECT_EQ(s.pitfalls[0].flagged, 1u);
  EXPECT_EQ(count_of(s.pitfalls[0].values, "DSC"), 4u);
  EXPECT_EQ(count_of(s.pitfalls[0].values, "C80"), 1u);
  EXPECT_EQ(s.pitfalls[1].flagged, 3u);  // onsets 210, 190, 230 with no definition
  EXPECT_EQ(s.pitfalls[2].flagged, 0u);  // the one peak says "first"
  EXPECT_EQ(s.pitfalls[3].flagged, 1u);  // 800 J/g with unspecified basis

  EXPECT_EQ(s.rejects, 7u);
  ASSERT_EQ(s.first_rejects.size(), 5u);
  EXPECT_EQ(s.first_rejects[1].line, 11);
  EXPECT_EQ(s.first_rejects[1].column, "onset_C");
}

TEST(DbSummary, EmptyDatabase) {
  const DbSummary s = summarize_database(DscDatabase{}, {}, 5);
  EXPECT_EQ(s.records, 0u);
  for (const auto& c : s.conditions) EXPECT_EQ(c.percent, 0.0) << c.name;
  for (const auto& t : s.targets) EXPECT_TRUE(std::isnan(t.min)) << t.name;
  EXPECT_TRUE(JsonChecker(format_summary_json(s)).valid()) << format_summary_json(s);
  EXPECT_NE(format_summary_text(s).find("records: 0"), std::string::npos);
}

TEST(DbSummary, JsonQuoteEscapes) {
  EXPECT_EQ(json_quote("plain"), "\"plain\"");
  EXPECT_EQ(json_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(json_quote("tab\tnl\ncr\r"), "\"tab\\tnl\\ncr\\r\"");
  EXPECT_EQ(json_quote(std::string_view("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
  EXPECT_EQ(json_quote("210 °C, 0.6 Å"), "\"210 °C, 0.6 Å\"");
}

TEST(DbSummary, JsonAndTextRenderings) {
  const auto rj = rejects(7);
  const DbSummary s = summarize_database(sample(), rj, 5);
  const std::string json = format_summary_json(s);
  EXPECT_TRUE(JsonChecker(json).valid()) << json;
  EXPECT_FALSE(JsonChecker("{\"a\": nan}").valid());  // the checker itself rejects NaN
  EXPECT_NE(json.find("\"records\": 5"), std::string::npos) << json;
  EXPECT_NE(json.find("\"median\": 205"), std::string::npos) << json;
  EXPECT_NE(json.find("\"median\": null"), std::string::npos) << json;  // no heat-flow values
  EXPECT_NE(json.find("\"source_file\": \"dsc \\\"quoted\\\".csv\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"reason\": \"reason\\t1\""), std::string::npos) << json;
  const std::string text = format_summary_text(s);
  EXPECT_NE(text.find("records: 5"), std::string::npos) << text;
  EXPECT_NE(text.find("onset_C [°C]"), std::string::npos) << text;
  EXPECT_NE(text.find("line 11, column 'onset_C': reason"), std::string::npos) << text;
  EXPECT_NE(text.find("... and 2 more"), std::string::npos) << text;
}

// Runs a shell command; returns its exit status and stdout.
std::pair<int, std::string> run(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, out};
  char buf[4096];
  std::size_t got = 0;
  while ((got = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, got);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST(SummaryCli, PrintsTextAndJsonAndFailsCleanly) {
  testing::ScratchDir dir;
  const std::string db = dir.file("db.h5");
  const auto rj = rejects(2);
  write_database_h5(sample(), rj, db);
  const std::string cli = THERMEX_CLI_PATH;
  const auto [rc_json, json] = run(cli + " summary --json '" + db + "'");
  EXPECT_EQ(rc_json, 0) << json;
  EXPECT_TRUE(JsonChecker(json).valid()) << json;
  EXPECT_NE(json.find("\"records\": 5"), std::string::npos) << json;
  const auto [rc_text, text] = run(cli + " summary '" + db + "'");
  EXPECT_EQ(rc_text, 0) << text;
  EXPECT_NE(text.find("schema 1"), std::string::npos) << text;
  EXPECT_NE(text.find("rejected rows: 2"), std::string::npos) << text;
  const auto [rc_missing, err] = run(cli + " summary '" + dir.file("none.h5") + "' 2>&1");
  EXPECT_EQ(rc_missing, 1) << err;
  EXPECT_NE(err.find("none.h5"), std::string::npos) << err;
}

}  // namespace
}  // namespace thermex
