"""Builds the Python package omvrpc (python/) for pip.

The extension omvrpc._omvrpc is the CMake target omvrpc_python: CMake
builds it together with the library it links (so the source lists live in
one place); this file runs CMake and puts the result where setuptools
packs it. Needs cmake, a C compiler, pkg-config and python3-dev."""

import os
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))


def version():
    # Written once, in version.h (as the C library and CMake read it).
    with open(os.path.join(ROOT, "include", "omv_rpc", "version.h"), encoding="utf-8") as f:
        text = f.read()
    return ".".join(re.search(r"#define OMV_RPC_VERSION_%s ([0-9]+)" % part, text).group(1)
                    for part in ("MAJOR", "MINOR", "PATCH"))


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build = os.path.abspath(os.path.join(self.build_temp, "cmake"))
        subprocess.check_call([
            "cmake", "-S", ROOT, "-B", build, "-DCMAKE_BUILD_TYPE=Release",
            "-DOMV_RPC_BUILD_TESTS=OFF", "-DOMV_RPC_BUILD_TOOLS=OFF",
            "-DPython3_EXECUTABLE=" + sys.executable])
        subprocess.check_call(["cmake", "--build", build, "--target", "omvrpc_python",
                               "-j", str(min(os.cpu_count() or 1, 2))])
        name = os.path.basename(self.get_ext_filename(ext.name))
        built = os.path.join(build, "python", "site", "omvrpc", name)
        dest = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copyfile(built, dest)


setup(
    name="omvrpc",
    version=version(),
    description="The OpenMV Cam's RPC protocol (master and slave) on a C core, "
                "with OpenMV's rpc module as a drop-in",
    python_requires=">=3.9",
    package_dir={"": "python"},
    packages=["omvrpc"],
    py_modules=["rpc"],
    package_data={"omvrpc": ["py.typed", "*.pyi"]},
    ext_modules=[Extension("omvrpc._omvrpc", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    zip_safe=False,
)
