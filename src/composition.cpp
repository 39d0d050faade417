// Layered-oxide formula parsing (Li_a M_b O2) into a SiteComposition. The parser is a single
// left-to-right scan with no recursion, bounded by the input length, so arbitrary bytes (it is
// fuzzed) can only end in a FormulaError, never in a crash or a hang.
#include "thermex/composition.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "thermex/elements.hpp"

namespace thermex {
namespace {

// Limits of a layered oxide Li_a M_b O_c (data/FEATURES.md, "Formula rules"). O is allowed a
// little slack around 2 for oxygen-deficient or rounded formulas; Li-rich goes up to Li1.5.
constexpr double kOxygenMin = 1.9;
constexpr double kOxygenMax = 2.1;
constexpr double kLiMax = 1.5;
constexpr double kSiteTotalMin = 0.5;
constexpr double kSiteTotalMax = 1.1;
// A number longer than this is no stoichiometry; stops pathological inputs early.
constexpr std::size_t kMaxNumberChars = 24;
// Smallest amount of an element we accept: below 1 ppm per formula unit a number is no
// stoichiometry, and the bound keeps format_formula's fixed notation short enough to parse
// again (fuzzer finding: Li1/31333333333333 printed 27 characters).
constexpr double kMinAmount = 1e-6;
constexpr int kOxygenZ = 8;
constexpr int kLithiumZ = 3;

// Text for a byte in an error message: 'x' for printable ASCII, otherwise its hex code.
std::string describe_byte(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
  char buf[16];
  std::snprintf(buf, sizeof buf, "byte 0x%02X", static_cast<unsigned>(u));
  return buf;
}

// The formula with non-printable bytes escaped, for what().
std::string printable(std::string_view s) {
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      out += c;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned>(u));
      out += buf;
    }
  }
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }

// One element with its amount as written (after a bracket multiplier).
struct Term {
  int z = 0;
  double amount = 1.0;
  bool in_bracket = false;
};

class FormulaParser {
 public:
  explicit FormulaParser(std::string_view formula) : s_(formula) {}

  std::vector<Term> terms() {
    std::vector<Term> out;
    // An open bracket group: closing != 0, and its terms start at out[group_start].
    std::size_t group_start = 0;
    char closing = 0;
    for (skip_space(); i_ < s_.size(); skip_space()) {
      const char c = s_[i_];
      if (c == '[' || c == '(') {
        if (closing != 0) fail("nested brackets");
        group_start = out.size();
        closing = c == '[' ? ']' : ')';
        ++i_;
      } else if (c == ']' || c == ')') {
        if (c != closing) fail("unbalanced bracket " + describe_byte(c));
        if (group_start == out.size()) fail("empty brackets");
        ++i_;
        skip_space();
        if (const auto m = amount()) {
          if (!(*m > 0.0)) fail("zero multiplier after brackets");
          for (std::size_t k = group_start; k < out.size(); ++k) out[k].amount *= *m;
        }
        closing = 0;
      } else if (is_upper(c)) {
        out.push_back(element(closing != 0));
      } else if (c == '-' && i_ + 1 < s_.size() && is_digit(s_[i_ + 1])) {
        fail("negative amount");
      } else if (is_digit(c) || c == '.') {
        fail("number without an element at position " + std::to_string(i_));
      } else {
        fail("unexpected character " + describe_byte(c) + " at position " + std::to_string(i_));
      }
    }
    if (closing != 0) fail("unclosed bracket");
    return out;
  }

 private:
  [[noreturn]] void fail(const std::string& reason) const {
    throw FormulaError(std::string(s_), reason);
  }

  void skip_space() {
    while (i_ < s_.size() && is_space(s_[i_])) ++i_;
  }

  Term element(bool in_bracket) {
    std::size_t len = 1;
    if (i_ + 1 < s_.size() && is_lower(s_[i_ + 1])) len = 2;
    const std::string_view symbol = s_.substr(i_, len);
    i_ += len;
    const int z = atomic_number(symbol);
    if (z == 0) fail("unknown element '" + printable(symbol) + "'");
    skip_space();
    Term t{z, 1.0, in_bracket};
    if (const auto a = amount()) t.amount = *a;
    if (!(t.amount > 0.0)) fail("zero amount for " + std::string(symbol));
    return t;
  }

  // A plain decimal (digits with at most one inner '.') or nothing when no digit follows.
  std::optional<double> decimal() {
    const std::size_t start = i_;
    while (i_ < s_.size() && (is_digit(s_[i_]) || s_[i_] == '.')) ++i_;
    const std::string_view text = s_.substr(start, i_ - start);
    if (text.empty()) return std::nullopt;
    const auto dots = std::count(text.begin(), text.end(), '.');
    if (dots > 1 || text.front() == '.' || text.back() == '.') {
      fail("malformed number '" + std::string(text) + "'");
    }
    if (text.size() > kMaxNumberChars) fail("number too long");
    double v = 0.0;
    const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || p != text.data() + text.size() || !std::isfinite(v)) {
      fail("malformed number '" + std::string(text) + "'");
    }
    return v;
  }

  // A decimal or a fraction a/b ("1/3"); nothing when no number follows.
  std::optional<double> amount() {
    auto num = decimal();
    if (!num) {
      if (i_ < s_.size() && s_[i_] == '-') fail("negative amount");
      if (i_ < s_.size() && s_[i_] == '/') fail("fraction without a numerator");
      return std::nullopt;
    }
    skip_space();
    if (i_ >= s_.size() || s_[i_] != '/') return num;
    ++i_;
    skip_space();
    if (i_ < s_.size() && s_[i_] == '-') fail("negative amount");
    const auto den = decimal();
    if (!den) fail("fraction without a denominator");
    if (*den == 0.0) fail("division by zero");
    return *num / *den;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

std::string format_amount(double v) {
  // 12 significant digits in fixed notation (the parser reads no exponents), trailing zeros
  // dropped: prints 0.13 for 0.13/0.8*0.8, 0.00008 rather than 8e-05, and still round-trips
  // every composition to 1e-12 relative.
  const int magnitude = v > 0.0 ? static_cast<int>(std::floor(std::log10(v))) : 0;
  const int decimals = std::clamp(11 - magnitude, 0, 40);
  char buf[96];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  std::string text(buf, r.ptr);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

// Canonical TM order for format_formula: Ni, Co, Mn, Al as in "NCM"/"NCA" names, then by Z.
int canonical_rank(int z) {
  constexpr int kLead[] = {28, 27, 25, 13};
  for (int k = 0; k < 4; ++k) {
    if (kLead[k] == z) return k;
  }
  return 4 + z;
}

}  // namespace

FormulaError::FormulaError(std::string formula, std::string reason)
    : Error("formula '" + printable(formula) + "': " + reason),
      formula_(std::move(formula)),
      reason_(std::move(reason)) {}

int atomic_number(std::string_view symbol) noexcept {
  const auto* e = ElementTable::instance().find(symbol);
  return e == nullptr ? 0 : e->z;
}

std::string_view element_symbol(int z) noexcept {
  const auto* e = ElementTable::instance().find(z);
  return e == nullptr ? std::string_view{} : std::string_view(e->symbol);
}

SiteComposition parse_formula(std::string_view formula) {
  const auto fail = [&](const std::string& reason) {
    throw FormulaError(std::string(formula), reason);
  };
  const std::vector<Term> terms = FormulaParser(formula).terms();
  SiteComposition c;
  c.li = 0.0;
  c.site_total = 0.0;
  std::optional<double> oxygen;
  int li_outside = 0;
  int li_inside = 0;
  for (const Term& t : terms) {
    const std::string symbol(element_symbol(t.z));
    if (t.amount < kMinAmount) {
      fail("amount " + format_amount(t.amount) + " of " + symbol + " is below 1e-6");
    }
    if (t.z == kOxygenZ) {
      if (oxygen) fail("duplicated element O");
      oxygen = t.amount;
    } else if (t.z == kLithiumZ) {
      // Li may appear once outside and once inside the TM brackets (Li[Li0.2Mn0.54...]O2).
      if ((t.in_bracket ? ++li_inside : ++li_outside) > 1) fail("duplicated element Li");
      c.li += t.amount;
    } else if (symbol == "F" || symbol == "S") {
      fail("anion " + symbol + " is not a TM-site cation (anion doping is not supported)");
    } else {
      for (int k = 0; k < c.count; ++k) {
        if (c.z[k] == t.z) fail("duplicated element " + symbol);
      }
      if (c.count == math::kMaxSiteElements) {
        fail("more than " + std::to_string(math::kMaxSiteElements) + " elements on the TM site");
      }
      c.z[c.count] = static_cast<std::uint8_t>(t.z);
      c.fraction[c.count] = t.amount;
      c.site_total += t.amount;
      ++c.count;
    }
  }
  if (!oxygen) fail("no oxygen (a layered oxide LiMO2 needs O2)");
  if (*oxygen < kOxygenMin || *oxygen > kOxygenMax) {
    fail("O amount " + format_amount(*oxygen) + " is not ~2 (allowed 1.9..2.1)");
  }
  if (c.li > kLiMax) fail("Li amount " + format_amount(c.li) + " outside [0, 1.5]");
  if (c.count == 0) fail("empty TM site");
  if (c.site_total < kSiteTotalMin || c.site_total > kSiteTotalMax) {
    fail("TM amounts sum to " + format_amount(c.site_total) + ", outside [0.5, 1.1]");
  }
  for (int k = 0; k < c.count; ++k) c.fraction[k] /= c.site_total;
  return c;
}

std::string format_formula(const SiteComposition& c) {
  std::vector<int> order;
  for (int k = 0; k < c.count; ++k) order.push_back(k);
  std::sort(order.begin(), order.end(),
            [&](int a, int b) { return canonical_rank(c.z[a]) < canonical_rank(c.z[b]); });
  std::string out;
  const auto term = [&out](std::string_view symbol, double amount) {
    out += symbol.empty() ? std::string_view("?") : symbol;
    const std::string text = format_amount(amount);
    if (text != "1") out += text;
  };
  if (c.li > 0.0) term("Li", c.li);
  for (const int k : order) term(element_symbol(c.z[k]), c.fraction[k] * c.site_total);
  out += "O2";
  return out;
}

}  // namespace thermex
