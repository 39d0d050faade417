#pragma once
/// \file
/// Parsing cathode formulas into a SiteComposition (host only).

#include <string>
#include <string_view>

#include "thermex/error.hpp"
#include "thermex/math/site_composition.hpp"

namespace thermex {

using math::SiteComposition;

/// A formula that does not describe a sane layered-oxide composition. reason() says why
/// ("unknown element 'Xx'", "TM fractions sum to 1.7", ...).
class FormulaError : public Error {
 public:
  FormulaError(std::string formula, std::string reason);
  const std::string& formula() const noexcept { return formula_; }
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string formula_;
  std::string reason_;
};

/// Parses a layered-oxide formula: `LiNi0.8Co0.1Mn0.1O2`, `Li1.2Ni0.13Co0.13Mn0.54O2`,
/// `LiNi1/3Co1/3Mn1/3O2`, `Li[Ni0.8Co0.15Al0.05]O2`, `LiCoO2`. Everything other than Li and O
/// goes on the TM sublattice. Throws FormulaError on anything else.
SiteComposition parse_formula(std::string_view formula);

/// Atomic number of an element symbol ("Ni" -> 28); 0 when unknown to the element tables.
int atomic_number(std::string_view symbol) noexcept;

/// Element symbol of an atomic number ("" when unknown to the element tables).
std::string_view element_symbol(int z) noexcept;

/// A canonical formula for a composition (`LiNi0.8Co0.1Mn0.1O2`), for reports and sweeps.
std::string format_formula(const SiteComposition& c);

}  // namespace thermex
