#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "h5_test_support.hpp"
#include "thermex/h5.hpp"
#include "thermex/table_h5.hpp"

namespace thermex {
namespace {

using testing::ScratchDir;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void expect_same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(std::bit_cast<std::uint64_t>(a[i]), std::bit_cast<std::uint64_t>(b[i]))
        << "index " << i << ": " << a[i] << " vs " << b[i];
  }
}

TEST(H5, HandleClosesAndMoves) {
  h5_silence_errors();
  const hid_t id = H5Screate(H5S_SCALAR);
  ASSERT_GE(id, 0);
  {
    H5Handle a(id, H5Kind::kDataspace);
    H5Handle b(std::move(a));
    EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): moved-from state is specified
    EXPECT_EQ(b.get(), id);
    EXPECT_GT(H5Iis_valid(id), 0);
  }
  EXPECT_LE(H5Iis_valid(id), 0);
}

TEST(H5, GroupsExistsAndCreationOrder) {
  ScratchDir dir;
  auto f = H5File::create(dir.file("g.h5"));
  f.create_group("/a/b/c");
  f.create_group("a/b");  // existing: fine
  EXPECT_TRUE(f.exists("/"));
  EXPECT_TRUE(f.exists("/a/b/c"));
  EXPECT_TRUE(f.is_group("a/b"));
  EXPECT_FALSE(f.exists("/a/x/y"));
  EXPECT_FALSE(f.is_dataset("/a"));
  const std::vector<double> v{1.0};
  f.write_doubles("/z/zeta", v);
  f.write_doubles("/z/alpha", v);
  f.write_doubles("/z/mid", v);
  EXPECT_TRUE(f.is_dataset("/z/alpha"));
  EXPECT_EQ(f.list("/z"), (std::vector<std::string>{"zeta", "alpha", "mid"}));
  EXPECT_EQ(f.list("/"), (std::vector<std::string>{"a", "z"}));
  EXPECT_THROW(f.create_group("/z/alpha/sub"), H5Error);
  f.close();
}

TEST(H5, NumericRoundTripIsBitwise) {
  ScratchDir dir;
  const std::string path = dir.file("n.h5");
  const std::vector<double> d{0.0,
                              -0.0,
                              1.0 / 3.0,
                              kNaN,
                              std::numeric_limits<double>::infinity(),
                              std::numeric_limits<double>::denorm_min(),
                              -1e300};
  const std::vector<std::int64_t> ints{0, -1, std::numeric_limits<std::int64_t>::max(),
                                       std::numeric_limits<std::int64_t>::min()};
  const std::vector<double> m{1, 2, 3, 4, 5, kNaN};
  const std::vector<std::int64_t> mi{1, 2, 3, 4, 5, 6};
  {
    auto f = H5File::create(path);
    f.write_doubles("/x/d", d);
    f.write_int64s("/x/i", ints);
    f.write_doubles("/x/empty", std::vector<double>{});
    f.write_double_matrix("/x/m", 2, 3, m);
    f.write_int64_matrix("/x/mi", 3, 2, mi);
    EXPECT_THROW(f.write_double_matrix("/x/bad", 4, 2, m), H5Error);
    EXPECT_THROW(f.write_doubles("/x/d", d), H5Error);  // already exists
    f.close();
  }
  const auto f = H5File::open_read_only(path);
  expect_same_bits(f.read_doubles("/x/d"), d);
  EXPECT_EQ(f.read_int64s("/x/i"), ints);
  EXPECT_TRUE(f.read_doubles("/x/empty").empty());
  EXPECT_EQ(f.dataset_length("/x/d"), d.size());
  const auto rm = f.read_double_matrix("/x/m");
  EXPECT_EQ(rm.rows, 2u);
  EXPECT_EQ(rm.cols, 3u);
  expect_same_bits(rm.values, m);
  const auto rmi = f.read_int64_matrix("/x/mi");
  EXPECT_EQ(rmi.rows, 3u);
  EXPECT_EQ(rmi.cols, 2u);
  EXPECT_EQ(rmi.values, mi);
  // Integers convert to doubles; doubles never silently truncate to integers.
  EXPECT_EQ(f.read_doubles("/x/i")[1], -1.0);
  EXPECT_THROW((void)f.read_int64s("/x/d"), H5Error);
  EXPECT_THROW((void)f.read_doubles("/x/m"), H5Error);  // 2-D read as 1-D
}

TEST(H5, LargeDoublesAreChunkedAndCompressed) {
  ScratchDir dir;
  const std::string path = dir.file("big.h5");
  std::vector<double> big(kH5ChunkThreshold * 10 + 7);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = i % 97 == 0 ? kNaN : 0.25 * double(i % 50);
  {
    auto f = H5File::create(path);
    f.write_doubles("/big", big);
    f.write_doubles("/small", std::vector<double>(kH5ChunkThreshold, 1.0));
    f.close();
  }
  const auto f = H5File::open_read_only(path);
  expect_same_bits(f.read_doubles("/big"), big);
  auto layout_of = [&](const char* name) {
    H5Handle ds(H5Dopen2(f.id(), name, H5P_DEFAULT), H5Kind::kDataset);
    H5Handle dcpl(H5Dget_create_plist(ds.get()), H5Kind::kPropertyList);
    return std::pair{H5Pget_layout(dcpl.get()), H5Pget_nfilters(dcpl.get())};
  };
  EXPECT_EQ(layout_of("/big").first, H5D_CHUNKED);
  EXPECT_EQ(layout_of("/big").second, 2);  // shuffle + deflate
  EXPECT_EQ(layout_of("/small").first, H5D_CONTIGUOUS);
}

TEST(H5, StringsUtf8EmptyAndAttributes) {
  ScratchDir dir;
  const std::string path = dir.file("s.h5");
  const std::vector<std::string> s{"", "plain", "onset 210 °C", "radius 0.6 Å", "quote \" , ;"};
  std::vector<std::string> many;
  for (int i = 0; i < 6000; ++i) many.push_back("feature_column_number_" + std::to_string(i));
  {
    auto f = H5File::create(path);
    f.write_strings("/t/s", s);
    f.write_strings("/t/none", std::vector<std::string>{});
    f.set_attribute("/t/s", "unit", "°C");
    f.set_attribute("/t/s", "unit", "K");  // replaces
    f.set_attribute("/t", "scale", 2.5);
    f.set_attribute("/t", "nan", kNaN);
    f.set_attribute("/", "version", std::int64_t{7});
    f.set_attribute("/t", "empty", "");
    f.set_attribute("/t", "many", many);  // ~100 KiB: needs dense attribute storage
    EXPECT_THROW(f.set_attribute("/missing", "a", 1.0), H5Error);
    f.close();
  }
  const auto f = H5File::open_read_only(path);
  EXPECT_EQ(f.read_strings("/t/s"), s);
  EXPECT_TRUE(f.read_strings("/t/none").empty());
  EXPECT_EQ(f.string_attribute("/t/s", "unit"), "K");
  EXPECT_EQ(f.double_attribute("t", "scale"), 2.5);
  EXPECT_TRUE(std::isnan(f.double_attribute("t", "nan")));
  EXPECT_EQ(f.int64_attribute("/", "version"), 7);
  EXPECT_EQ(f.double_attribute("/", "version"), 7.0);
  EXPECT_EQ(f.string_attribute("/t", "empty"), "");
  EXPECT_EQ(f.string_list_attribute("/t", "many"), many);
  EXPECT_TRUE(f.has_attribute("/t", "scale"));
  EXPECT_FALSE(f.has_attribute("/t", "nope"));
  EXPECT_FALSE(f.has_attribute("/nope", "scale"));
  EXPECT_THROW((void)f.int64_attribute("/t", "scale"), H5Error);
  EXPECT_THROW((void)f.string_attribute("/t", "scale"), H5Error);
  EXPECT_THROW((void)f.read_doubles("/t/s"), H5Error);
}

TEST(H5, FixedLengthStringsAreRead) {
  ScratchDir dir;
  const std::string path = dir.file("fixed.h5");
  {
    auto f = H5File::create(path);
    f.create_group("/g");
    // Written through the C API the way numpy 'S5' arrays are: null-padded, width 5.
    H5Handle type(H5Tcopy(H5T_C_S1), H5Kind::kDatatype);
    H5Tset_size(type.get(), 5);
    H5Tset_strpad(type.get(), H5T_STR_NULLPAD);
    const hsize_t dims[1] = {3};
    H5Handle space(H5Screate_simple(1, dims, nullptr), H5Kind::kDataspace);
    H5Handle ds(H5Dcreate2(f.id(), "/g/fixed", type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT,
                           H5P_DEFAULT),
                H5Kind::kDataset);
    const char data[15] = {'a', 'b', 0, 0, 0, 'h', 'e', 'l', 'l', 'o', 0, 0, 0, 0, 0};
    ASSERT_GE(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data), 0);
    ds.reset();
    f.close();
  }
  const auto f = H5File::open_read_only(path);
  EXPECT_EQ(f.read_strings("/g/fixed"), (std::vector<std::string>{"ab", "hello", ""}));
}

TEST(H5, ErrorsNameFileAndObject) {
  ScratchDir dir;
  const std::string missing = dir.file("missing.h5");
  EXPECT_THROW((void)H5File::open_read_only(missing), InputError);
  const std::string garbage = dir.file("garbage.h5");
  testing::write_bytes(garbage, std::string(4096, 'x') + "not hdf5 at all");
  try {
    (void)H5File::open_read_only(garbage);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("not an HDF5 file"), std::string::npos) << e.what();
    EXPECT_EQ(e.file(), garbage);
  }
  const std::string path = dir.file("ok.h5");
  H5File::create(path).close();
  const auto f = H5File::open_read_only(path);
  try {
    (void)f.read_doubles("/records/onset_C");
    FAIL() << "expected H5Error";
  } catch (const H5Error& e) {
    EXPECT_EQ(e.object(), "/records/onset_C");
    EXPECT_NE(std::string(e.what()).find(path + ":/records/onset_C"), std::string::npos)
        << e.what();
  }
  auto ro = H5File::open_read_only(path);
  EXPECT_THROW(ro.write_doubles("/x", std::vector<double>{1.0}), H5Error);
  ro.close();
  EXPECT_THROW((void)ro.exists("/"), H5Error);  // closed
}

TEST(H5, NormalizePath) {
  EXPECT_EQ(h5_normalize_path(""), "/");
  EXPECT_EQ(h5_normalize_path("/"), "/");
  EXPECT_EQ(h5_normalize_path("a//b/"), "/a/b");
  EXPECT_EQ(h5_normalize_path("/records/onset_C"), "/records/onset_C");
}

TEST(TableH5, RoundTripKeepsOrderBitsAndMetadata) {
  ScratchDir dir;
  const std::string path = dir.file("table.h5");
  Table t;
  t.add_column({"zeta_Ni", "Ni content", "", ColumnKind::kContent, ""}, {0.8, kNaN, 1.0 / 3.0});
  t.add_column({"cutoff_voltage_V", "cutoff voltage", "V", ColumnKind::kCondition, ""},
               {4.3, 4.5, -0.0});
  t.add_column({"electrolyte_class=carbonate_lipf6", "LiPF6 / carbonate", "", ColumnKind::kOneHot,
                "electrolyte_class"},
               {1, 0, 1});
  t.add_column({"radius_tm_wstd", "radii-TM std (wt.)", "Å", ColumnKind::kDerived, ""},
               {0.01, 0.02, 0.03});
  t.add_column({"onset_C", "onset temperature", "°C", ColumnKind::kTarget, ""}, {210, kNaN, 180});
  Table empty(4);  // rows but no columns
  {
    auto f = H5File::create(path);
    write_table_h5(f, "/features", t);
    write_table_h5(f, "/empty", empty);
    write_table_h5(f, "/zero_rows", Table());
    f.close();
  }
  const auto f = H5File::open_read_only(path);
  const Table r = read_table_h5(f, "/features");
  ASSERT_EQ(r.rows(), t.rows());
  ASSERT_EQ(r.cols(), t.cols());
  for (std::size_t j = 0; j < t.cols(); ++j) {
    EXPECT_EQ(r.meta(j).name, t.meta(j).name) << "column " << j;
    EXPECT_EQ(r.meta(j).label, t.meta(j).label) << "column " << j;
    EXPECT_EQ(r.meta(j).unit, t.meta(j).unit) << "column " << j;
    EXPECT_EQ(r.meta(j).kind, t.meta(j).kind) << "column " << j;
    EXPECT_EQ(r.meta(j).group, t.meta(j).group) << "column " << j;
  }
  expect_same_bits(r.data(), t.data());
  EXPECT_EQ(read_table_h5(f, "/empty").rows(), 4u);
  EXPECT_EQ(read_table_h5(f, "/empty").cols(), 0u);
  EXPECT_EQ(read_table_h5(f, "/zero_rows").rows(), 0u);
}

TEST(TableH5, BadNamesAndMissingPiecesThrow) {
  ScratchDir dir;
  const std::string path = dir.file("bad.h5");
  Table slash;
  slash.add_column({"a/b", "", "", ColumnKind::kOther, ""}, {1.0});
  {
    auto f = H5File::create(path);
    EXPECT_THROW(write_table_h5(f, "/t", slash), Error);
    Table t;
    t.add_column({"x", "", "", ColumnKind::kOther, ""}, {1.0, 2.0});
    write_table_h5(f, "/ok", t);
    // A table whose column dataset went missing, and one with a length mismatch.
    f.create_group("/broken");
    f.set_attribute("/broken", "format", "thermex.table");
    f.set_attribute("/broken", "rows", std::int64_t{2});
    const std::vector<std::string> cols{"x", "y"};
    f.set_attribute("/broken", "columns", cols);
    f.write_doubles("/broken/x", std::vector<double>{1.0});
    f.close();
  }
  const auto f = H5File::open_read_only(path);
  EXPECT_THROW((void)read_table_h5(f, "/nope"), InputError);
  try {
    (void)read_table_h5(f, "/broken");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.column(), "/broken/x") << e.what();
  }
  EXPECT_EQ(read_table_h5(f, "/ok").rows(), 2u);
}

}  // namespace
}  // namespace thermex
