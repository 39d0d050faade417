// Study stage sweeps: every configured composition sweep predicted by each target's point model
// and its bootstrap refits, streamed chunk by chunk into /sweeps/<name> (sweep.hpp). A shard
// computes its block of chunks; MPI ranks compute rounds of one chunk each, gathered in id order
// and written by rank 0.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "study_internal.hpp"
#include "thermex/elements.hpp"
#include "thermex/error.hpp"
#include "thermex/null_importance.hpp"
#include "thermex/sweep.hpp"

namespace thermex::study {
// Training medians of every numeric feature column: the value a sweep gives a feature it does
// not fix (data/STUDY.md). Rows: the training pool (train datasets, not held out).
std::map<std::string, double, std::less<>> training_medians(const StudyState& s) {
  std::vector<std::size_t> pool;
  for (std::size_t r = 0; r < s.features.rows(); ++r) {
    if (s.row_series[r].empty() &&
        s.config->datasets[static_cast<std::size_t>(s.row_dataset[r])].train) {
      pool.push_back(r);
    }
  }
  std::map<std::string, double, std::less<>> medians;
  for (std::size_t c = 0; c < s.features.cols(); ++c) {
    const ColumnMeta& meta = s.features.meta(c);
    if (meta.kind == ColumnKind::kTarget || meta.kind == ColumnKind::kOther) continue;
    std::vector<double> v;
    for (std::size_t r : pool) {
      const double x = s.features.at(r, c);
      if (std::isfinite(x)) v.push_back(x);
    }
    if (!v.empty()) medians[meta.name] = quantile_linear(v, 0.5);
  }
  return medians;
}

SweepPlan study_sweep_plan(const StudyState& s, const StudySweep& sweep,
                           std::span<const SweepModelSet> sets,
                           const std::map<std::string, double, std::less<>>& defaults) {
  return make_sweep_plan(sweep, s.config->features.oxidation, sets, defaults,
                         s.config->bootstrap.ci);
}

void set_training_domain(const StudyState& s, SweepPlan& plan) {
  std::map<std::string_view, std::size_t> record_of;
  for (std::size_t i = 0; i < s.db.records.size(); ++i) record_of[s.db.records[i].record_id] = i;
  std::vector<int> z;
  for (const std::string& symbol : plan.spec.elements) {
    const ElementInfo* e = ElementTable::instance().find(symbol);
    THERMEX_EXPECTS(e != nullptr, "set_training_domain: unknown element " + symbol);
    z.push_back(e->z);
  }
  plan.domain_lo.assign(plan.k, std::numeric_limits<double>::infinity());
  plan.domain_hi.assign(plan.k, -std::numeric_limits<double>::infinity());
  for (std::size_t r = 0; r < s.features.rows(); ++r) {
    if (!s.row_series[r].empty() ||
        !s.config->datasets[static_cast<std::size_t>(s.row_dataset[r])].train) {
      continue;
    }
    const auto it = record_of.find(s.record_ids[r]);
    if (it == record_of.end()) continue;
    const math::SiteComposition& c = s.db.records[it->second].composition;
    for (std::size_t j = 0; j < plan.k; ++j) {
      const double f = math::site_fraction(c, z[j]);
      plan.domain_lo[j] = std::min(plan.domain_lo[j], f);
      plan.domain_hi[j] = std::max(plan.domain_hi[j], f);
    }
  }
  if (!(plan.domain_lo[0] <= plan.domain_hi[0])) {  // no training record: no restriction
    plan.domain_lo.clear();
    plan.domain_hi.clear();
  }
}

namespace {

void run_one_sweep(StudyState& s, const SweepPlan& plan, H5File& out) {
  const std::size_t chunks = sweep_chunk_count(plan);
  const ItemRange range = partition_block(chunks, s.shard.count, s.shard.index);
  const std::string g = "/sweeps/" + plan.spec.name;
  progress_begin(s, fmt::format("[sweeps] {} chunks", plan.spec.name), range.size());
  if (range.size() == 0) {
    out.create_group(g);
    out.set_attribute(g, "shard_without_chunks", to_string(s.shard));
    progress_end(s);
    return;
  }
  SweepH5Writer writer(out, plan, "/sweeps", range.begin);
  const std::size_t ranks = s.comm != nullptr ? static_cast<std::size_t>(s.comm->size()) : 1;
  for (std::size_t c = range.begin; c < range.end; c += ranks) {
    const std::size_t round = std::min(ranks, range.end - c);
    if (ranks == 1) {
      writer.append(compute_sweep_chunk(*s.ctx, plan, c));
    } else {
      // One chunk per rank per round keeps memory at one chunk per rank.
      const ItemRange mine =
          partition_block(round, ranks, static_cast<std::size_t>(s.comm->rank()));
      std::vector<std::vector<double>> local;
      for (std::size_t i = mine.begin; i < mine.end; ++i) {
        local.push_back(sweep_chunk_pack(compute_sweep_chunk(*s.ctx, plan, c + i)));
      }
      const auto items = gather_items(*s.comm, round, local);
      for (std::size_t i = 0; i < round; ++i)
        writer.append(sweep_chunk_unpack(plan, c + i, items[i]));
    }
    progress_add(s, round);
  }
  writer.finish();
  progress_end(s);
}

}  // namespace

std::vector<SweepModelSet> sweep_model_sets(const StudyState& s) {
  std::vector<SweepModelSet> sets;
  for (std::size_t t = 0; t < s.config->targets.size(); ++t) {
    SweepModelSet set;
    set.target = target_name(s, t);
    set.point = &s.models[t];
    if (t < s.boot_models.size()) set.replicas = s.boot_models[t];
    set.label = s.config->targets[t].label;
    set.unit = s.features.meta(s.features.index_of(set.target)).unit;
    sets.push_back(std::move(set));
  }
  return sets;
}

void compute_sweeps(StudyState& s, H5File& out) {
  out.create_group("/sweeps");
  if (s.config->sweeps.empty()) return;
  const auto defaults = training_medians(s);
  const std::vector<SweepModelSet> sets = sweep_model_sets(s);
  for (const StudySweep& sweep : s.config->sweeps) {
    SweepPlan plan = study_sweep_plan(s, sweep, sets, defaults);
    set_training_domain(s, plan);
    run_one_sweep(s, plan, out);
  }
}

void load_sweeps(StudyState&, const H5File&) {
  // Nothing downstream reads the sweeps.
}

}  // namespace thermex::study
