#pragma once
/// \file
/// Internal: the backends of compute_sweep_chunk (src/cpu/sweep_cpu.cpp, kernels/sweep_predict.cu;
/// without CUDA src/no_cuda/sweep_stub.cpp throws) and the helpers the writer shares.
/// src/sweep.cpp validates and dispatches once on ctx.device().

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "thermex/context.hpp"
#include "thermex/sweep.hpp"

namespace thermex::cpu {

/// Fills `chunk` (begin and count set; every vector sized by the caller: fractions count x k,
/// per target prediction count and, with replicas, the four statistics) on the CPU: OpenMP over
/// blocks of kSweepBlock points, vectorized over the points of a block. Each point's values are
/// computed by the same operations whatever the block or thread, so the bytes depend on neither
/// the thread count nor the chunk size. Cost O(count x total support vectors x varying features).
void sweep_compute(const Context& ctx, const SweepPlan& plan, SweepChunk& chunk);

}  // namespace thermex::cpu

namespace thermex::cuda {

/// The CUDA twin of cpu::sweep_compute (same preconditions and outputs): a featurize kernel (one
/// thread per point), a fused distance + exp + reduce kernel per (point, model), a CUB segmented
/// sort of the replica values and a statistics kernel per point; results copied back (blocking).
/// Device memory: the chunk's features and replica values, processed in sub-batches within
/// 512 MiB. Throws CudaError on a failed call, Error when built without CUDA.
void sweep_compute(const Context& ctx, const SweepPlan& plan, SweepChunk& chunk);

}  // namespace thermex::cuda

namespace thermex::detail {

/// Sizes the vectors of a chunk for `count` points starting at `begin` (NaN-filled, so an entry
/// a backend never writes fails the finiteness check).
SweepChunk make_empty_chunk(const SweepPlan& plan, std::size_t id, std::size_t begin,
                            std::size_t count);

/// Throws Error naming the point index and target when a prediction or statistic is not finite.
void check_chunk_finite(const SweepPlan& plan, const SweepChunk& chunk);

/// The index ranges [first, last] of the grid points within `radius` counts (max-norm) of
/// `center` (k counts summing to m): the last free coordinate varies fastest and consecutive
/// values of it are consecutive indices, so the neighbourhood is a union of index runs, in
/// increasing index order. Cost O(runs x k^2).
struct IndexRun {
  std::size_t first = 0;
  std::size_t count = 0;
};
std::vector<IndexRun> neighbourhood_runs(std::size_t m, std::span<const std::uint32_t> center,
                                         std::uint32_t radius);

/// Writes <path>/features/{name, source, value}: which value every model feature took at the
/// sweep's points (NaN value for the per-point composition features).
void write_sweep_feature_table(H5File& file, const std::string& path, const SweepPlan& plan);

/// 1 for each point of `chunk` inside plan.domain_lo/hi (all 0 when the plan has no domain).
std::vector<char> points_in_domain(const SweepPlan& plan, const SweepChunk& chunk);

}  // namespace thermex::detail
