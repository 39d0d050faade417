#pragma once
/// \file
/// THERMEX_CUDA_CHECK: wraps every CUDA runtime and cuBLAS call and throws thermex::CudaError
/// with the call text, file, line and the error name (STYLE.md section 4). CUDA-only header.

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <cstdio>

#include "thermex/error.hpp"

namespace thermex::cuda::detail {

/// Throws CudaError unless `status` is cudaSuccess. Clears the runtime's last-error slot first,
/// so a caller that catches the error does not see it again from the next cudaGetLastError().
inline void check(cudaError_t status, const char* call, const char* file, int line) {
  if (status == cudaSuccess) return;
  (void)cudaGetLastError();
  throw CudaError(call, file, line, cudaGetErrorName(status), cudaGetErrorString(status));
}

/// Throws CudaError unless `status` is CUBLAS_STATUS_SUCCESS.
inline void check(cublasStatus_t status, const char* call, const char* file, int line) {
  if (status == CUBLAS_STATUS_SUCCESS) return;
  throw CudaError(call, file, line, cublasGetStatusName(status), cublasGetStatusString(status));
}

/// For destructors, which must not throw: writes one line to stderr on failure. During process
/// teardown the runtime may already be unloaded (cudaErrorCudartUnloading); that is not an error
/// worth reporting, since the driver reclaims everything with the process.
inline void log_on_error(cudaError_t status, const char* call, const char* file,
                         int line) noexcept {
  if (status == cudaSuccess) return;
  (void)cudaGetLastError();
  if (status == cudaErrorCudartUnloading) return;
  std::fprintf(stderr, "thermex: CUDA call '%s' failed at %s:%d: %s (%s)\n", call, file, line,
               cudaGetErrorName(status), cudaGetErrorString(status));
}

/// cuBLAS flavour of log_on_error.
inline void log_on_error(cublasStatus_t status, const char* call, const char* file,
                         int line) noexcept {
  if (status == CUBLAS_STATUS_SUCCESS) return;
  std::fprintf(stderr, "thermex: cuBLAS call '%s' failed at %s:%d: %s\n", call, file, line,
               cublasGetStatusName(status));
}

}  // namespace thermex::cuda::detail

/// Evaluates a CUDA runtime or cuBLAS call once and throws thermex::CudaError on failure.
#define THERMEX_CUDA_CHECK(expr) ::thermex::cuda::detail::check((expr), #expr, __FILE__, __LINE__)

/// Destructor flavour: evaluates the call once and logs a failure to stderr, never throws.
#define THERMEX_CUDA_LOG_ON_ERROR(expr) \
  ::thermex::cuda::detail::log_on_error((expr), #expr, __FILE__, __LINE__)
