// Work-item blocks of the study (bootstrap replicas, sweep chunks): shard block, rank
// sub-blocks, gather in id order; and the packing of refits for gathers and checkpoints.
#include <fmt/format.h>

#include <algorithm>

#include "study_internal.hpp"
#include "thermex/error.hpp"

namespace thermex::study {

BlockItems compute_block(
    const StudyState& s, std::size_t n, bool sharded, std::size_t step,
    const std::function<std::vector<std::vector<double>>(std::size_t, std::size_t)>& fn) {
  BlockItems out;
  out.range = sharded ? partition_block(n, s.shard.count, s.shard.index) : ItemRange{0, n};
  const std::size_t ranks = s.comm != nullptr ? static_cast<std::size_t>(s.comm->size()) : 1;
  const std::size_t rank = s.comm != nullptr ? static_cast<std::size_t>(s.comm->rank()) : 0;
  const ItemRange mine = partition_block(out.range.size(), ranks, rank);
  std::vector<std::vector<double>> local;
  const std::size_t stride = std::max<std::size_t>(step, 1);
  for (std::size_t first = mine.begin; first < mine.end; first += stride) {
    const std::size_t count = std::min(stride, mine.end - first);
    std::vector<std::vector<double>> part = fn(out.range.begin + first, count);
    if (part.size() != count) {
      throw Error(fmt::format("study: a block of {} items returned {}", count, part.size()));
    }
    for (auto& item : part) local.push_back(std::move(item));
  }
  out.items = ranks > 1 ? gather_items(*s.comm, out.range.size(), local) : std::move(local);
  return out;
}

std::vector<double> pack_model(const SvrModel& m) {
  const std::size_t d = m.n_features, nsv = m.n_support();
  std::vector<double> p{static_cast<double>(d), static_cast<double>(nsv), m.intercept,
                        m.gamma_value, static_cast<double>(m.n_train)};
  p.insert(p.end(), m.feature_means.begin(), m.feature_means.end());
  p.insert(p.end(), m.feature_scales.begin(), m.feature_scales.end());
  p.insert(p.end(), m.support_vectors.begin(), m.support_vectors.end());
  p.insert(p.end(), m.dual_coef.begin(), m.dual_coef.end());
  for (std::int64_t i : m.support_indices) p.push_back(static_cast<double>(i));
  return p;
}

SvrModel unpack_model(std::span<const double> p, const SvrModel& like) {
  THERMEX_EXPECTS(p.size() >= 5, "unpack_model: truncated model");
  const auto d = static_cast<std::size_t>(p[0]), nsv = static_cast<std::size_t>(p[1]);
  THERMEX_EXPECTS(p.size() == 5 + 2 * d + nsv * d + 2 * nsv, "unpack_model: size mismatch");
  SvrModel m;
  m.n_features = d;
  m.feature_names = like.feature_names;
  m.spec = like.spec;
  m.thermex_version = like.thermex_version;
  m.git_commit = like.git_commit;
  m.device = like.device;
  m.intercept = p[2];
  m.gamma_value = p[3];
  m.n_train = static_cast<std::size_t>(p[4]);
  auto at = p.begin() + 5;
  const auto take = [&at](std::size_t count) {
    std::vector<double> v(at, at + static_cast<std::ptrdiff_t>(count));
    at += static_cast<std::ptrdiff_t>(count);
    return v;
  };
  m.feature_means = take(d);
  m.feature_scales = take(d);
  m.support_vectors = take(nsv * d);
  m.dual_coef = take(nsv);
  for (double v : take(nsv)) m.support_indices.push_back(static_cast<std::int64_t>(v));
  return m;
}

}  // namespace thermex::study
