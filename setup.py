"""setuptools entry point of the thermex Python package (metadata lives in pyproject.toml).

build_ext runs CMake on this repository and builds the single target `thermex_python`
(thermex._thermex, pybind11) for the interpreter that runs the build, then copies the module
into the wheel. Needs CMake >= 3.25, a C++20 compiler, pybind11 and the engine's libraries
(Eigen, HDF5, spdlog, fmt, CLI11, toml++; Debian packages listed in the README).
Environment: CMAKE_ARGS (extra -D options), CMAKE_BUILD_PARALLEL_LEVEL (jobs).
"""

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent


class CMakeExtension(Extension):
    """An extension whose sources CMake knows; setuptools only places the result."""

    def __init__(self, name: str) -> None:
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        build_dir = Path(self.build_temp).resolve() / "cmake"
        build_dir.mkdir(parents=True, exist_ok=True)
        configure = [
            "cmake", "-S", str(ROOT), "-B", str(build_dir),
            "-DCMAKE_BUILD_TYPE=Release",
            "-DTHERMEX_PYTHON=ON", "-DTHERMEX_TESTS=OFF", "-DTHERMEX_BENCH=OFF",
            "-DTHERMEX_MPI=OFF",
            f"-DPython3_EXECUTABLE={sys.executable}",
        ]
        if shutil.which("ninja"):
            configure += ["-G", "Ninja"]
        if shutil.which("ccache"):  # a re-install recompiles nothing that did not change
            configure += ["-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"]
        configure += shlex.split(os.environ.get("CMAKE_ARGS", ""))
        subprocess.run(configure, check=True)
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 1))
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "thermex_python",
                        "-j", jobs], check=True)
        built = sorted((build_dir / "python" / "thermex").glob("_thermex*.so"))
        if not built:
            raise RuntimeError(f"CMake built no _thermex module under {build_dir}")
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[-1], target)


setup(ext_modules=[CMakeExtension("thermex._thermex")], cmdclass={"build_ext": CMakeBuild})
