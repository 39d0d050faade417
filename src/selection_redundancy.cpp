// Step 1 of screening: the "fundamental first" priority and the greedy Spearman redundancy
// filter (include/thermex/selection.hpp, data/SCREENING.md).
#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>
#include <utility>

#include "thermex/error.hpp"
#include "thermex/selection.hpp"

namespace thermex {
namespace {

int kind_rank(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kContent:
      return 0;
    case ColumnKind::kCondition:
      return 1;
    case ColumnKind::kOneHot:
      return 2;
    case ColumnKind::kIndicator:
      return 3;
    case ColumnKind::kDerived:
      return 4;
    case ColumnKind::kOther:
      return 5;
    case ColumnKind::kTarget:
      return 6;
  }
  return 5;
}

// Weighted statistics describe the actual composition (fractions as weights), so they come
// before the unweighted ones, which count a 1 % dopant like the majority element; location
// before spread before extremes.
constexpr std::array<std::string_view, 7> kStatSuffixes{"_wmean", "_wstd", "_mean", "_std",
                                                        "_min",   "_max",  "_range"};

int stat_rank(const ColumnMeta& meta) {
  if (meta.kind != ColumnKind::kDerived) return 0;
  for (std::size_t k = 0; k < kStatSuffixes.size(); ++k) {
    if (meta.name.ends_with(kStatSuffixes[k])) return static_cast<int>(k);
  }
  return static_cast<int>(kStatSuffixes.size());
}

struct Candidate {
  double abs_rho;
  std::size_t i, j;
};

bool same_onehot_group(const ColumnMeta& a, const ColumnMeta& b) {
  return a.kind == ColumnKind::kOneHot && b.kind == ColumnKind::kOneHot && !a.group.empty() &&
         a.group == b.group;
}

}  // namespace

FundamentalKey fundamental_key(const ColumnMeta& meta, std::size_t column,
                               std::span<const std::string> priority) {
  FundamentalKey key;
  const auto it = std::find(priority.begin(), priority.end(), meta.name);
  if (it != priority.end()) key.user_rank = static_cast<std::size_t>(it - priority.begin());
  key.kind_rank = kind_rank(meta.kind);
  key.stat_rank = stat_rank(meta);
  key.column = column;
  return key;
}

RedundancyResult redundancy_filter(const std::vector<ColumnMeta>& metas, const SpearmanMatrix& m,
                                   double threshold, std::span<const std::string> priority,
                                   bool compare_within_group) {
  THERMEX_EXPECTS(m.n == metas.size(), "redundancy_filter: matrix and metadata disagree");
  const std::size_t n = m.n;
  RedundancyResult r;
  std::vector<Candidate> pairs;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      if (!compare_within_group && same_onehot_group(metas[i], metas[j])) continue;
      const double rho = m.at(i, j);
      if (std::isnan(rho) || m.count(i, j) < static_cast<std::int64_t>(kSpearmanMinPairs)) {
        r.uncompared.push_back({metas[i].name, metas[j].name, m.count(i, j)});
        continue;
      }
      if (std::abs(rho) > threshold) pairs.push_back({std::abs(rho), i, j});
    }
  }
  // Strongest redundancy first, so a feature is removed by its closest duplicate; ties in
  // index order keep the result independent of the sort implementation.
  std::sort(pairs.begin(), pairs.end(), [](const Candidate& a, const Candidate& b) {
    if (a.abs_rho != b.abs_rho) return a.abs_rho > b.abs_rho;
    return std::pair(a.i, a.j) < std::pair(b.i, b.j);
  });
  std::vector<char> dropped(n, 0);
  for (const Candidate& c : pairs) {
    if (dropped[c.i] || dropped[c.j]) continue;
    const bool i_first =
        fundamental_key(metas[c.i], c.i, priority) < fundamental_key(metas[c.j], c.j, priority);
    const std::size_t keep = i_first ? c.i : c.j, drop = i_first ? c.j : c.i;
    dropped[drop] = 1;
    r.dropped.push_back({metas[drop].name, metas[keep].name, m.at(c.i, c.j)});
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!dropped[i]) r.kept.push_back(metas[i].name);
  }
  return r;
}

}  // namespace thermex
