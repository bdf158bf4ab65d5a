"""Prints the directory below PREFIX from which this interpreter imports
packages (e.g. /usr/local/lib/python3.11/dist-packages for /usr/local on
Debian), or nothing when there is none.

meson 1.0's python module answers /usr/local/lib/python3/dist-packages for
Debian's python3 with prefix /usr/local, a directory that interpreter never
reads (https://github.com/mesonbuild/meson/issues/8739); asking the
interpreter's sys.path avoids that.

    python3 site_dir.py PREFIX
"""
import os
import sys


def site_dir(prefix):
    for path in sys.path:
        rel = os.path.relpath(path, prefix).split(os.sep)
        if rel[0] in ("lib", "lib64") and rel[-1] in ("dist-packages",
                                                      "site-packages"):
            return path
    return ""


if __name__ == "__main__":
    print(site_dir(os.path.abspath(sys.argv[1])))
