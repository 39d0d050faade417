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
/// `LiNi1/3Co1/3Mn1/3O2`, `Li[Ni0.8Co0.15Al0.05]O2`, `Li(Ni0.6Co0.2Mn0.2)O2`, `LiCoO2`.
/// Everything other than Li and O goes on the TM sublattice, fractions normalised to 1
/// (site_total keeps the raw sum, li the Li per formula unit, site slots in written order).
/// Throws FormulaError on anything else: unknown element, O outside 1.9..2.1, the anions F/S,
/// zero/negative amounts, a/0, bad brackets, duplicated elements, more than kMaxSiteElements TM
/// elements, Li outside [0, 1.5], TM sum outside [0.5, 1.1], malformed numbers, other bytes
/// (data/FEATURES.md, "Formula rules"). Safe on arbitrary bytes; cost linear in the length.
SiteComposition parse_formula(std::string_view formula);

/// Atomic number of an element symbol ("Ni" -> 28); 0 when unknown to the element tables.
int atomic_number(std::string_view symbol) noexcept;

/// Element symbol of an atomic number ("" when unknown to the element tables).
std::string_view element_symbol(int z) noexcept;

/// A canonical formula for a composition (`LiNi0.8Co0.1Mn0.1O2`), for reports and sweeps: TM
/// elements in the order Ni, Co, Mn, Al, then by Z; amounts = fraction x site_total with up to
/// 12 significant digits (trailing zeros and amounts of 1 omitted); always `O2`. parse_formula
/// of the result reproduces the composition to 1e-11.
std::string format_formula(const SiteComposition& c);

}  // namespace thermex
