#pragma once
// Assembly of the results file from the stage checkpoints, and its /provenance group.

#include <string>
#include <vector>

#include "study_internal.hpp"
#include "thermex/study.hpp"

namespace thermex::study {

/// Copies every stage checkpoint's public groups (names not starting with '_') into a new file
/// written atomically at `out_path`, then writes /provenance. Throws Error / H5Error on failure
/// (the old results file, if any, is then untouched).
void assemble_results(const StudyState& s, const StudyResult& result,
                      const std::vector<std::string>& dataset_sha256, const std::string& out_path);

/// Writes /provenance (layout in data/RESULTS.md) into `out`.
void write_provenance(H5File& out, const StudyState& s, const StudyResult& result,
                      const std::vector<std::string>& dataset_sha256);

}  // namespace thermex::study
