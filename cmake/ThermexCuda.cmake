# CUDA is an optional language. AUTO enables it when nvcc is found; a machine with nvcc and no
# GPU still compiles and links the CUDA backend (CI does exactly that).
include(CheckLanguage)
set(THERMEX_WITH_CUDA OFF)
if(THERMEX_CUDA STREQUAL "ON" OR THERMEX_CUDA STREQUAL "AUTO")
  if(NOT CMAKE_CUDA_COMPILER)
    check_language(CUDA)
  endif()
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      # Hopper (H100/H200) plus Ampere (A100) as the older arch; `native` would probe a GPU at
      # configure time, which CI does not have.
      set(CMAKE_CUDA_ARCHITECTURES 80 90)
    endif()
    enable_language(CUDA)
    # CMake 3.25's table of nvcc standard flags stops at C++17; nvcc >= 12 accepts -std=c++20.
    if(NOT CMAKE_CUDA20_STANDARD_COMPILE_OPTION)
      set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
      set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
    endif()
    set(CMAKE_CUDA_STANDARD 20)
    set(CMAKE_CUDA_STANDARD_REQUIRED ON)
    find_package(CUDAToolkit REQUIRED)
    set(THERMEX_WITH_CUDA ON)
  elseif(THERMEX_CUDA STREQUAL "ON")
    message(FATAL_ERROR "THERMEX_CUDA=ON but no CUDA compiler (nvcc) was found")
  endif()
endif()
message(STATUS "thermex: CUDA backend ${THERMEX_WITH_CUDA} (THERMEX_CUDA=${THERMEX_CUDA})")

function(thermex_cuda_target target)
  if(THERMEX_WITH_CUDA)
    target_link_libraries(${target} PUBLIC CUDA::cudart CUDA::cublas CUDA::curand)
    set_target_properties(${target} PROPERTIES CUDA_SEPARABLE_COMPILATION OFF)
    target_compile_options(${target} PRIVATE
      $<$<COMPILE_LANGUAGE:CUDA>:--expt-relaxed-constexpr --expt-extended-lambda -lineinfo
        -Werror=all-warnings -Xcompiler=-Wall,-Wextra,-Werror>
      $<$<AND:$<COMPILE_LANGUAGE:CUDA>,$<CONFIG:Debug>>:-G>)
  endif()
endfunction()
