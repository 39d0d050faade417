// SweepH5Writer::finish: the optimum of each target, its neighbourhood read back from the file
// (a few hyperslab reads of consecutive index runs), and the feature-source table.
#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "sweep_internal.hpp"
#include "thermex/error.hpp"
#include "thermex/h5_extendible.hpp"
#include "thermex/sweep.hpp"

namespace thermex {
namespace {

// Radius in grid counts: the largest integer r with r / m <= radius (a point exactly on the
// boundary belongs to the neighbourhood; 1e-9 absorbs the rounding of radius * m).
std::uint32_t radius_counts(double radius, std::size_t m) {
  return static_cast<std::uint32_t>(std::floor(radius * static_cast<double>(m) + 1e-9));
}

// Count, min, max and mean of the point predictions within the neighbourhood of o.index,
// restricted to the points written [first, first + n).
void fill_neighbourhood(const H5ExtendibleDoubles& pred, const SweepPlan& plan,
                        std::span<const std::uint32_t> center, std::size_t first, std::size_t n,
                        SweepOptimum& o) {
  double sum = 0.0;
  o.neighbourhood_min = o.neighbourhood_max = o.value;
  o.neighbourhood_count = 0;
  const auto runs =
      detail::neighbourhood_runs(plan.m, center, radius_counts(plan.spec.neighbourhood, plan.m));
  for (const auto& run : runs) {
    const std::size_t b = std::max(run.first, first);
    const std::size_t e = std::min(run.first + run.count, first + n);
    if (b >= e) continue;
    for (const double v : pred.read_rows(b - first, e - b)) {
      sum += v;
      o.neighbourhood_min = std::min(o.neighbourhood_min, v);
      o.neighbourhood_max = std::max(o.neighbourhood_max, v);
      ++o.neighbourhood_count;
    }
  }
  o.neighbourhood_mean = sum / static_cast<double>(o.neighbourhood_count);
}

void write_optimum(H5File& file, const std::string& tp, const SweepTargetPlan& t,
                   const SweepPlan& plan, const SweepOptimum& o) {
  file.set_attribute(tp, "optimum_index", static_cast<std::int64_t>(o.index));
  file.set_attribute(tp, "optimum_value", o.value);
  file.set_attribute(tp, "optimum_boot_lo", o.boot_lo);
  file.set_attribute(tp, "optimum_boot_hi", o.boot_hi);
  file.set_attribute(tp, "neighbourhood_radius", plan.spec.neighbourhood);
  file.set_attribute(tp, "neighbourhood_count", static_cast<std::int64_t>(o.neighbourhood_count));
  file.set_attribute(tp, "neighbourhood_min", o.neighbourhood_min);
  file.set_attribute(tp, "neighbourhood_max", o.neighbourhood_max);
  file.set_attribute(tp, "neighbourhood_mean", o.neighbourhood_mean);
  file.set_attribute(tp, "optimum_scope", o.in_domain ? "training domain" : "grid");
  file.set_attribute(tp, "grid_optimum_index", static_cast<std::int64_t>(o.grid_index));
  file.set_attribute(tp, "grid_optimum_value", o.grid_value);
  file.write_doubles(tp + "/optimum_fractions", o.fractions);
  file.set_attribute(tp + "/optimum_fractions", "unit", "");
  file.set_attribute(
      tp + "/optimum_fractions", "label",
      fmt::format("TM-site fractions ({}) at the {} of {}", fmt::join(plan.spec.elements, ", "),
                  t.maximize ? "maximum" : "minimum", t.label));
}

}  // namespace

SweepSummary SweepH5Writer::finish() {
  const SweepPlan& plan = *plan_;
  if (finished_) throw Error("SweepH5Writer::finish called twice");
  if (written_ == 0) throw Error(fmt::format("sweep '{}': no point written", plan.spec.name));
  finished_ = true;
  SweepSummary summary;
  summary.name = plan.spec.name;
  summary.points = written_;
  std::vector<std::uint32_t> counts(plan.k);
  if (!plan.domain_lo.empty()) {
    file_->write_doubles(path_ + "/domain_min", plan.domain_lo);
    file_->set_attribute(path_ + "/domain_min", "unit", "");
    file_->set_attribute(path_ + "/domain_min", "label",
                         "lowest TM-site fraction of each element in the training data");
    file_->write_doubles(path_ + "/domain_max", plan.domain_hi);
    file_->set_attribute(path_ + "/domain_max", "unit", "");
    file_->set_attribute(path_ + "/domain_max", "label",
                         "highest TM-site fraction of each element in the training data");
  }
  for (std::size_t t = 0; t < plan.targets.size(); ++t) {
    // The domain optimum when some written point lies in the domain, else the grid's.
    const SweepOptimum& g = grid_optima_[t];
    const bool in_domain = !plan.domain_lo.empty() && !std::isnan(optima_[t].value);
    if (!in_domain) optima_[t] = g;
    SweepOptimum& o = optima_[t];
    o.in_domain = in_domain;
    o.grid_index = g.index;
    o.grid_value = g.value;
    simplex_point(plan.k, plan.m, o.index, counts);
    o.fractions.resize(plan.k);
    for (std::size_t j = 0; j < plan.k; ++j) {
      o.fractions[j] = static_cast<double>(counts[j]) / static_cast<double>(plan.m);
    }
    const std::string tp = path_ + "/" + plan.targets[t].target;
    {
      // Scoped: the dataset handle must be closed before the file is.
      const auto pred = H5ExtendibleDoubles::open(*file_, tp + "/prediction");
      fill_neighbourhood(pred, plan, counts, first_point_, written_, o);
    }
    write_optimum(*file_, tp, plan.targets[t], plan, o);
  }
  file_->set_attribute(path_, "points_written", static_cast<std::int64_t>(written_));
  detail::write_sweep_feature_table(*file_, path_, plan);
  summary.optima = optima_;
  return summary;
}

}  // namespace thermex
