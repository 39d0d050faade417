// The CUDA null-importance forest's device code (src/cuda/null_forest_device.cuh) run on the
// host: the CUDA built-ins it uses are emulated below (a block is 128 std::threads, each
// __syncthreads one std::barrier phase, __shared__ variables are statics shared by the block,
// integer atomics are std::atomic_ref), so a machine without a GPU checks that the parallel
// node sums, block scans, partitions and histograms reproduce the CPU forest bit for bit, tree
// by tree. What this cannot check is the GPU's memory model and FMA contraction; the
// `.../cuda` instances of tests/test_null_importance_backends.cpp do that on a device.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "../src/cpu/forest_internal.hpp"
#include "thermex/math/forest_node_sum.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/null_importance.hpp"
#include "thermex/table.hpp"

namespace {

// The CUDA built-ins null_forest_device.cuh uses, for one block at a time.
struct EmulatedDim3 {
  std::uint32_t x = 0, y = 0, z = 0;
};
thread_local EmulatedDim3 threadIdx;
EmulatedDim3 blockIdx;
std::barrier<>* block_barrier = nullptr;

// On the device min and max of doubles are fmin and fmax: for the finite values the kernel
// sees they differ from these at most in the sign of a zero result, which `lo == hi` ignores.
template <class T>
T min(T a, T b) {
  return b < a ? b : a;
}
template <class T>
T max(T a, T b) {
  return a < b ? b : a;
}
std::uint32_t atomicAdd(std::uint32_t* p, std::uint32_t v) {
  return std::atomic_ref<std::uint32_t>(*p).fetch_add(v);
}
int atomicExch(int* p, int v) { return std::atomic_ref<int>(*p).exchange(v); }

}  // namespace

#define __device__
#define __shared__ static
#define __syncthreads() block_barrier->arrive_and_wait()
#include "../src/cuda/null_forest_device.cuh"
#undef __syncthreads
#undef __shared__
#undef __device__

namespace thermex {
namespace {

using cuda::ForestArgs;
using cuda::kForestBlock;

struct Problem {
  BinnedFeatures bins;
  std::vector<double> y;
};

// x0, x1 drive y; x2 is noise; x3 is one-hot-like (about 1 row in 8 is 1); x4 is constant;
// `extra` noise columns follow. A `step` target takes few distinct values, so many nodes have
// a constant target (the rule that they are not split must agree).
Problem make_problem(std::size_t rows, std::size_t extra, int max_bins, bool step,
                     std::uint64_t seed) {
  Table x;
  for (std::size_t j = 0; j < 5 + extra; ++j) {
    math::PhiloxStream rng(seed, math::RngPurpose::kTest, j);
    std::vector<double> v(rows);
    for (double& e : v) {
      e = j == 3 ? static_cast<double>(rng.below(8) == 0) : j == 4 ? 2.0 : rng.uniform();
    }
    ColumnMeta meta;
    meta.name = "x" + std::to_string(j);
    x.add_column(meta, std::move(v));
  }
  Problem p;
  math::PhiloxStream noise(seed, math::RngPurpose::kTest, 1000);
  for (std::size_t i = 0; i < rows; ++i) {
    const double v = 4 * x.at(i, 0) + 3 * std::sin(6 * x.at(i, 1)) + 2 * x.at(i, 3);
    // No offset on the continuous target: centred values of an offset target (200 + ...) share
    // one exponent, so node sums of them are often exact and would not notice a changed
    // summation order.
    p.y.push_back(step ? 200 + std::floor(v) : v + 0.5 * noise.uniform());
  }
  p.bins = bin_features(x, max_bins);
  return p;
}

// Runs the device code's forests for `fits` fits on `blocks` emulated blocks, one after the
// other (items strided over blocks as the persistent kernel does). Returns the per-tree
// importances, fits x trees x cols.
std::vector<double> emulate(const Problem& p, const std::vector<std::uint32_t>& perms,
                            std::size_t fits, const ForestOptions& o, std::uint64_t seed,
                            std::uint32_t blocks, bool lanes_in_shared) {
  ForestArgs a = cuda::forest_args(p.bins, fits, o, seed);
  std::vector<std::uint32_t> n_bins(p.bins.bin_counts.begin(), p.bins.bin_counts.end());
  a.lanes_in_shared = lanes_in_shared;
  a.u32_per_block = cuda::u32_words(a, !lanes_in_shared);
  a.f64_per_block = cuda::f64_words(a, !lanes_in_shared);
  std::vector<std::uint32_t> u32(blocks * a.u32_per_block);
  std::vector<double> f64(blocks * a.f64_per_block);
  // Dynamic shared memory: 4 lanes of f64 sums then u32 counts, as the kernel's launch sizes it.
  std::vector<double> shared(cuda::kLanes * a.total_max * 2);
  const std::size_t items = fits * a.trees;
  std::vector<double> per_tree(items * a.cols, -1.0);
  int status = 0;
  a.bins = p.bins.bins.data();
  a.n_bins = n_bins.data();
  a.y = p.y.data();
  a.perm = perms.data();
  a.scratch_u32 = u32.data();
  a.scratch_f64 = f64.data();
  a.per_tree = per_tree.data();
  a.status = &status;
  for (std::uint32_t b = 0; b < blocks; ++b) {
    std::barrier<> barrier(kForestBlock);
    block_barrier = &barrier;
    blockIdx.x = b;
    std::vector<std::thread> threads;
    for (std::uint32_t t = 0; t < static_cast<std::uint32_t>(kForestBlock); ++t) {
      threads.emplace_back([&, t] {
        threadIdx.x = t;
        const cuda::Work w = cuda::carve(a, shared.data());
        for (std::size_t item = b; item < items; item += blocks) {
          const auto fit = static_cast<std::uint32_t>(item / a.trees);
          const auto tree = static_cast<std::uint32_t>(item % a.trees);
          cuda::grow_tree(a, w, fit, tree, a.per_tree + item * a.cols);
        }
      });
    }
    for (std::thread& t : threads) t.join();
  }
  EXPECT_EQ(status, 0) << "the device code flagged a bad bin";
  return per_tree;
}

struct Config {
  const char* name;
  ForestOptions forest;
  std::size_t rows, extra;
  bool step;
  std::uint32_t blocks;
  bool lanes_in_shared;
};

std::vector<Config> configs() {
  std::vector<Config> c;
  ForestOptions base;
  base.n_trees = 3;
  base.max_depth = 5;
  c.push_back({"default-fractions", base, 300, 0, false, 2, true});
  ForestOptions boot = base;
  boot.bootstrap = true;
  boot.bagging_fraction = 0.9;
  c.push_back({"bootstrap", boot, 257, 2, false, 1, false});
  ForestOptions by_node = base;
  by_node.feature_fraction_split = 0.5;
  c.push_back({"feature-fraction-split", by_node, 200, 3, false, 3, true});
  ForestOptions deep = base;
  deep.n_trees = 2;
  deep.max_depth = 10;
  deep.min_leaf = 1;
  deep.max_bins = 8;
  deep.bagging_fraction = 1.0;
  deep.feature_fraction_tree = 1.0;
  deep.feature_fraction_split = 0.6;  // a constant node must draw nothing, or later draws shift
  c.push_back({"deep-small-bins-step-target", deep, 150, 0, true, 1, true});
  ForestOptions stump = base;
  stump.min_leaf = 70;
  c.push_back({"large-min-leaf", stump, 400, 0, false, 2, false});
  ForestOptions big = base;
  big.n_trees = 2;
  big.max_depth = 3;
  big.bootstrap = true;
  big.bagging_fraction = 1.0;
  c.push_back({"1100-rows-bootstrap", big, 1100, 1, false, 1, true});
  return c;
}

// Emulates the kernel on `cases` and compares every tree's importances with the CPU's.
void expect_cpu_trees(const std::vector<Config>& cases) {
  const std::uint64_t seed = 29;
  const std::size_t fits = 3;  // the real target and two shuffles
  std::size_t compared = 0, mismatches = 0, trees_split = 0;
  for (const Config& c : cases) {
    SCOPED_TRACE(c.name);
    const Problem p = make_problem(c.rows, c.extra, c.forest.max_bins, c.step, seed);
    const std::size_t n = p.y.size(), d = p.bins.cols;
    std::vector<std::uint32_t> perms((fits - 1) * n);
    std::vector<std::vector<double>> targets{p.y};
    for (std::size_t s = 0; s + 1 < fits; ++s) {
      const auto perm = shuffle_permutation(n, seed, s);
      targets.emplace_back(n);
      for (std::size_t i = 0; i < n; ++i) {
        perms[s * n + i] = static_cast<std::uint32_t>(perm[i]);
        targets.back()[i] = p.y[perm[i]];
      }
    }
    const auto got = emulate(p, perms, fits, c.forest, seed, c.blocks, c.lanes_in_shared);
    detail::TreeScratch scratch;
    const auto trees = static_cast<std::size_t>(c.forest.n_trees);
    for (std::size_t fit = 0; fit < fits; ++fit) {
      for (std::size_t t = 0; t < trees; ++t) {
        std::vector<double> ref(d, 0.0);
        detail::grow_tree(p.bins, targets[fit], c.forest, seed, (fit << 32) | t, ref, scratch);
        const double* row = got.data() + (fit * trees + t) * d;
        const bool same = std::memcmp(row, ref.data(), d * sizeof(double)) == 0;
        ++compared;
        mismatches += same ? 0 : 1;
        trees_split += std::any_of(ref.begin(), ref.end(), [](double v) { return v > 0; });
        for (std::size_t f = 0; f < d && !same; ++f) {
          EXPECT_TRUE(row[f] == ref[f]) << "fit " << fit << " tree " << t << " feature " << f
                                        << ": " << std::hexfloat << row[f] << " vs " << ref[f];
        }
      }
    }
  }
  std::cout << "[ emulate  ] " << compared << " trees compared, " << trees_split << " split, "
            << mismatches << " mismatches\n";
  EXPECT_EQ(mismatches, 0u);
  EXPECT_GT(trees_split, 0u) << "no tree ever split";
}

// Two small configurations (default fractions, large leaves) in the unit run, also under ASan: 128
// host threads meet at a barrier per __syncthreads, which is slow on a 2-core machine.
TEST(NullForestEmulation, DeviceCodeGrowsTheCpuTreesBitForBit) {
  const std::vector<Config> all = configs();
  expect_cpu_trees({all[0], all[4]});
}

// Every configuration (bootstrap, split fractions, large leaves, 1100 rows, global histograms):
// ~30 s alone on 2 cores, so labelled slow (the Release run, not the ASan one).
TEST(NullForestEmulation, SlowEveryConfigurationGrowsTheCpuTrees) { expect_cpu_trees(configs()); }

// The node-sum order itself: parts by k mod 128 and the pairwise tree, against an explicit
// construction (a tree over 128 leaves pairs i with i + stride).
TEST(NullForestEmulation, NodeSumFollowsTheDocumentedOrder) {
  for (const std::size_t n : {1u, 5u, 128u, 129u, 1000u}) {
    std::vector<double> v(n);
    math::PhiloxStream rng(3, math::RngPurpose::kTest, n);
    for (double& e : v) e = 1e3 * (rng.uniform() - 0.5);
    std::vector<double> parts(math::kForestSumParts, 0.0);
    for (std::size_t p = 0; p < parts.size(); ++p) {
      for (std::size_t k = p; k < n; k += parts.size()) parts[p] = parts[p] + v[k];
    }
    for (std::size_t width = parts.size(); width > 1; width /= 2) {
      std::vector<double> next(width / 2);
      for (std::size_t i = 0; i < width / 2; ++i) next[i] = parts[i] + parts[i + width / 2];
      parts = next;
    }
    const double got = math::forest_node_sum(n, [&](std::size_t k) { return v[k]; });
    EXPECT_EQ(got, parts[0]) << "n " << n;
  }
}

}  // namespace
}  // namespace thermex
