// Selection as text and JSON (include/thermex/selection.hpp), for the CLI and logs.
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "thermex/db_summary.hpp"
#include "thermex/selection.hpp"

namespace thermex {
namespace {

std::string json_number(double v) { return std::isfinite(v) ? fmt::format("{}", v) : "null"; }

std::string json_names(const std::vector<std::string>& names) {
  std::string out = "[";
  for (std::size_t k = 0; k < names.size(); ++k) out += (k ? ", " : "") + json_quote(names[k]);
  return out + "]";
}

std::string json_dropped(const DroppedFeature& d) {
  if (d.reason == DropReason::kSpearman) {
    return fmt::format(R"({{"name": {}, "reason": "spearman", "partner": {}, "rho": {}}})",
                       json_quote(d.name), json_quote(d.partner), json_number(d.rho));
  }
  return fmt::format(
      R"({{"name": {}, "reason": "null_importance", "actual": {}, "null_quantile": {}, )"
      R"("p_value": {}}})",
      json_quote(d.name), json_number(d.actual), json_number(d.null_quantile),
      json_number(d.p_value));
}

std::string json_one(const Selection& s) {
  std::string out = fmt::format(
      R"({{"target": {}, "rows": {}, "seed": {}, "spearman_threshold": {}, "shuffles": {}, )"
      R"("quantile": {}, "kept": {}, "dropped": [)",
      json_quote(s.target), s.rows, s.seed, json_number(s.spearman_threshold), s.null.shuffles,
      json_number(s.null.quantile), json_names(s.kept));
  for (std::size_t k = 0; k < s.dropped.size(); ++k) {
    out += (k ? ", " : "") + json_dropped(s.dropped[k]);
  }
  out += R"(], "importance": [)";
  const auto& n = s.null;
  for (std::size_t f = 0; f < n.features.size(); ++f) {
    out += fmt::format(
        R"({}{{"name": {}, "actual": {}, "null_quantile": {}, "p_value": {}, "kept": {}}})",
        f ? ", " : "", json_quote(n.features[f]), json_number(n.actual[f]),
        json_number(n.null_quantile[f]), json_number(n.p_value[f]), n.keep[f] ? "true" : "false");
  }
  return out + "]}";
}

}  // namespace

std::string format_selection_text(const Selection& s) {
  std::string out = fmt::format(
      "target {}: {} rows, {} candidates; Spearman |rho| > {} dropped {}, null importance "
      "(K = {}, q = {}) dropped {}; kept {}\n",
      s.target, s.rows, s.candidates.size(), s.spearman_threshold, s.redundancy.dropped.size(),
      s.null.shuffles, s.null.quantile, s.dropped.size() - s.redundancy.dropped.size(),
      s.kept.size());
  for (std::size_t f = 0; f < s.null.features.size(); ++f) {
    if (!s.null.keep[f]) continue;
    out += fmt::format("  kept     {:<32} importance {:.6g} (null q {:.6g}, p {:.3f})\n",
                       s.null.features[f], s.null.actual[f], s.null.null_quantile[f],
                       s.null.p_value[f]);
  }
  for (const auto& d : s.dropped) {
    if (d.reason == DropReason::kSpearman) {
      out += fmt::format("  dropped  {:<32} spearman: redundant with {} (rho {:+.3f})\n", d.name,
                         d.partner, d.rho);
    } else {
      out += fmt::format("  dropped  {:<32} null importance: {:.6g} < null q {:.6g} (p {:.3f})\n",
                         d.name, d.actual, d.null_quantile, d.p_value);
    }
  }
  if (!s.redundancy.uncompared.empty()) {
    out +=
        fmt::format("  {} pairs not compared (fewer than {} complete rows or a constant column)\n",
                    s.redundancy.uncompared.size(), kSpearmanMinPairs);
  }
  return out;
}

std::string format_selection_json(std::span<const Selection> selections) {
  std::string out = R"({"selections": [)";
  for (std::size_t k = 0; k < selections.size(); ++k) {
    out += (k ? ", " : "") + json_one(selections[k]);
  }
  return out + "]}\n";
}

}  // namespace thermex
