// TomlSection: typed, key-tracking access to one table of a study config (see
// study_config_internal.hpp), plus the TOML text helpers to_toml() uses.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "study_config_internal.hpp"
#include "thermex/db_summary.hpp"
#include "thermex/error.hpp"

namespace thermex::detail {

std::string_view toml_type_name(const toml::node& node) noexcept {
  switch (node.type()) {
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::optional<double> toml_number(const toml::node& node) noexcept {
  if (const auto* i = node.as_integer()) return static_cast<double>(i->get());
  if (const auto* f = node.as_floating_point()) return f->get();
  return std::nullopt;
}

TomlSection::TomlSection(const toml::table& table, std::string path, std::string display_name)
    : table_(&table), path_(std::move(path)), display_name_(std::move(display_name)) {}

std::string TomlSection::key_path(std::string_view key) const {
  if (path_.empty()) return std::string(key);
  if (!key.empty() && key.front() == '[') return path_ + std::string(key);
  return path_ + "." + std::string(key);
}

void TomlSection::fail(std::string_view key, const toml::node* node,
                       const std::string& reason) const {
  // The line helps in long files; text parsed from memory has a display name too.
  std::string where;
  if (node != nullptr && node->source().begin.line > 0) {
    where = fmt::format(" ({}:{})", display_name_, node->source().begin.line);
  } else if (!display_name_.empty()) {
    where = fmt::format(" ({})", display_name_);
  }
  throw ConfigError(key_path(key), reason + where);
}

const toml::node* TomlSection::node(std::string_view key) {
  if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
  return table_->get(key);
}

namespace {
[[noreturn]] void wrong_type(const TomlSection& s, std::string_view key, const toml::node& n,
                             std::string_view expected) {
  s.fail(key, &n, fmt::format("expected {}, got {}", expected, toml_type_name(n)));
}

// Integer value of a node, or a ConfigError naming the key.
std::int64_t integer_of(const TomlSection& s, std::string_view key, const toml::node& n) {
  const auto* i = n.as_integer();
  if (i == nullptr) wrong_type(s, key, n, "an integer");
  return i->get();
}
}  // namespace

bool TomlSection::get(std::string_view key, double& out) {
  const toml::node* n = node(key);
  if (n == nullptr) return false;
  const std::optional<double> v = toml_number(*n);
  if (!v) wrong_type(*this, key, *n, "a number");
  if (!std::isfinite(*v)) fail(key, n, "expected a finite number");
  out = *v;
  return true;
}

bool TomlSection::get(std::string_view key, bool& out) {
  const toml::node* n = node(key);
  if (n == nullptr) return false;
  const auto* b = n->as_boolean();
  if (b == nullptr) wrong_type(*this, key, *n, "a boolean (true or false)");
  out = b->get();
  return true;
}

bool TomlSection::get(std::string_view key, std::string& out) {
  const toml::node* n = node(key);
  if (n == nullptr) return false;
  const auto* s = n->as_string();
  if (s == nullptr) wrong_type(*this, key, *n, "a string");
  out = s->get();
  return true;
}

bool TomlSection::get(std::string_view key, std::size_t& out) {
  const toml::node* n = node(key);
  if (n == nullptr) return false;
  const std::int64_t v = integer_of(*this, key, *n);
  if (v < 0) fail(key, n, fmt::format("expected an integer >= 0, got {}", v));
  out = static_cast<std::size_t>(v);
  return true;
}

bool TomlSection::get(std::string_view key, int& out) {
  const toml::node* n = node(key);
  if (n == nullptr) return false;
  const std::int64_t v = integer_of(*this, key, *n);
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
    fail(key, n, fmt::format("integer {} out of range", v));
  }
  out = static_cast<int>(v);
  return true;
}

bool TomlSection::get(std::string_view key, std::int64_t& out) {
  const toml::node* n = node(key);
  if (n == nullptr) return false;
  out = integer_of(*this, key, *n);
  return true;
}

bool TomlSection::get(std::string_view key, std::vector<std::string>& out) {
  const toml::node* n = node(key);
  if (n == nullptr) return false;
  const auto* a = n->as_array();
  if (a == nullptr) wrong_type(*this, key, *n, "an array of strings");
  std::vector<std::string> values;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const toml::node& e = *a->get(i);
    const std::string item = fmt::format("{}[{}]", key, i);
    const auto* s = e.as_string();
    if (s == nullptr) wrong_type(*this, item, e, "a string");
    values.push_back(s->get());
  }
  out = std::move(values);
  return true;
}

bool TomlSection::get(std::string_view key, std::vector<double>& out) {
  const toml::node* n = node(key);
  if (n == nullptr) return false;
  const auto* a = n->as_array();
  if (a == nullptr) wrong_type(*this, key, *n, "an array of numbers");
  std::vector<double> values;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const toml::node& e = *a->get(i);
    const std::string item = fmt::format("{}[{}]", key, i);
    const std::optional<double> v = toml_number(e);
    if (!v) wrong_type(*this, item, e, "a number");
    if (!std::isfinite(*v)) fail(item, &e, "expected a finite number");
    values.push_back(*v);
  }
  out = std::move(values);
  return true;
}

std::optional<TomlSection> TomlSection::table(std::string_view key) {
  const toml::node* n = node(key);
  if (n == nullptr) return std::nullopt;
  const auto* t = n->as_table();
  if (t == nullptr) wrong_type(*this, key, *n, "a table");
  return TomlSection(*t, key_path(key), display_name_);
}

std::vector<TomlSection> TomlSection::array_of_tables(std::string_view key) {
  std::vector<TomlSection> out;
  const toml::node* n = node(key);
  if (n == nullptr) return out;
  const auto* a = n->as_array();
  if (a == nullptr) {
    wrong_type(*this, key, *n, fmt::format("an array of tables ([[{}]])", key_path(key)));
  }
  for (std::size_t i = 0; i < a->size(); ++i) {
    const toml::node& e = *a->get(i);
    const auto* t = e.as_table();
    if (t == nullptr) wrong_type(*this, fmt::format("{}[{}]", key, i), e, "a table");
    out.emplace_back(*t, fmt::format("{}[{}]", key_path(key), i), display_name_);
  }
  return out;
}

void TomlSection::finish() const {
  for (auto&& [k, v] : *table_) {
    const std::string_view name = k.str();
    if (std::find(known_.begin(), known_.end(), name) != known_.end()) continue;
    std::string allowed;
    for (const std::string& a : known_) allowed += (allowed.empty() ? "" : ", ") + a;
    throw ConfigError(key_path(name),
                      fmt::format("unknown key '{}' ({}:{}); allowed here: {}", key_path(name),
                                  display_name_, k.source().begin.line, allowed));
  }
}

void check_range(const TomlSection& section, std::string_view key, double value,
                 const Range& range) {
  const bool low_ok = range.lo_open ? value > range.lo : value >= range.lo;
  const bool high_ok = range.hi_open ? value < range.hi : value <= range.hi;
  if (low_ok && high_ok && std::isfinite(value)) return;
  const std::string interval =
      fmt::format("{}{}, {}{}", range.lo_open ? "(" : "[", toml_number_text(range.lo),
                  toml_number_text(range.hi), range.hi_open ? ")" : "]");
  throw ConfigError(section.key_path(key),
                    fmt::format("{} is outside {} ({})", toml_number_text(value), interval,
                                section.display_name()));
}

std::string toml_quote(std::string_view text) {
  // A TOML basic string takes JSON's escapes (\" \\ \b \t \n \f \r \uXXXX for other control
  // characters), so one quoting function serves both formats.
  return json_quote(text);
}

std::string toml_key(std::string_view key) {
  const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
  return bare ? std::string(key) : toml_quote(key);
}

std::string toml_number_text(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  // fmt's "{}" is the shortest text that reads back as the same double; TOML reads "1e-05",
  // "100" (an integer, accepted wherever a number is expected) and "0.25" alike.
  return fmt::format("{}", value);
}

}  // namespace thermex::detail
