// The results file: the checkpoints' public groups copied into one file, plus /provenance.
#include "study_results.hpp"

#include <fmt/format.h>

#include "thermex/atomic_file.hpp"
#include "thermex/sha256.hpp"
#include "thermex/utc_time.hpp"
#include "thermex/version.hpp"

namespace thermex::study {
namespace {

// Root children a checkpoint keeps for the study itself (side data for reloading).
std::vector<std::string> private_groups(const H5File& f) {
  std::vector<std::string> skip;
  for (const std::string& name : f.list("/")) {
    if (!name.empty() && name.front() == '_') skip.push_back(name);
  }
  return skip;
}

}  // namespace

void write_provenance(H5File& out, const StudyState& s, const StudyResult& result,
                      const std::vector<std::string>& dataset_sha256) {
  const std::string g = "/provenance";
  const StudyConfig& c = *s.config;
  const std::string canonical = to_toml(c);
  out.create_group(g);
  out.set_attribute(g, "study_name", c.name);
  out.set_attribute(g, "thermex_version", kVersion);
  out.set_attribute(g, "git_commit", kGitCommit);
  out.set_attribute(g, "config_toml", c.source_text);
  out.set_attribute(g, "config_path", c.source_path);
  out.set_attribute(g, "config_canonical", canonical);
  out.set_attribute(g, "config_sha256", sha256_hex(canonical));
  // HDF5 has no unsigned 64-bit attribute in our API: the seed is stored as int64 (bit pattern)
  // and as decimal text, which is exact for every seed.
  out.set_attribute(g, "seed", static_cast<std::int64_t>(s.ctx->seed()));
  out.set_attribute(g, "seed_text", std::to_string(s.ctx->seed()));
  out.set_attribute(g, "device", to_string(s.ctx->device()));
  out.set_attribute(g, "threads", static_cast<std::int64_t>(s.ctx->threads()));
  out.set_attribute(g, "ranks", static_cast<std::int64_t>(s.comm != nullptr ? s.comm->size() : 1));
  out.set_attribute(g, "shard", to_string(s.shard));
  out.set_attribute(g, "created_utc", utc_now_iso8601());
  out.set_attribute(g, "total_seconds", result.total_seconds);
  std::vector<std::string> names, hashes;
  std::vector<double> seconds;
  std::vector<std::int64_t> reused;
  for (const StudyStageRecord& r : result.stages) {
    names.push_back(r.name);
    hashes.push_back(r.input_hash);
    seconds.push_back(r.seconds);
    reused.push_back(r.reused ? 1 : 0);
  }
  write_doc_strings(out, g + "/stage_names", names, "stages in run order");
  write_doc_strings(out, g + "/stage_input_hash", hashes, "SHA-256 of each stage's inputs");
  write_doc_doubles(out, g + "/stage_seconds", seconds, "s", "wall time computing or loading");
  write_doc_int64s(out, g + "/stage_reused", reused, "", "1 = loaded from its checkpoint");
  std::vector<std::string> labels, paths;
  for (const StudyDataset& d : c.datasets) {
    labels.push_back(d.label);
    paths.push_back(d.path);
  }
  write_doc_strings(out, g + "/dataset_labels", labels, "dataset labels");
  write_doc_strings(out, g + "/dataset_paths", paths, "dataset files as read");
  write_doc_strings(out, g + "/dataset_sha256", dataset_sha256, "SHA-256 of each dataset file");
}

void assemble_results(const StudyState& s, const StudyResult& result,
                      const std::vector<std::string>& dataset_sha256, const std::string& out_path) {
  AtomicFile out(out_path);
  {
    H5File dst = H5File::create(out.path());
    for (const StudyStageRecord& r : result.stages) {
      const H5File src = H5File::open_read_only(r.checkpoint);
      copy_groups(src, dst, private_groups(src));
    }
    write_provenance(dst, s, result, dataset_sha256);
    dst.close();
  }
  out.commit();
}

}  // namespace thermex::study
