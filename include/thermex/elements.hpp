#pragma once
/// \file
/// Element property tables (Pauling electronegativity, Shannon radii) compiled into the library
/// from data/elements/*.csv, and the oxidation-state conventions that turn a composition into
/// per-site ionic radii and ionic potentials. data/FEATURES.md documents every rule used here.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "thermex/math/site_composition.hpp"

namespace thermex {

/// Which oxidation states the TM-site ions are given when radii and ionic potentials are looked
/// up. kCharged is the paper's default (Sun et al., EES Batteries 2025): the redox-active TM
/// (Ni, Co, Mn, Fe) are all 4+ in the charged cathode. kPristine describes the as-made LiMO2:
/// Mn4+, Co3+ (low spin), Fe3+ (high spin), Ni charge-balancing (see pristine_nickel_state()).
/// Non-redox dopants (Al3+, Mg2+, Ti4+, Zr4+, ...) have the same state in both.
enum class OxidationConvention { kCharged, kPristine };

/// "charged" or "pristine".
std::string_view to_string(OxidationConvention v) noexcept;
/// Inverse of to_string (case-sensitive); std::nullopt for any other text.
std::optional<OxidationConvention> parse_oxidation_convention(std::string_view text) noexcept;

/// Spin label of a Shannon radius entry. kNone = the source gives no spin state.
enum class SpinState { kNone, kHigh, kLow };

/// One element's scalar properties (a row of data/elements/elements.csv).
struct ElementInfo {
  std::string symbol;                        ///< "Ni"
  int z = 0;                                 ///< atomic number
  std::string name;                          ///< English name as in the source ("Aluminum")
  double atomic_mass = 0.0;                  ///< amu
  double pauling_en = 0.0;                   ///< Pauling electronegativity (dimensionless)
  std::vector<int> common_oxidation_states;  ///< pymatgen's short list; not the cathode's states
};

/// One Shannon radius entry (a row of data/elements/shannon_radii.csv).
struct ShannonEntry {
  int z = 0;                 ///< atomic number
  int oxidation_state = 0;   ///< signed formal charge
  std::string coordination;  ///< Roman numeral as in the source ("VI", "IVSQ")
  SpinState spin = SpinState::kNone;
  double crystal_radius_A = 0.0;  ///< Shannon crystal radius, Å
  double ionic_radius_A = 0.0;    ///< Shannon effective ionic radius, Å (the one features use)
};

/// The ion a TM-site element is taken to be under one convention: oxidation state and the spin
/// used for the Shannon look-up (coordination is always VI, octahedral, in a layered oxide).
struct IonState {
  int oxidation_state = 0;
  SpinState spin = SpinState::kNone;
};

/// Per-element properties and Shannon radii. Immutable after construction, so sharing one
/// instance between threads is safe.
class ElementTable {
 public:
  /// The table built from the embedded CSVs; built on first use (thread-safe static), then
  /// shared. Throws Error only if the embedded data were malformed (a build defect).
  static const ElementTable& instance();

  /// Builds a table from CSV text in the format of data/elements/*.csv (header line required).
  /// Throws InputError naming the table, line and column on malformed text. Cost O(rows).
  static ElementTable from_csv(std::string_view elements_csv, std::string_view shannon_csv);

  /// The element with this symbol (case-sensitive, "Ni"), or nullptr. O(elements).
  const ElementInfo* find(std::string_view symbol) const noexcept;
  /// The element with this atomic number, or nullptr. O(1).
  const ElementInfo* find(int z) const noexcept;
  /// The element with this atomic number; throws Error when the table does not have it.
  const ElementInfo& at(int z) const;
  /// All elements, ordered by atomic number.
  std::span<const ElementInfo> elements() const noexcept { return elements_; }
  /// All Shannon entries in source order.
  std::span<const ShannonEntry> shannon() const noexcept { return shannon_; }

  /// The Shannon entry for (z, oxidation state, coordination, spin), handling the spin column
  /// as data/elements/README.md warns:
  ///  - spin kHigh/kLow: the entry with that label; else the unlabelled entry (the ion has no
  ///    spin alternative, e.g. Mn4+ d3); else nullopt.
  ///  - spin kNone: the unlabelled entry; else the single labelled entry when there is exactly
  ///    one (Ni4+ VI is only "Low Spin", Co4+ VI only "High Spin"); nullopt when two spin
  ///    entries make the request ambiguous (Ni3+ VI, Co3+ VI, ...).
  /// O(entries).
  std::optional<ShannonEntry> shannon_entry(int z, int oxidation_state,
                                            std::string_view coordination,
                                            SpinState spin) const noexcept;
  /// Shannon effective ionic radius in Å for the same key; throws Error naming the ion when
  /// shannon_entry() finds none.
  double ionic_radius_A(int z, int oxidation_state, std::string_view coordination,
                        SpinState spin) const;

 private:
  // Parse one table each; the Shannon table needs the elements for symbol -> Z.
  void load_elements(std::string_view elements_csv);
  void load_shannon(std::string_view shannon_csv);

  std::vector<ElementInfo> elements_;
  std::vector<int> index_by_z_;  // z -> position in elements_, -1 when absent
  std::vector<ShannonEntry> shannon_;
};

/// The ion element `z` is taken to be on the TM site under `convention`. For Ni under kPristine
/// this is the nominal Ni3+ (low spin) of LiNiO2; tm_ion_properties() mixes in Ni2+ as
/// pristine_nickel_state() requires. Throws Error for Li, O, the anions F and S, and elements
/// the table lacks (none of them sits on the TM site as a cation). O(1).
IonState tm_ion_state(int z, OxidationConvention convention);

/// Average Ni oxidation state in the pristine convention: the charge that makes Li_a M_b O2
/// neutral, (4 - li)/site_total per TM, minus the fixed charges of the other TM-site ions,
/// divided by the Ni fraction; clamped to [2, 3] (Ni2+ .. Ni3+). 3 when there is no Ni.
double pristine_nickel_state(const math::SiteComposition& c);

/// Host-resolved properties of one TM-site ion, as the featurizer consumes them.
struct IonProperties {
  double pauling_en = 0.0;  ///< Pauling electronegativity of the element
  double charge = 0.0;      ///< (average) oxidation state
  double radius_A = 0.0;    ///< (fraction-weighted average) Shannon ionic radius, VI, Å
  double phi_per_A = 0.0;   ///< ionic potential charge/radius, Å^-1 (average over Ni2+/Ni3+)
};

/// Properties of the TM-site ion z in composition c under a convention. A mixed-valence pristine
/// Ni (oxidation state s in (2, 3)) is the mixture of Ni2+ (weight 3 - s) and low-spin Ni3+
/// (weight s - 2): radius and phi are the weighted means of the two ions' values, exactly what
/// the fraction-weighted mean over the split species would give. Throws Error for non-TM-site
/// elements. O(entries).
IonProperties tm_ion_properties(const math::SiteComposition& c, int z,
                                OxidationConvention convention);

}  // namespace thermex
