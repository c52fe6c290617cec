#!/usr/bin/env bash
# Gradescope runs this once while it builds the autograder image; the bundle is unpacked in /autograder/source.
set -euo pipefail
cd "$(dirname "$0")"
if ! python3 -m pip --version >/dev/null 2>&1; then
    apt-get update && apt-get install -y python3-pip
fi
# The CPU build of torch: the default one on Linux is a multi-GB CUDA build.
python3 -m pip install -r requirements.txt --extra-index-url https://download.pytorch.org/whl/cpu
