// SweepH5Writer: streams sweep chunks into extendible datasets under /sweeps/<name>, tracks the
// optimum of each target while the chunks pass, and at the end reads the optimum's
// neighbourhood back from the file and writes the optimum and the feature-source table.
#include <cmath>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "sweep_internal.hpp"
#include "thermex/error.hpp"
#include "thermex/h5_extendible.hpp"
#include "thermex/sweep.hpp"

namespace thermex {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
// Rows per HDF5 chunk of the 1-D datasets: 128 KiB of doubles (h5.hpp's kH5ChunkElements).
constexpr std::size_t kRowsPerH5Chunk = kH5ChunkElements;

std::string target_path(const std::string& root, const SweepTargetPlan& t) {
  return root + "/" + t.target;
}

// The statistic datasets of a target: (name, label suffix), prediction first.
std::vector<std::pair<std::string, std::string>> target_datasets(const SweepPlan& plan,
                                                                 const SweepTargetPlan& t) {
  std::vector<std::pair<std::string, std::string>> out{{"prediction", ""}};
  if (t.replicas() == 0) return out;
  out.emplace_back("boot_mean", ", bootstrap mean");
  out.emplace_back("boot_std", ", bootstrap std");
  out.emplace_back(sweep_quantile_name(plan.quantile_lo),
                   fmt::format(", bootstrap {:g} % quantile", 100.0 * plan.quantile_lo));
  out.emplace_back(sweep_quantile_name(plan.quantile_hi),
                   fmt::format(", bootstrap {:g} % quantile", 100.0 * plan.quantile_hi));
  return out;
}

void label(H5File& file, const std::string& path, std::string_view unit, std::string_view text) {
  file.set_attribute(path, "unit", unit);
  file.set_attribute(path, "label", text);
}

void write_plan_attributes(H5File& file, const std::string& path, const SweepPlan& plan,
                           std::size_t first_point) {
  file.set_attribute(path, "elements", std::span<const std::string>(plan.spec.elements));
  file.set_attribute(path, "step", plan.spec.step);
  file.set_attribute(path, "divisions", static_cast<std::int64_t>(plan.m));
  file.set_attribute(path, "li", plan.spec.li);
  file.set_attribute(path, "oxidation", to_string(plan.oxidation));
  file.set_attribute(path, "grid_points", static_cast<std::int64_t>(plan.points));
  file.set_attribute(path, "first_point", static_cast<std::int64_t>(first_point));
  file.set_attribute(path, "chunk", static_cast<std::int64_t>(plan.chunk));
  file.set_attribute(path, "neighbourhood", plan.spec.neighbourhood);
  file.set_attribute(path, "ci", plan.ci);
  file.set_attribute(path, "order",
                     "lexicographic by integer counts; index 0 = (0, ..., 0, 1/step)");
}

}  // namespace

namespace detail {

std::vector<char> points_in_domain(const SweepPlan& plan, const SweepChunk& chunk) {
  std::vector<char> inside(chunk.count, plan.domain_lo.empty() ? 0 : 1);
  if (plan.domain_lo.empty()) return inside;
  constexpr double kSlack = 1e-9;  // grid fractions are multiples of 1/m, rounded
  for (std::size_t i = 0; i < chunk.count; ++i) {
    for (std::size_t j = 0; j < plan.k; ++j) {
      const double f = chunk.fractions[i * plan.k + j];
      if (f < plan.domain_lo[j] - kSlack || f > plan.domain_hi[j] + kSlack) inside[i] = 0;
    }
  }
  return inside;
}

// Writes the feature-source table: which value every model feature took.
void write_sweep_feature_table(H5File& file, const std::string& path, const SweepPlan& plan) {
  std::vector<std::string> names, sources;
  std::vector<double> values;
  for (const auto& f : plan.features) {
    names.push_back(f.name);
    sources.emplace_back(to_string(f.source));
    values.push_back(f.value);
  }
  file.write_strings(path + "/features/name", names);
  label(file, path + "/features/name", "", "model feature");
  file.write_strings(path + "/features/source", sources);
  label(file, path + "/features/source", "",
        "where the value comes from (composition, level, fixed, indicator, default)");
  file.write_doubles(path + "/features/value", values);
  label(file, path + "/features/value", "raw feature units",
        "value at every point (NaN: computed per point from the composition)");
}

}  // namespace detail

std::string sweep_quantile_name(double q) {
  return fmt::format("boot_p{:03d}", static_cast<int>(std::lround(1000.0 * q)));
}

SweepH5Writer::SweepH5Writer(H5File& file, const SweepPlan& plan, std::string_view group,
                             std::size_t first_chunk)
    : file_(&file),
      plan_(&plan),
      path_(h5_normalize_path(std::string(group) + "/" + plan.spec.name)),
      first_point_(first_chunk * plan.chunk),
      next_chunk_(first_chunk) {
  THERMEX_EXPECTS(first_chunk < sweep_chunk_count(plan), "SweepH5Writer: first chunk out of range");
  if (file.exists(path_)) throw H5Error(file.path(), path_, "sweep group already exists");
  file.create_group(path_);
  write_plan_attributes(file, path_, plan, first_point_);
  const std::size_t frac_rows = std::max<std::size_t>(1, kRowsPerH5Chunk / plan.k);
  H5ExtendibleDoubles::create(file, path_ + "/fractions", plan.k, frac_rows);
  label(file, path_ + "/fractions", "",
        fmt::format("TM-site fractions ({})", fmt::join(plan.spec.elements, ", ")));
  for (const auto& t : plan.targets) {
    const std::string tp = target_path(path_, t);
    file.create_group(tp);
    file.set_attribute(tp, "label", t.label);
    file.set_attribute(tp, "unit", t.unit);
    file.set_attribute(tp, "optimum_direction", t.maximize ? "max" : "min");
    file.set_attribute(tp, "replicas", static_cast<std::int64_t>(t.replicas()));
    for (const auto& [name, suffix] : target_datasets(plan, t)) {
      H5ExtendibleDoubles::create(file, tp + "/" + name, 0, kRowsPerH5Chunk);
      label(file, tp + "/" + name, t.unit, t.label + suffix);
    }
    SweepOptimum o;
    o.target = t.target;
    o.maximize = t.maximize;
    o.value = kNan;
    o.boot_lo = kNan;
    o.boot_hi = kNan;
    optima_.push_back(o);
    grid_optima_.push_back(std::move(o));
  }
}

void SweepH5Writer::append(const SweepChunk& chunk) {
  const SweepPlan& plan = *plan_;
  if (finished_) throw Error("SweepH5Writer::append after finish");
  if (chunk.id != next_chunk_ || chunk.begin != first_point_ + written_ ||
      chunk.targets.size() != plan.targets.size() ||
      chunk.fractions.size() != chunk.count * plan.k) {
    throw Error(
        fmt::format("sweep '{}': chunk {} (first point {}) appended out of order or "
                    "malformed; expected chunk {} at point {}",
                    plan.spec.name, chunk.id, chunk.begin, next_chunk_, first_point_ + written_));
  }
  H5ExtendibleDoubles::open(*file_, path_ + "/fractions").append(chunk.fractions);
  const std::vector<char> inside = detail::points_in_domain(plan, chunk);
  for (std::size_t t = 0; t < plan.targets.size(); ++t) {
    const SweepTargetPlan& tp = plan.targets[t];
    const SweepTargetChunk& tc = chunk.targets[t];
    const std::vector<const std::vector<double>*> data{&tc.prediction, &tc.boot_mean, &tc.boot_std,
                                                       &tc.boot_lo, &tc.boot_hi};
    const auto names = target_datasets(plan, tp);
    for (std::size_t s = 0; s < names.size(); ++s) {
      if (data[s]->size() != chunk.count) throw Error("SweepH5Writer::append: malformed chunk");
      H5ExtendibleDoubles::open(*file_, target_path(path_, tp) + "/" + names[s].first)
          .append(*data[s]);
    }
    // Strict comparison in increasing index order: ties keep the lowest index. The grid optimum
    // sees every point, the domain optimum only those inside the training domain.
    SweepOptimum& o = optima_[t];
    SweepOptimum& g = grid_optima_[t];
    for (std::size_t i = 0; i < chunk.count; ++i) {
      const double v = tc.prediction[i];
      for (SweepOptimum* best : {&o, &g}) {
        if (best == &o && !inside[i]) continue;
        if (!(std::isnan(best->value) || (tp.maximize ? v > best->value : v < best->value))) {
          continue;
        }
        best->value = v;
        best->index = chunk.begin + i;
        best->boot_lo = tp.replicas() > 0 ? tc.boot_lo[i] : kNan;
        best->boot_hi = tp.replicas() > 0 ? tc.boot_hi[i] : kNan;
      }
    }
  }
  written_ += chunk.count;
  ++next_chunk_;
}

}  // namespace thermex
