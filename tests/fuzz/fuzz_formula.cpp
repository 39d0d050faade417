// libFuzzer target: arbitrary bytes through parse_formula. A FormulaError is a valid answer;
// anything else thrown, any sanitizer report, or a composition that breaks the SiteComposition
// invariants (include/thermex/math/site_composition.hpp) is a finding. Accepted formulas must
// also survive format_formula -> parse_formula.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "thermex/composition.hpp"

namespace {

// format_formula prints 12 significant digits; fractions then agree to ~1e-12 relative.
constexpr double kRoundTripTolerance = 1e-9;

[[noreturn]] void fail(const char* what, std::string_view formula) {
  std::fprintf(stderr, "fuzz_formula invariant violated: %s (formula '%.*s')\n", what,
               static_cast<int>(formula.size()), formula.data());
  std::abort();
}

void check_invariants(const thermex::SiteComposition& c, std::string_view formula) {
  if (c.count < 1 || c.count > thermex::math::kMaxSiteElements) fail("count out of range", formula);
  double sum = 0.0;
  for (int k = 0; k < c.count; ++k) {
    if (!(c.fraction[k] > 0.0) || !std::isfinite(c.fraction[k])) fail("fraction not > 0", formula);
    if (thermex::element_symbol(c.z[k]).empty()) fail("unknown atomic number", formula);
    for (int j = 0; j < k; ++j) {
      if (c.z[j] == c.z[k]) fail("element listed twice", formula);
    }
    sum += c.fraction[k];
  }
  if (std::abs(sum - 1.0) > 1e-9) fail("fractions do not sum to 1", formula);
  if (!(c.li >= 0.0) || !std::isfinite(c.li)) fail("bad Li amount", formula);
  if (!(c.site_total > 0.0) || !std::isfinite(c.site_total)) fail("bad site total", formula);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view formula(reinterpret_cast<const char*>(data), size);
  thermex::SiteComposition c;
  try {
    c = thermex::parse_formula(formula);
  } catch (const thermex::FormulaError&) {
    return 0;
  }
  check_invariants(c, formula);
  const std::string canonical = thermex::format_formula(c);
  thermex::SiteComposition again;
  try {
    again = thermex::parse_formula(canonical);
  } catch (const thermex::FormulaError&) {
    fail("format_formula output does not parse", formula);
  }
  if (again.count != c.count) fail("element count changed by format_formula", formula);
  if (std::abs(again.li - c.li) > kRoundTripTolerance)
    fail("Li changed by format_formula", formula);
  for (int k = 0; k < c.count; ++k) {
    if (std::abs(thermex::math::site_fraction(again, c.z[k]) - c.fraction[k]) >
        kRoundTripTolerance) {
      fail("fraction changed by format_formula", formula);
    }
  }
  return 0;
}
