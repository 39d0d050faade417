// Stage input hashes: what a stage reads, reduced to one SHA-256 (the checkpoint cache key).
#include <fmt/format.h>

#include <sstream>

#include "study_internal.hpp"
#include "thermex/error.hpp"
#include "thermex/sha256.hpp"
#include "thermex/version.hpp"

namespace thermex::study {
namespace {

// Section of a table header line "[a.b]" or "[[a]]": its first key component ("a").
std::string header_section(std::string_view line) {
  std::size_t begin = line.find_first_not_of("[ \t");
  std::size_t end = line.find_first_of(".] \t", begin);
  if (begin == std::string_view::npos) return {};
  std::string name(line.substr(begin, end == std::string_view::npos ? end : end - begin));
  // Quoted keys keep their quotes; drop them so ["svr"] and [svr] agree.
  if (name.size() >= 2 && (name.front() == '"' || name.front() == '\'')) {
    name = name.substr(1, name.size() - 2);
  }
  return name;
}

bool is_header(std::string_view line) {
  const std::size_t first = line.find_first_not_of(" \t");
  return first != std::string_view::npos && line[first] == '[';
}

// Adds one length-prefixed field, so that ("ab", "c") and ("a", "bc") hash differently.
void add_field(Sha256& h, std::string_view field) {
  h.update(fmt::format("{}:", field.size()));
  h.update(field);
}

}  // namespace

std::map<std::string, std::string, std::less<>> config_sections(const StudyConfig& config) {
  std::map<std::string, std::string, std::less<>> sections;
  std::istringstream in(to_toml(config));
  std::string line, current;
  sections[current];
  while (std::getline(in, line)) {
    if (is_header(line)) current = header_section(line);
    sections[current] += line;
    sections[current] += '\n';
  }
  return sections;
}

std::string stage_input_hash(const StageInputs& inputs,
                             const std::map<std::string, std::string, std::less<>>& sections,
                             std::span<const std::string> dataset_sha256) {
  Sha256 h;
  add_field(h, "thermex-study-stage");
  add_field(h, inputs.stage);
  for (const std::string& name : inputs.sections) {
    add_field(h, name);
    const auto it = sections.find(name);
    // An absent section is a config with no such table (e.g. no [[sweeps]]): hash it as empty.
    add_field(h, it == sections.end() ? std::string_view{} : std::string_view{it->second});
  }
  for (const std::string& up : inputs.upstream_hashes) add_field(h, up);
  add_field(h, inputs.extra);
  for (const std::string& d : dataset_sha256) add_field(h, d);
  add_field(h, kVersion);
  return h.hex_digest();
}

}  // namespace thermex::study
