"""Build the Cython engine.

``pip install .`` compiles every ``.pyx`` under ``sparsenet/`` with ``-O3`` and OpenMP.
Environment switches:

- ``SPARSENET_NATIVE=1``: also compile with ``-march=native`` (fastest, not portable).
- ``SPARSENET_DEBUG=1``: bounds checks on, ``-O0 -g``; run the test suite against this build
  to catch out-of-bounds access that the fast build would hide.
- ``SPARSENET_SANITIZE=address``: compile and link with AddressSanitizer
  (``-fsanitize=address -fno-omit-frame-pointer``) at ``-O1 -g``, alone or with
  ``SPARSENET_DEBUG=1``'s bounds checks. It catches what bounds checks cannot see: raw pointer
  access in the C kernels, use after free, overflow of malloc'd buffers. Python itself is not
  built with ASan, so its runtime must be loaded first:
  ``LD_PRELOAD=$(gcc -print-file-name=libasan.so) ASAN_OPTIONS=detect_leaks=0 pytest``;
  ``.ci/asan`` builds and tests this way.

``SPARSENET_NATIVE`` applies to the fast build only. Cython does not regenerate a ``.c`` file
that is newer than its ``.pyx``, so after changing ``SPARSENET_DEBUG`` delete the generated
``sparsenet/**/*.c`` files (or start from a clean tree) to change the bounds checks.
"""
import os
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

DEBUG = os.environ.get("SPARSENET_DEBUG", "0") == "1"
NATIVE = os.environ.get("SPARSENET_NATIVE", "0") == "1"
SANITIZE = os.environ.get("SPARSENET_SANITIZE", "")
if SANITIZE not in ("", "address"):
    sys.exit(f"SPARSENET_SANITIZE={SANITIZE!r}: the only sanitizer supported is 'address'")
SANITIZER_FLAGS = ["-fsanitize=address", "-fno-omit-frame-pointer"] if SANITIZE else []

OPENMP_PROBE = textwrap.dedent(
    """
    #include <omp.h>
    int main(void) { return omp_get_max_threads() > 0 ? 0 : 1; }
    """
)


def compiler_has_openmp(compiler):
    """Compile and link a tiny OpenMP program: the only reliable test."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "probe.c"
        source.write_text(OPENMP_PROBE)
        try:
            objects = compiler.compile([str(source)], output_dir=tmp, extra_postargs=["-fopenmp"])
            compiler.link_executable(objects, "probe", output_dir=tmp, extra_postargs=["-fopenmp"])
        except Exception:
            return False
    return True


class BuildExtWithOpenMP(build_ext):
    def build_extensions(self):
        openmp = compiler_has_openmp(self.compiler)
        if not openmp:
            sys.stderr.write(
                "\nWARNING: this compiler has no OpenMP; sparsenet is built single-threaded.\n"
                "Install a compiler with OpenMP (gcc, or clang with libomp) for parallel training.\n\n"
            )
        if SANITIZE:
            # ASan's usual level, also under SPARSENET_DEBUG: at -O0 the engine runs about three
            # times slower under ASan, and the bounds checks are the same
            optimisation = ["-O1", "-g"]
        elif DEBUG:
            optimisation = ["-O0", "-g"]
        else:
            # no-math-errno: lets sqrtf vectorise (nothing here reads errno)
            optimisation = ["-O3", "-fno-math-errno"]
            if NATIVE:
                optimisation.append("-march=native")
        openmp_flags = ["-fopenmp"] if openmp else []
        for ext in self.extensions:
            ext.extra_compile_args = optimisation + SANITIZER_FLAGS + openmp_flags
            ext.extra_link_args = SANITIZER_FLAGS + openmp_flags
        super().build_extensions()


# bottom layer first: native primitives, sampling, the engine, the featurizer's kernels
MODULES = [
    "native/_openmp",
    "native/_sorting",
    "native/_kernel_probes",
    "native/_array_passes",
    "native/_row_tallies",
    "sampling/_hash_families",
    "sampling/_hash_tables",
    "sampling/_active_sets",
    "engine/_input_rows",
    "engine/_ranking",
    "engine/_batch_groups",
    "engine/_network",
    "engine/_adam",
    "engine/_initialisation",
    "engine/_hidden_sampling",
    "engine/_training_call",
    "engine/_trainer",
    "udt/_text_hashing",
    "udt/_row_weighting",
]


def engine_extensions():
    return [
        Extension(
            "sparsenet." + module.replace("/", "."),
            [f"sparsenet/{module}.pyx"],
            include_dirs=[np.get_include(), "sparsenet/native"],
            define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_9_API_VERSION")],
        )
        for module in MODULES
    ]


directives = {
    "language_level": 3,
    "boundscheck": DEBUG,
    "wraparound": False,
    "cdivision": True,
    "initializedcheck": DEBUG,
    "embedsignature": True,
}

setup(
    ext_modules=cythonize(engine_extensions(), compiler_directives=directives),
    cmdclass={"build_ext": BuildExtWithOpenMP},
)
