// merge_study_shards: the shard files of a `--shard i/n` job array become the results file of a
// single run. The cheap stages are the same in every shard and come from shard 0; the bootstrap
// SHAP rows, screening survival counts and sweep chunks are concatenated in id order and then
// summarized exactly as a single run summarizes them.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "study_results.hpp"
#include "thermex/atomic_file.hpp"
#include "thermex/error.hpp"
#include "thermex/sha256.hpp"
#include "thermex/study.hpp"

namespace thermex {
namespace study {
namespace {

struct ShardFile {
  std::string path;
  Shard shard;
  H5File file;
};

std::vector<ShardFile> open_shards(const Context& ctx, const StudyConfig& config,
                                   std::span<const std::string> paths) {
  const std::string config_sha = sha256_hex(to_toml(config));
  std::vector<ShardFile> shards;
  for (const std::string& path : paths) {
    H5File f = H5File::open_read_only(path);
    const std::string g = "/provenance";
    if (!f.is_group(g)) throw InputError(path, 0, g, "not a thermex study shard file");
    if (f.string_attribute(g, "config_sha256") != config_sha) {
      throw InputError(path, 0, g + "@config_sha256", "written with another study config");
    }
    const std::string seed = f.string_attribute(g, "seed_text");
    if (seed != std::to_string(ctx.seed())) {
      throw InputError(
          path, 0, g + "@seed_text",
          fmt::format("seed {} differs from {} (give the shards' --seed)", seed, ctx.seed()));
    }
    const Shard shard = parse_shard(f.string_attribute(g, "shard"), path);
    shards.push_back(ShardFile{path, shard, std::move(f)});
  }
  std::sort(shards.begin(), shards.end(),
            [](const ShardFile& a, const ShardFile& b) { return a.shard.index < b.shard.index; });
  for (std::size_t i = 0; i < shards.size(); ++i) {
    if (shards[i].shard.count != shards.size() || shards[i].shard.index != i) {
      throw InputError(shards[i].path, 0, "/provenance@shard",
                       fmt::format("shard {} does not fit a set of {} files (each of 0..n-1 once)",
                                   to_string(shards[i].shard), shards.size()));
    }
  }
  return shards;
}

void copy_children(const H5File& src, H5File& dst, const std::string& g,
                   std::span<const std::string> names) {
  for (const std::string& name : names) {
    const std::string path = g + "/" + name;
    if (!src.exists(path)) continue;
    h5_check(H5Ocopy(src.id(), path.c_str(), dst.id(), path.c_str(), H5P_DEFAULT, H5P_DEFAULT),
             "H5Ocopy", dst.path(), path);
  }
}

void merge_bootstrap(StudyState& s, const std::vector<ShardFile>& shards, H5File& dst) {
  const H5File& f0 = shards.front().file;
  const auto b_count = static_cast<std::size_t>(f0.int64_attribute("/bootstrap", "replicas"));
  dst.create_group("/bootstrap");
  dst.set_attribute("/bootstrap", "replicas", static_cast<std::int64_t>(b_count));
  dst.set_attribute("/bootstrap", "ci", s.config->bootstrap.ci);
  dst.set_attribute("/bootstrap", "shard", to_string(Shard{}));
  if (b_count == 0) return;
  const std::vector<std::string> copied{"oob_r2", "oob_rmse", "oob_mae", "oob_n", "models"};
  for (std::size_t t = 0; t < s.config->targets.size(); ++t) {
    const std::string g = "/bootstrap/" + target_name(s, t);
    dst.create_group(g);
    copy_children(f0, dst, g, copied);
    std::vector<double> mean_abs;
    for (const ShardFile& sf : shards) {
      const std::vector<double> block = sf.file.read_double_matrix(g + "/shap_mean_abs").values;
      mean_abs.insert(mean_abs.end(), block.begin(), block.end());
    }
    write_bootstrap_shap(dst, g, f0.read_strings(g + "/shap_record_id"),
                         f0.read_strings(g + "/shap_player_names"), mean_abs, 0, b_count,
                         s.config->bootstrap.ci);
    s.boot_shap_mean_abs[t] = std::move(mean_abs);
    if (!f0.exists(g + "/survival_kept_count")) continue;
    std::vector<std::int64_t> kept = f0.read_int64s(g + "/survival_kept_count");
    std::size_t replicas = static_cast<std::size_t>(f0.int64_attribute(g, "survival_replicas"));
    for (std::size_t i = 1; i < shards.size(); ++i) {
      const std::vector<std::int64_t> more = shards[i].file.read_int64s(g + "/survival_kept_count");
      for (std::size_t f = 0; f < kept.size(); ++f) kept[f] += more.at(f);
      replicas += static_cast<std::size_t>(shards[i].file.int64_attribute(g, "survival_replicas"));
    }
    write_survival(dst, g, f0.read_strings(g + "/survival_features"), kept, 0, replicas);
  }
  s.boot_replicas = b_count;
}

// The chunks a shard wrote, rebuilt from its datasets and appended in id order.
void append_shard_chunks(const SweepPlan& plan, const H5File& src, SweepH5Writer& writer) {
  const std::string g = "/sweeps/" + plan.spec.name;
  if (!src.exists(g + "/fractions")) return;  // a shard without chunks of this sweep
  const auto first = static_cast<std::size_t>(src.int64_attribute(g, "first_point"));
  const H5Matrix<double> fr = src.read_double_matrix(g + "/fractions");
  std::vector<std::vector<std::vector<double>>> stats;  // [target][statistic] all rows
  for (const SweepTargetPlan& tp : plan.targets) {
    std::vector<std::string> names{"prediction"};
    if (tp.replicas() > 0) {
      names.insert(names.end(), {"boot_mean", "boot_std", sweep_quantile_name(plan.quantile_lo),
                                 sweep_quantile_name(plan.quantile_hi)});
    }
    stats.emplace_back();
    for (const std::string& n : names)
      stats.back().push_back(src.read_doubles(g + "/" + tp.target + "/" + n));
  }
  for (std::size_t begin = 0; begin < fr.rows; begin += plan.chunk) {
    SweepChunk c;
    c.begin = first + begin;
    c.id = c.begin / plan.chunk;
    c.count = std::min(plan.chunk, fr.rows - begin);
    const auto slice = [&](const std::vector<double>& v, std::size_t width) {
      return std::vector<double>(
          v.begin() + static_cast<std::ptrdiff_t>(begin * width),
          v.begin() + static_cast<std::ptrdiff_t>((begin + c.count) * width));
    };
    c.fractions = slice(fr.values, fr.cols);
    for (const auto& ts : stats) {
      SweepTargetChunk tc;
      tc.prediction = slice(ts[0], 1);
      if (ts.size() == 5) {
        tc.boot_mean = slice(ts[1], 1);
        tc.boot_std = slice(ts[2], 1);
        tc.boot_lo = slice(ts[3], 1);
        tc.boot_hi = slice(ts[4], 1);
      }
      c.targets.push_back(std::move(tc));
    }
    writer.append(c);
  }
}

void merge_sweeps(const StudyState& s, const std::vector<ShardFile>& shards, H5File& dst) {
  dst.create_group("/sweeps");
  if (s.config->sweeps.empty()) return;
  const auto defaults = training_medians(s);
  const std::vector<SweepModelSet> sets = sweep_model_sets(s);
  for (const StudySweep& sweep : s.config->sweeps) {
    SweepPlan plan = study_sweep_plan(s, sweep, sets, defaults);
    // The training domain as the shards computed it (every shard holding chunks wrote it; the
    // merge state does not carry the imported records it came from).
    for (const ShardFile& sf : shards) {
      const std::string g = "/sweeps/" + sweep.name;
      if (sf.file.is_dataset(g + "/domain_min")) {
        plan.domain_lo = sf.file.read_doubles(g + "/domain_min");
        plan.domain_hi = sf.file.read_doubles(g + "/domain_max");
        break;
      }
    }
    SweepH5Writer writer(dst, plan, "/sweeps", 0);
    for (const ShardFile& sf : shards) append_shard_chunks(plan, sf.file, writer);
    writer.finish();
  }
}

}  // namespace
}  // namespace study

StudyResult merge_study_shards(const Context& ctx, const StudyConfig& config,
                               std::span<const std::string> shard_files, const std::string& output,
                               Progress* progress) {
  const auto start = std::chrono::steady_clock::now();
  if (shard_files.empty()) throw ConfigError("shards", "no shard file given");
  std::vector<study::ShardFile> shards = study::open_shards(ctx, config, shard_files);
  const H5File& f0 = shards.front().file;
  study::StudyState s;
  s.ctx = &ctx;
  s.config = &config;
  s.progress = progress;
  study::load_featurize(s, f0);
  study::load_split(s, f0);
  study::load_screening(s, f0);
  study::load_svr(s, f0);
  study::load_shap(s, f0);
  study::load_bootstrap(s, f0);  // the refits are complete in every shard

  StudyResult result;
  const std::vector<std::string> names = f0.read_strings("/provenance/stage_names");
  const std::vector<std::string> hashes = f0.read_strings("/provenance/stage_input_hash");
  AtomicFile out(output);
  {
    H5File dst = H5File::create(out.path());
    const std::vector<std::string> skip{"bootstrap", "dynamics", "sweeps", "provenance"};
    study::copy_groups(f0, dst, skip);
    const std::vector<std::string> aggregated{"bootstrap", "dynamics", "sweeps"};
    for (std::size_t i = 0; i < names.size(); ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      if (names[i] == "bootstrap") study::merge_bootstrap(s, shards, dst);
      if (names[i] == "dynamics") study::compute_dynamics(s, dst);
      if (names[i] == "sweeps") study::merge_sweeps(s, shards, dst);
      StudyStageRecord r;
      r.name = names[i];
      r.input_hash = hashes.at(i);
      r.reused = std::find(aggregated.begin(), aggregated.end(), names[i]) == aggregated.end();
      r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      r.checkpoint = shards.front().path;
      result.stages.push_back(std::move(r));
    }
    result.records = s.features.rows();
    result.results_path = output;
    result.total_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    study::write_provenance(dst, s, result, f0.read_strings("/provenance/dataset_sha256"));
    dst.close();
  }
  out.commit();
  return result;
}

}  // namespace thermex
