#include <gtest/gtest.h>

#include "thermex/dsc_enums.hpp"

namespace thermex {
namespace {

TEST(DscEnums, RoundTripEveryValue) {
  for (auto v : enum_values<ElectrolyteClass>()) {
    EXPECT_EQ(parse_enum<ElectrolyteClass>(to_string(v)), v) << to_string(v);
  }
  for (auto v : enum_values<MaterialClass>()) {
    EXPECT_EQ(parse_enum<MaterialClass>(to_string(v)), v) << to_string(v);
  }
  EXPECT_EQ(enum_values<Crucible>().size(), 3u);
}

TEST(DscEnums, AliasesCaseAndBlanks) {
  EXPECT_EQ(parse_enum<MaterialClass>("nmc"), MaterialClass::kNcm);
  EXPECT_EQ(parse_enum<Crucible>(" Hermetic "), Crucible::kSealed);
  EXPECT_EQ(parse_enum<Tristate>(""), Tristate::kUnknown);
  EXPECT_EQ(parse_enum<ThermalMethod>(""), ThermalMethod::kDsc);
  // Classes have no "not stated" value: an empty cell is not silently a class.
  EXPECT_EQ(parse_enum<MaterialClass>(""), std::nullopt);
  EXPECT_EQ(parse_enum<DataOrigin>(""), std::nullopt);
  EXPECT_EQ(parse_enum<Crucible>("glass"), std::nullopt);
}

}  // namespace
}  // namespace thermex
