#include <gtest/gtest.h>

#include <string>

#include "h5_test_support.hpp"
#include "thermex/error.hpp"
#include "thermex/sha256.hpp"

namespace thermex {
namespace {

// FIPS 180-2, appendix B.1 and B.2, and the empty message.
TEST(Sha256, FipsVectors) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, MillionAsAcrossBlockBoundaries) {
  // FIPS 180-2 B.3, fed in uneven pieces so buffering across 64-byte blocks is exercised.
  Sha256 h;
  const std::string piece(997, 'a');
  std::size_t fed = 0;
  while (fed + piece.size() <= 1000000) {
    h.update(piece);
    fed += piece.size();
  }
  h.update(std::string(1000000 - fed, 'a'));
  EXPECT_EQ(h.hex_digest(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, PaddingEdgeLengths) {
  // 55, 56 and 64 bytes straddle the one-or-two final blocks decision; compare against the
  // same message fed byte by byte.
  for (std::size_t len : {55u, 56u, 63u, 64u, 65u}) {
    const std::string msg(len, 'x');
    Sha256 h;
    for (char c : msg) h.update(std::string_view(&c, 1));
    EXPECT_EQ(h.hex_digest(), sha256_hex(msg)) << "length " << len;
  }
  EXPECT_EQ(sha256_hex(std::string(64, 'a')),
            "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

TEST(Sha256, FileMatchesStringAndMissingFileThrows) {
  testing::ScratchDir dir;
  const std::string path = dir.file("data.csv");
  std::string content;
  for (int i = 0; i < 20000; ++i) content += "row," + std::to_string(i) + "\n";
  testing::write_bytes(path, content);
  EXPECT_EQ(sha256_file(path), sha256_hex(content));
  EXPECT_THROW((void)sha256_file(dir.file("missing.csv")), InputError);
}

}  // namespace
}  // namespace thermex
