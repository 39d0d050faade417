// math::owen_shapley_add_tiled (the register-tiled Owen kernel of the CPU exact SHAP backend)
// against the reference math::owen_shapley_add, lane by lane: random games of m = 1..20 players
// (1 to 10 Gauss-Legendre nodes, so every tile shape, odd node counts and several tiles), extra
// nodes beyond the minimum, lane types of 1, 2, 4 and 8 doubles with a player stride wider than
// a lane group, factors 0 and 1 among the random ones, and accumulation into nonzero phi; the
// baseline, AVX2 and AVX-512 builds. math::owen_shapley_add_stream (passes of consecutive
// batches fused; m > 18 falls back to batch by batch) against owen_shapley_add_tiled called
// batch by batch: the same bytes, with per-batch and shared accumulators.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "thermex/math/philox.hpp"
#include "thermex/math/shapley.hpp"

namespace thermex {
namespace {

// GCC vector types, as src/cpu/shap_exact_cpu.cpp uses them (one game per lane).
using Lanes2 = double __attribute__((vector_size(16)));
using Lanes4 = double __attribute__((vector_size(32)));
using Lanes8 = double __attribute__((vector_size(64)));

// Doubles stored as lane vectors V, set and read one by one through GCC's vector subscripts (so
// the kernels' vector accesses need no aliasing exception), from a 64-byte boundary: code built
// for AVX2 or AVX-512 assumes a vector aligned to its size, a baseline build aligns it to 16.
template <typename V>
class LaneArray {
 public:
  static constexpr std::size_t kWidth = sizeof(V) / sizeof(double);
  LaneArray(std::size_t n_doubles, double fill)
      : v_(static_cast<V*>(
            ::operator new[]((n_doubles + kWidth - 1) / kWidth * sizeof(V), kAlign))) {
    for (std::size_t e = 0; e < n_doubles; ++e) set(e, fill);
  }
  double get(std::size_t e) const {
    if constexpr (kWidth == 1) {
      return v_[e];
    } else {
      return v_[e / kWidth][e % kWidth];
    }
  }
  void set(std::size_t e, double x) {
    if constexpr (kWidth == 1) {
      v_[e] = x;
    } else {
      v_[e / kWidth][e % kWidth] = x;
    }
  }
  V* data() { return v_.get(); }

 private:
  static constexpr std::align_val_t kAlign{64};
  struct Free {
    void operator()(V* p) const { ::operator delete[](p, kAlign); }
  };
  std::unique_ptr<V[], Free> v_;
};

// Lane groups per player row: the kernel reads group `kBatch` of `kGroups`, so the stride is
// wider than one group and the neighbouring groups (filled with NaN) must not be touched.
constexpr int kGroups = 3;
constexpr int kBatch = 1;

// A factor in [0, 1] with exact 0 and 1 drawn often (a zero factor must not break the products;
// 1 is the padding value of the CPU backend).
double random_factor(math::PhiloxStream& rng) {
  const double r = rng.uniform();
  if (r < 0.1) return 0.0;
  if (r < 0.2) return 1.0;
  return rng.uniform();
}

// owen_shapley_add_tiled<V> as compiled for some instruction set.
template <typename V>
using TiledKernel = void (*)(const V*, const V*, int, int, const V*, const double*, const double*,
                             int, V*, V*);

// The kernel as the CPU backend compiles it for AVX2 and AVX-512 (flatten: all of it for that
// target), so the vector code that runs in production is checked, not only the baseline's.
#if defined(__x86_64__)
[[gnu::target("avx2,fma"), gnu::flatten]] void tiled_avx2(const Lanes4* a, const Lanes4* c, int m,
                                                          int stride, const Lanes4* scale,
                                                          const double* u, const double* w, int n,
                                                          Lanes4* work, Lanes4* phi) {
  math::owen_shapley_add_tiled<Lanes4>(a, c, m, stride, scale, u, w, n, work, phi);
}
[[gnu::target("avx512f,avx512dq,avx512vl,avx2,fma"), gnu::flatten]] void tiled_avx512(
    const Lanes8* a, const Lanes8* c, int m, int stride, const Lanes8* scale, const double* u,
    const double* w, int n, Lanes8* work, Lanes8* phi) {
  math::owen_shapley_add_tiled<Lanes8>(a, c, m, stride, scale, u, w, n, work, phi);
}
#endif

// Runs `kernel` on one random batch of width(V) games with m players and n_nodes nodes, and
// compares every lane with owen_shapley_add on that lane's game.
template <typename V>
void compare_with_reference(TiledKernel<V> kernel, int m, int n_nodes, std::uint64_t id) {
  constexpr int kWidth = static_cast<int>(sizeof(V) / sizeof(double));
  const int row = kGroups * kWidth;  // doubles per player row
  const std::string where = "width " + std::to_string(kWidth) + ", m = " + std::to_string(m) +
                            ", nodes = " + std::to_string(n_nodes);
  math::PhiloxStream rng(17, math::RngPurpose::kTest, id);
  const auto mm = static_cast<std::size_t>(m);
  LaneArray<V> a(mm * static_cast<std::size_t>(row), std::nan(""));
  LaneArray<V> c(mm * static_cast<std::size_t>(row), std::nan(""));
  LaneArray<V> scale(kWidth, 0.0), phi(mm * kWidth, 0.0);
  for (int i = 0; i < m; ++i) {
    for (int l = 0; l < kWidth; ++l) {
      const auto e = static_cast<std::size_t>(i * row + kBatch * kWidth + l);
      a.set(e, random_factor(rng));
      c.set(e, random_factor(rng));
    }
  }
  for (std::size_t l = 0; l < kWidth; ++l) scale.set(l, 4.0 * rng.uniform() - 2.0);
  std::vector<double> phi0(mm * kWidth);
  for (std::size_t e = 0; e < phi0.size(); ++e) {
    phi0[e] = rng.uniform() - 0.5;  // the kernel adds to phi
    phi.set(e, phi0[e]);
  }

  double u[math::kMaxGaussNodes], w[math::kMaxGaussNodes];
  ASSERT_TRUE(math::gauss_legendre_01(n_nodes, u, w)) << where;
  LaneArray<V> work(static_cast<std::size_t>(math::owen_tiled_work_size(m)) * kWidth, 0.0);
  kernel(a.data() + kBatch, c.data() + kBatch, m, kGroups, scale.data(), u, w, n_nodes, work.data(),
         phi.data());

  std::vector<double> al(mm), cl(mm), ref(mm), ref_work(3 * mm);
  for (int l = 0; l < kWidth; ++l) {
    for (int i = 0; i < m; ++i) {
      const auto e = static_cast<std::size_t>(i * row + kBatch * kWidth + l);
      al[static_cast<std::size_t>(i)] = a.get(e);
      cl[static_cast<std::size_t>(i)] = c.get(e);
    }
    std::fill(ref.begin(), ref.end(), 0.0);
    const double sl = scale.get(static_cast<std::size_t>(l));
    math::owen_shapley_add(al.data(), cl.data(), m, sl, u, w, n_nodes, ref_work.data(), ref.data());
    for (int i = 0; i < m; ++i) {
      const auto e = static_cast<std::size_t>(i * kWidth + l);
      // phi_i = scale (a_i - c_i) * integral with |integral| <= 1 for factors in [0, 1]; the
      // differences seen are below 1e-16 (|scale| + 1), mostly the rounding of phi0.
      const double tol = 1e-14 * (std::fabs(sl) + 1.0);
      EXPECT_NEAR(phi.get(e) - phi0[e], ref[static_cast<std::size_t>(i)], tol)
          << where << ", lane " << l << ", player " << i;
    }
  }
}

template <typename V>
void compare_all_sizes(TiledKernel<V> kernel = math::owen_shapley_add_tiled<V>) {
  std::uint64_t id = 0;
  for (int m = 1; m <= 20; ++m) {
    const int n = math::owen_node_count(m);
    compare_with_reference<V>(kernel, m, n, id++);
    // More nodes than the minimum integrate the same polynomial exactly: tiles of all shapes
    // (up to 17 nodes: two tiles with an odd middle node) at small m.
    compare_with_reference<V>(kernel, m, n + 7, id++);
  }
}

TEST(ShapOwenKernel, OneLaneMatchesTheReference) { compare_all_sizes<double>(); }
TEST(ShapOwenKernel, TwoLanesMatchTheReference) { compare_all_sizes<Lanes2>(); }
TEST(ShapOwenKernel, FourLanesMatchTheReference) { compare_all_sizes<Lanes4>(); }
TEST(ShapOwenKernel, EightLanesMatchTheReference) { compare_all_sizes<Lanes8>(); }

TEST(ShapOwenKernel, Avx2AndAvx512BuildsMatchTheReference) {
#if defined(__x86_64__)
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    GTEST_SKIP() << "no AVX2/FMA";
  }
  compare_all_sizes<Lanes4>(tiled_avx2);
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512dq") ||
      !__builtin_cpu_supports("avx512vl")) {
    GTEST_SKIP() << "no AVX-512 (the AVX2 build was checked)";
  }
  compare_all_sizes<Lanes8>(tiled_avx512);
#else
  GTEST_SKIP() << "not x86-64";
#endif
}

// owen_shapley_add_stream<V> as compiled for some instruction set, on batches of one layout.
template <typename V>
using StreamKernel = void (*)(int n_batches, const math::OwenBatch<V>* batches, int m, int stride,
                              const double* u, const double* w, int n_nodes, V* work);

template <typename V>
void stream_generic(int n_batches, const math::OwenBatch<V>* batches, int m, int stride,
                    const double* u, const double* w, int n_nodes, V* work) {
  math::owen_shapley_add_stream<V>(
      n_batches, [&](int j) { return batches[j]; }, m, stride, u, w, n_nodes, work);
}

#if defined(__x86_64__)
[[gnu::target("avx2,fma"), gnu::flatten]] void stream_avx2(int n_batches,
                                                           const math::OwenBatch<Lanes4>* batches,
                                                           int m, int stride, const double* u,
                                                           const double* w, int n_nodes,
                                                           Lanes4* work) {
  math::owen_shapley_add_stream<Lanes4>(
      n_batches, [&](int j) { return batches[j]; }, m, stride, u, w, n_nodes, work);
}
[[gnu::target("avx512f,avx512dq,avx512vl,avx2,fma"), gnu::flatten]] void stream_avx512(
    int n_batches, const math::OwenBatch<Lanes8>* batches, int m, int stride, const double* u,
    const double* w, int n_nodes, Lanes8* work) {
  math::owen_shapley_add_stream<Lanes8>(
      n_batches, [&](int j) { return batches[j]; }, m, stride, u, w, n_nodes, work);
}
#endif

// n_batches random batches of width(V) games (m players, stride kGroups groups, the batches in
// separate arrays), each adding into its own phi or all into one (as the CPU backend does): the
// stream must give the bytes of owen_shapley_add_tiled called batch by batch, built for the
// same instruction set (`tiled`), whether or not it fuses the passes (m > 18: two tiles).
template <typename V>
void compare_stream(StreamKernel<V> stream, TiledKernel<V> tiled, int m, int n_batches,
                    bool shared_phi, std::uint64_t id) {
  constexpr int kWidth = static_cast<int>(sizeof(V) / sizeof(double));
  const std::string where = "width " + std::to_string(kWidth) + ", m = " + std::to_string(m) +
                            ", batches = " + std::to_string(n_batches) +
                            (shared_phi ? ", shared phi" : ", own phi");
  math::PhiloxStream rng(31, math::RngPurpose::kTest, id);
  const auto mm = static_cast<std::size_t>(m);
  const auto nbat = static_cast<std::size_t>(n_batches);
  const std::size_t row = kGroups * kWidth;
  LaneArray<V> a(nbat * mm * row, 0.0), c(nbat * mm * row, 0.0), scale(nbat * kWidth, 0.0);
  for (std::size_t e = 0; e < nbat * mm * row; ++e) {
    a.set(e, random_factor(rng));
    c.set(e, random_factor(rng));
  }
  for (std::size_t e = 0; e < nbat * kWidth; ++e) scale.set(e, 4.0 * rng.uniform() - 2.0);
  const std::size_t n_phi = (shared_phi ? 1 : nbat) * mm * kWidth;
  LaneArray<V> phi_stream(n_phi, 0.0), phi_tiled(n_phi, 0.0);
  for (std::size_t e = 0; e < n_phi; ++e) {
    const double x = rng.uniform() - 0.5;
    phi_stream.set(e, x);
    phi_tiled.set(e, x);
  }
  const int n_nodes = math::owen_node_count(m);
  double u[math::kMaxGaussNodes], w[math::kMaxGaussNodes];
  ASSERT_TRUE(math::gauss_legendre_01(n_nodes, u, w)) << where;

  // Batch j reads group kBatch of its own player rows.
  const std::size_t row_v = kGroups;  // V per player row
  const auto batches_of = [&](LaneArray<V>& phi) {
    std::vector<math::OwenBatch<V>> out;
    for (std::size_t j = 0; j < nbat; ++j) {
      const V* aj = a.data() + j * mm * row_v + kBatch;
      const V* cj = c.data() + j * mm * row_v + kBatch;
      V* pj = phi.data() + (shared_phi ? 0 : j * mm);
      out.push_back({aj, cj, scale.data() + j, pj});
    }
    return out;
  };
  const std::vector<math::OwenBatch<V>> bs = batches_of(phi_stream);
  LaneArray<V> work(static_cast<std::size_t>(math::owen_stream_work_size(m)) * kWidth, 0.0);
  stream(n_batches, bs.data(), m, kGroups, u, w, n_nodes, work.data());
  for (const math::OwenBatch<V>& b : batches_of(phi_tiled)) {
    tiled(b.a, b.c, m, kGroups, b.scale, u, w, n_nodes, work.data(), b.phi);
  }
  for (std::size_t e = 0; e < n_phi; ++e) {
    EXPECT_EQ(phi_stream.get(e), phi_tiled.get(e)) << where << ", phi element " << e;
  }
}

template <typename V>
void compare_stream_all(StreamKernel<V> stream = stream_generic<V>,
                        TiledKernel<V> tiled = math::owen_shapley_add_tiled<V>) {
  std::uint64_t id = 0;
  for (int m : {1, 2, 3, 6, 9, 15, 18, 19, 20}) {
    for (int n_batches : {1, 2, 5}) {
      compare_stream<V>(stream, tiled, m, n_batches, false, id++);
      compare_stream<V>(stream, tiled, m, n_batches, true, id++);
    }
  }
}

TEST(ShapOwenKernel, StreamGivesTheBytesOfBatchByBatchCalls) {
  compare_stream_all<double>();
  compare_stream_all<Lanes2>();
  compare_stream_all<Lanes4>();
  compare_stream_all<Lanes8>();
}

TEST(ShapOwenKernel, StreamAvx2AndAvx512BuildsGiveTheBytesOfBatchByBatchCalls) {
#if defined(__x86_64__)
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    GTEST_SKIP() << "no AVX2/FMA";
  }
  compare_stream_all<Lanes4>(stream_avx2, tiled_avx2);
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512dq") ||
      !__builtin_cpu_supports("avx512vl")) {
    GTEST_SKIP() << "no AVX-512 (the AVX2 build was checked)";
  }
  compare_stream_all<Lanes8>(stream_avx512, tiled_avx512);
#else
  GTEST_SKIP() << "not x86-64";
#endif
}

TEST(ShapOwenKernel, WorkSizeCoversOneTileOfSuffixProducts) {
  // A tile holds up to 2 kOwenPairTile + 1 node chains, each storing m suffix products; the
  // stream keeps two tiles.
  for (int m = 1; m <= 20; ++m) {
    EXPECT_EQ(math::owen_tiled_work_size(m), (2 * math::kOwenPairTile + 1) * m) << "m = " << m;
    EXPECT_EQ(math::owen_stream_work_size(m), 2 * math::owen_tiled_work_size(m)) << "m = " << m;
  }
}

TEST(ShapOwenKernel, DummyAndZeroFactorGames) {
  // a = c for a player: phi = 0 exactly (the factor a - c is 0); a zero factor in every game of
  // the others must leave finite values equal to the reference.
  constexpr int m = 15;
  const int n = math::owen_node_count(m);
  double u[math::kMaxGaussNodes], w[math::kMaxGaussNodes];
  ASSERT_TRUE(math::gauss_legendre_01(n, u, w));
  std::vector<double> a(m), c(m), phi(m, 0.0), ref(m, 0.0), work(3 * m);
  math::PhiloxStream rng(29, math::RngPurpose::kTest, 0);
  for (int i = 0; i < m; ++i) {
    a[static_cast<std::size_t>(i)] = rng.uniform();
    c[static_cast<std::size_t>(i)] = rng.uniform();
  }
  a[3] = c[3] = 0.5;  // dummy
  a[7] = 0.0;         // zero factor
  c[9] = 0.0;
  std::vector<double> tiled_work(static_cast<std::size_t>(math::owen_tiled_work_size(m)));
  const double scale = 1.5;
  math::owen_shapley_add_tiled<double>(a.data(), c.data(), m, 1, &scale, u, w, n, tiled_work.data(),
                                       phi.data());
  math::owen_shapley_add(a.data(), c.data(), m, scale, u, w, n, work.data(), ref.data());
  EXPECT_EQ(phi[3], 0.0);
  for (int i = 0; i < m; ++i) {
    const auto e = static_cast<std::size_t>(i);
    EXPECT_NEAR(phi[e], ref[e], 1e-13) << "player " << i;
  }
}

}  // namespace
}  // namespace thermex
