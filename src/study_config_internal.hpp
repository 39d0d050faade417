#pragma once
// Internals of the study-config parser (src/study_config*.cpp): a typed, key-tracking view of
// one TOML table. Every getter records the key it was asked for, present or not, so finish()
// can reject the keys nobody asked for and list the allowed ones. Errors name the full dotted
// key ("svr.grid.C[2]") and the line in the config file.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "thermex/study_config.hpp"

namespace thermex::detail {

/// A view of one TOML table at a dotted path ("" for the root, "svr.grid", "sweeps[1]").
class TomlSection {
 public:
  TomlSection(const toml::table& table, std::string path, std::string display_name);

  /// Full dotted key of `key` inside this section.
  std::string key_path(std::string_view key) const;
  /// Throws ConfigError(key_path(key), reason + where the node is).
  [[noreturn]] void fail(std::string_view key, const toml::node* node,
                         const std::string& reason) const;

  // Scalars: leave `out` unchanged when the key is absent; ConfigError on a wrong type.
  bool get(std::string_view key, double& out);                    ///< integer or float, finite
  bool get(std::string_view key, bool& out);                      ///< boolean
  bool get(std::string_view key, std::string& out);               ///< string
  bool get(std::string_view key, std::size_t& out);               ///< integer >= 0
  bool get(std::string_view key, int& out);                       ///< integer in int range
  bool get(std::string_view key, std::int64_t& out);              ///< integer
  bool get(std::string_view key, std::vector<std::string>& out);  ///< array of strings
  bool get(std::string_view key, std::vector<double>& out);       ///< array of numbers

  /// The sub-table `key` (absent: nullopt); ConfigError when it is not a table.
  std::optional<TomlSection> table(std::string_view key);
  /// The tables of the array of tables `key` (absent: empty); ConfigError when it is not one.
  std::vector<TomlSection> array_of_tables(std::string_view key);
  /// The raw node of `key` (marked as known), or nullptr.
  const toml::node* node(std::string_view key);

  /// Throws ConfigError naming the first key of the table that no getter asked for.
  void finish() const;

  const std::string& path() const noexcept { return path_; }
  const std::string& display_name() const noexcept { return display_name_; }
  const toml::table& raw() const noexcept { return *table_; }

 private:
  const toml::table* table_;
  std::string path_;
  std::string display_name_;
  std::vector<std::string> known_;
};

/// "string", "integer", "float", "boolean", "table", "array", "date", "time" or "date-time".
std::string_view toml_type_name(const toml::node& node) noexcept;

/// The number a node holds (integer or float), or nullopt for other types.
std::optional<double> toml_number(const toml::node& node) noexcept;

/// A checked number in [lo, hi] (bounds inclusive unless the flags say open).
struct Range {
  double lo;
  double hi;
  bool lo_open = false;
  bool hi_open = false;
};

/// Throws ConfigError(section.key_path(key), ...) when `value` is outside `range`.
void check_range(const TomlSection& section, std::string_view key, double value,
                 const Range& range);

// Section parsers (study_config_sections.cpp, study_config_sweeps.cpp).
void parse_screening(TomlSection& root, StudyScreening& out);
void parse_svr(TomlSection& root, StudySvr& out);
void parse_shap(TomlSection& root, StudyShap& out);
void parse_bootstrap(TomlSection& root, StudyBootstrap& out);
void parse_sweeps(TomlSection& root, std::vector<StudySweep>& out);
void parse_validation(TomlSection& root, std::vector<StudyValidationSeries>& out);

/// TOML text of a string (basic string, escaped).
std::string toml_quote(std::string_view text);
/// A key: bare when it is [A-Za-z0-9_-]+, else quoted.
std::string toml_key(std::string_view key);
/// Shortest text that reads back as the same double (valid TOML: "1e-05", "100", "0.25").
std::string toml_number_text(double value);

}  // namespace thermex::detail
