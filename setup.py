"""The one part of the build pyproject.toml cannot declare: the optional compiled kernels.

``optional=True``: where no C compiler is at hand the install still succeeds, and digest
runs the same computations in Python (see generator/kernels.py). The same holds for the
front matter loader that links libyaml, where libyaml's headers are missing.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "generator._kernels",
            ["generator/_kernels.c"],
            optional=True,
            extra_compile_args=["-O2", "-ffp-contract=off"],
        ),
        Extension(  # links libyaml: needs its headers (Debian: libyaml-dev)
            "generator._yamlfast",
            ["generator/_yamlfast.c"],
            optional=True,
            libraries=["yaml"],
            extra_compile_args=["-O2"],
        ),
    ]
)
