# Per-source compiler flags of the CPU kernels (directory scope: included from the root
# CMakeLists.txt, where thermex_core is defined).
#
# src/cpu/rbf_kernel_cpu.cpp: -fno-trapping-math lets GCC turn the clamps of the RBF epilogue
# (`d2 < 0 ? 0 : d2`, `x < -746 ? -746 : x`) into vector selects; with the default
# -ftrapping-math it refuses to if-convert a comparison that might raise FE_INVALID, and the exp
# loop then stays scalar on SSE2 and AVX2. Values are unchanged: only the floating-point exception
# flags may differ, and thermex never reads them. No -ffast-math: the NaN checks and the
# magic-number rounding in math::exp_nonpositive rely on IEEE semantics.
set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/src/cpu/rbf_kernel_cpu.cpp
  PROPERTIES COMPILE_OPTIONS "$<$<COMPILE_LANG_AND_ID:CXX,GNU,Clang>:-fno-trapping-math>")
