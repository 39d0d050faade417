// compute_sweep_chunk: validation and the one dispatch on ctx.device(); chunk packing for the
// gather across ranks; the single-process driver run_sweep.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "sweep_internal.hpp"
#include "thermex/error.hpp"
#include "thermex/sweep.hpp"

namespace thermex {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

// Values per point in the packed form: k fractions, then per target the prediction and (with
// replicas) the four statistics.
std::size_t packed_per_point(const SweepPlan& plan) {
  std::size_t n = plan.k;
  for (const auto& t : plan.targets) n += t.replicas() > 0 ? 5 : 1;
  return n;
}

}  // namespace

namespace detail {

SweepChunk make_empty_chunk(const SweepPlan& plan, std::size_t id, std::size_t begin,
                            std::size_t count) {
  SweepChunk c;
  c.id = id;
  c.begin = begin;
  c.count = count;
  c.fractions.assign(count * plan.k, kNan);
  c.targets.resize(plan.targets.size());
  for (std::size_t t = 0; t < plan.targets.size(); ++t) {
    SweepTargetChunk& tc = c.targets[t];
    tc.prediction.assign(count, kNan);
    if (plan.targets[t].replicas() == 0) continue;
    tc.boot_mean.assign(count, kNan);
    tc.boot_std.assign(count, kNan);
    tc.boot_lo.assign(count, kNan);
    tc.boot_hi.assign(count, kNan);
  }
  return c;
}

void check_chunk_finite(const SweepPlan& plan, const SweepChunk& chunk) {
  for (std::size_t t = 0; t < chunk.targets.size(); ++t) {
    const SweepTargetChunk& tc = chunk.targets[t];
    for (const auto* v : {&tc.prediction, &tc.boot_mean, &tc.boot_std, &tc.boot_lo, &tc.boot_hi}) {
      const auto bad =
          std::find_if(v->begin(), v->end(), [](double x) { return !std::isfinite(x); });
      if (bad != v->end()) {
        throw Error(fmt::format("sweep '{}': non-finite {} prediction at grid point {}",
                                plan.spec.name, plan.targets[t].target,
                                chunk.begin + static_cast<std::size_t>(bad - v->begin())));
      }
    }
  }
}

}  // namespace detail

std::size_t sweep_chunk_count(const SweepPlan& plan) noexcept {
  return plan.chunk == 0 ? 0 : (plan.points + plan.chunk - 1) / plan.chunk;
}

SweepChunk compute_sweep_chunk(const Context& ctx, const SweepPlan& plan, std::size_t chunk) {
  const std::size_t n_chunks = sweep_chunk_count(plan);
  if (chunk >= n_chunks) {
    throw Error(fmt::format("sweep '{}': chunk {} out of range ({} chunks)", plan.spec.name, chunk,
                            n_chunks));
  }
  THERMEX_EXPECTS(plan.k >= 2 && plan.site.k == static_cast<int>(plan.k) && !plan.targets.empty(),
                  "compute_sweep_chunk: plan not made by make_sweep_plan");
  const std::size_t begin = chunk * plan.chunk;
  const std::size_t count = std::min(plan.chunk, plan.points - begin);
  SweepChunk out = detail::make_empty_chunk(plan, chunk, begin, count);
  if (ctx.device() == Device::kCuda) {
    cuda::sweep_compute(ctx, plan, out);
  } else {
    cpu::sweep_compute(ctx, plan, out);
  }
  detail::check_chunk_finite(plan, out);
  return out;
}

std::vector<double> sweep_chunk_pack(const SweepChunk& chunk) {
  std::vector<double> out(chunk.fractions);
  for (const auto& t : chunk.targets) {
    for (const auto* v : {&t.prediction, &t.boot_mean, &t.boot_std, &t.boot_lo, &t.boot_hi}) {
      out.insert(out.end(), v->begin(), v->end());
    }
  }
  return out;
}

SweepChunk sweep_chunk_unpack(const SweepPlan& plan, std::size_t id,
                              std::span<const double> packed) {
  const std::size_t n_chunks = sweep_chunk_count(plan);
  if (id >= n_chunks) throw Error(fmt::format("sweep_chunk_unpack: chunk {} out of range", id));
  const std::size_t begin = id * plan.chunk;
  const std::size_t count = std::min(plan.chunk, plan.points - begin);
  if (packed.size() != count * packed_per_point(plan)) {
    throw Error(fmt::format("sweep_chunk_unpack: chunk {} has {} values, expected {}", id,
                            packed.size(), count * packed_per_point(plan)));
  }
  SweepChunk c = detail::make_empty_chunk(plan, id, begin, count);
  std::size_t pos = 0;
  const auto take = [&](std::vector<double>& v) {
    std::copy_n(packed.begin() + static_cast<std::ptrdiff_t>(pos), v.size(), v.begin());
    pos += v.size();
  };
  take(c.fractions);
  for (auto& t : c.targets) {
    for (auto* v : {&t.prediction, &t.boot_mean, &t.boot_std, &t.boot_lo, &t.boot_hi}) take(*v);
  }
  return c;
}

SweepSummary run_sweep(const Context& ctx, const SweepPlan& plan, H5File& file,
                       std::string_view group, std::size_t begin, std::size_t end) {
  end = std::min(end, sweep_chunk_count(plan));
  THERMEX_EXPECTS(begin < end, "run_sweep: empty chunk range");
  SweepH5Writer writer(file, plan, group, begin);
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t c = begin; c < end; ++c) {
    writer.append(compute_sweep_chunk(ctx, plan, c));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ctx.logger().info("sweep {}: chunk {}/{} ({} points, {:.1f} s)", plan.spec.name, c + 1 - begin,
                      end - begin, writer.points_written(), seconds);
  }
  return writer.finish();
}

}  // namespace thermex
