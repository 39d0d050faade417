#pragma once
/// \file
/// THERMEX_HD marks per-element math that is compiled for both host and device, so the CPU
/// backend and the unit tests run the very code the CUDA kernels run (STYLE.md section 1).
/// Code under include/thermex/math/ uses no Eigen, std containers, exceptions or I/O.

#if defined(__CUDACC__)
#define THERMEX_HD __host__ __device__
#else
#define THERMEX_HD
#endif
