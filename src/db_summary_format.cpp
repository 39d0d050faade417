// Text and JSON renderings of a DbSummary (thermex summary [--json]).
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "thermex/db_summary.hpp"

namespace thermex {
namespace {

// "LCO 10, NCM 80, ..." (zero counts kept so the reader sees every level).
std::string join_counts(const std::vector<NamedCount>& counts) {
  std::string out;
  for (const auto& c : counts) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", c.name, c.count);
  }
  return out;
}

std::string number_text(double v) { return std::isnan(v) ? "-" : fmt::format("{:.6g}", v); }

// JSON has no NaN or infinity; a missing statistic is null.
std::string json_number(double v) { return std::isfinite(v) ? fmt::format("{}", v) : "null"; }

std::string json_counts(const std::vector<NamedCount>& counts) {
  std::string out = "{";
  for (std::size_t i = 0; i < counts.size(); ++i) {
    out += fmt::format("{}{}: {}", i ? ", " : "", json_quote(counts[i].name), counts[i].count);
  }
  return out + "}";
}

void append_targets_text(std::string& out, const DbSummary& s) {
  out += fmt::format("\n{:<32} {:>8} {:>10} {:>10} {:>10}\n", "target", "present", "min", "median",
                     "max");
  for (const auto& t : s.targets) {
    const std::string name = fmt::format("{} [{}]", t.name, t.unit);
    // fmt pads by code points, so the UTF-8 "°C" still lines up.
    out += fmt::format("  {:<30} {:>8} {:>10} {:>10} {:>10}\n", name, t.present, number_text(t.min),
                       number_text(t.median), number_text(t.max));
  }
}

}  // namespace

std::string json_quote(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

std::string format_summary_text(const DbSummary& s) {
  std::string out;
  out += fmt::format("source: {}\n", s.source_file.empty() ? "(not recorded)" : s.source_file);
  if (!s.source_sha256.empty()) out += fmt::format("sha256: {}\n", s.source_sha256);
  out += fmt::format("records: {}\n", s.records);
  out += fmt::format("  by origin: {}\n", join_counts(s.by_origin));
  out += fmt::format("  by material class: {}\n", join_counts(s.by_material_class));
  out += fmt::format("distinct sources: {} ({} records without a source)\n", s.distinct_sources,
                     s.missing_source);
  append_targets_text(out, s);
  out += "\ncondition coverage\n";
  for (const auto& c : s.conditions) {
    out += fmt::format("  {:<30} {:>6}/{:<6} {:>5.1f}%\n", c.name, c.present, s.records, c.percent);
  }
  out += "\npitfalls\n";
  for (const auto& p : s.pitfalls) {
    out += fmt::format("  {:<18} {:>6} flagged: {}\n", p.name, p.flagged, p.flag);
    out += fmt::format("  {:<25} {}\n", "", join_counts(p.values));
  }
  out += fmt::format("\nrejected rows: {}\n", s.rejects);
  for (const auto& r : s.first_rejects) {
    const std::string where = r.column.empty()
                                  ? fmt::format("line {}", r.line)
                                  : fmt::format("line {}, column '{}'", r.line, r.column);
    out += fmt::format("  {}: {}\n", where, r.reason);
  }
  if (s.rejects > s.first_rejects.size()) {
    out += fmt::format("  ... and {} more\n", s.rejects - s.first_rejects.size());
  }
  return out;
}

std::string format_summary_json(const DbSummary& s) {
  std::string out = "{";
  out += fmt::format("\"source_file\": {}, \"source_sha256\": {}, \"records\": {}",
                     json_quote(s.source_file), json_quote(s.source_sha256), s.records);
  out += fmt::format(", \"by_origin\": {}, \"by_material_class\": {}", json_counts(s.by_origin),
                     json_counts(s.by_material_class));
  out += fmt::format(", \"distinct_sources\": {}, \"missing_source\": {}", s.distinct_sources,
                     s.missing_source);
  out += ", \"targets\": [";
  for (std::size_t i = 0; i < s.targets.size(); ++i) {
    const auto& t = s.targets[i];
    out += fmt::format(
        "{}{{\"name\": {}, \"unit\": {}, \"present\": {}, \"min\": {}, \"median\": {}, "
        "\"max\": {}}}",
        i ? ", " : "", json_quote(t.name), json_quote(t.unit), t.present, json_number(t.min),
        json_number(t.median), json_number(t.max));
  }
  out += "], \"conditions\": [";
  for (std::size_t i = 0; i < s.conditions.size(); ++i) {
    const auto& c = s.conditions[i];
    out += fmt::format("{}{{\"name\": {}, \"present\": {}, \"percent\": {}}}", i ? ", " : "",
                       json_quote(c.name), c.present, json_number(c.percent));
  }
  out += "], \"pitfalls\": [";
  for (std::size_t i = 0; i < s.pitfalls.size(); ++i) {
    const auto& p = s.pitfalls[i];
    out += fmt::format("{}{{\"name\": {}, \"flag\": {}, \"flagged\": {}, \"values\": {}}}",
                       i ? ", " : "", json_quote(p.name), json_quote(p.flag), p.flagged,
                       json_counts(p.values));
  }
  out += fmt::format("], \"rejects\": {}, \"first_rejects\": [", s.rejects);
  for (std::size_t i = 0; i < s.first_rejects.size(); ++i) {
    const auto& r = s.first_rejects[i];
    out += fmt::format("{}{{\"line\": {}, \"column\": {}, \"reason\": {}}}", i ? ", " : "", r.line,
                       json_quote(r.column), json_quote(r.reason));
  }
  return out + "]}\n";
}

}  // namespace thermex
