#!/usr/bin/env bash
# The CLI's libraries for the GPU machine, trimmed to fit the device tool's 64 MiB carry next to the working tree
# (which holds the 6.7 MB default model) and .jre.tar.xz: a copy of cli/target/lib without the DJL tokenizers jar
# (18 MB with its native libraries; only text prompts and tokenizer.json files need it, and the device scripts pass
# token ids or byte-level data). Writes work-area/gpulib; the device scripts (gpu-check.sh, cpu-vs-torch.sh,
# train-default-model.sh) use it as cli/target/lib when that is absent. Carry [".jre.tar.xz", "work-area/gpulib",
# "cli/target/xlstm-cli.jar"] (+ what the script needs, e.g. work-area/corpus/moby-dick.txt).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[[ -d cli/target/lib ]] || { echo "gpu-lib: cli/target/lib is missing: mvn -B -DskipTests -pl cli -am package" >&2; exit 2; }
rm -rf work-area/gpulib && mkdir -p work-area/gpulib
cp cli/target/lib/*.jar work-area/gpulib/
rm -f work-area/gpulib/tokenizers-*.jar
echo "gpu-lib: work-area/gpulib ($(du -sh work-area/gpulib | cut -f1))" >&2
