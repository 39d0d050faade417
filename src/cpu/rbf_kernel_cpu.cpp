// CPU twin of the RBF kernel matrix: Eigen GEMM X Z^T per tile, then the shared epilogue
// math::rbf_from_norms_and_dot on the tile while it is still in cache.
// GCC 12 reports a false -Wmaybe-uninitialized inside its own AVX-512 intrinsics when Eigen's
// GEMV is built with -march=native (GCC bug 105593, fixed in GCC 13); the report is located in
// the intrinsic headers, so silencing it around this include covers exactly that.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <Eigen/Core>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#include <algorithm>
#include <cstddef>
#include <vector>

#include "../rbf_kernel_impl.hpp"
#include "thermex/math/rbf.hpp"
#include "thermex/rbf_kernel.hpp"

namespace thermex::cpu {
namespace {

// Tiles are the logical work items: fixed sizes, independent of the thread count, and each tile
// is computed by one thread, so the bytes of K never depend on how many threads run.
//
// kRowBlock must stay <= 32: Eigen decides at compile time whether a GEMM may spawn its own
// OpenMP team from the destination's MaxRowsAtCompileTime (`> 32 || Dynamic` allows it;
// Eigen/src/Core/products/GeneralMatrixMatrix.h). A nested team would change Eigen's k-blocking
// (it recomputes it for the thread count) and so the rounding. A destination type with
// MaxRows = 32 keeps every tile GEMM single-threaded with the 1-thread blocking.
constexpr Eigen::Index kRowBlock = 32;
// 32 x 512 doubles = 128 KiB: the tile stays in L2 between the GEMM and the exp epilogue.
constexpr Eigen::Index kColBlock = 512;

using RowMajorMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstRowMajorMap = Eigen::Map<const RowMajorMatrix>;
using TileMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor, kRowBlock,
                                 Eigen::Dynamic>;
using TileMap = Eigen::Map<TileMatrix, Eigen::Unaligned, Eigen::OuterStride<>>;

}  // namespace

void rbf_kernel_matrix(const Context& ctx, std::span<const double> x, std::size_t n,
                       std::span<const double> z, std::size_t m, std::size_t d, double gamma,
                       std::span<double> out) {
  const auto rows = static_cast<Eigen::Index>(n);
  const auto cols = static_cast<Eigen::Index>(m);
  const auto depth = static_cast<Eigen::Index>(d);
  const ConstRowMajorMap xs(x.data(), rows, depth);
  const ConstRowMajorMap zs(z.data(), cols, depth);
  // O((n + m) d), negligible next to the O(n m d) GEMM; summed in column order.
  const std::vector<double> norm_x2 = squared_row_norms(x, n, d);
  const std::vector<double> norm_z2 = squared_row_norms(z, m, d);

  const Eigen::Index row_tiles = (rows + kRowBlock - 1) / kRowBlock;
  const Eigen::Index col_tiles = (cols + kColBlock - 1) / kColBlock;
  const Eigen::Index tiles = row_tiles * col_tiles;
  // Static schedule over tile ids; the order in which threads take tiles does not matter
  // because no tile reads another tile's output and nothing is reduced across tiles.
#pragma omp parallel for schedule(static) num_threads(ctx.threads())
  for (Eigen::Index t = 0; t < tiles; ++t) {
    const Eigen::Index i0 = (t / col_tiles) * kRowBlock;
    const Eigen::Index j0 = (t % col_tiles) * kColBlock;
    const Eigen::Index tile_rows = std::min(kRowBlock, rows - i0);
    const Eigen::Index tile_cols = std::min(kColBlock, cols - j0);
    TileMap tile(out.data() + i0 * cols + j0, tile_rows, tile_cols, Eigen::OuterStride<>(cols));
    tile.noalias() = xs.middleRows(i0, tile_rows) * zs.middleRows(j0, tile_cols).transpose();
    // The epilogue runs on the tile while the GEMM has just left it in cache.
    const double* nz = norm_z2.data() + j0;
    for (Eigen::Index r = 0; r < tile_rows; ++r) {
      const double nx = norm_x2[static_cast<std::size_t>(i0 + r)];
      double* row = out.data() + (i0 + r) * cols + j0;
      for (Eigen::Index c = 0; c < tile_cols; ++c) {
        row[c] = math::rbf_from_norms_and_dot(nx, nz[c], row[c], gamma);
      }
    }
  }
}

}  // namespace thermex::cpu
