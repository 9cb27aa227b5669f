#!/usr/bin/env bash
# The custom-cell example end to end, from a clone of the xLSTM repository:
#   1. publish the xLSTM artifacts (the plugin, the compiler, the runtime, ...) to the local Maven repository;
#   2. build this project: xlstm-maven-plugin compiles src/main/xlstm/mlstm_cifg.xl, the tests check the generated
#      kernel against the compiler's interpreter, the other targets' kernel sources, the OpenCL kernels executed (on
#      an OpenCL device such as PoCL; skipped without one), and the cell in a block stack.
# The xLSTM build's own tests are skipped here; ./run-tests at the root runs them and then this project's.
# Extra arguments go to both Maven runs (e.g. -Dmaven.repo.local=/tmp/m2 -o).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

if [[ -z ${JAVA_HOME:-} || ! -x $JAVA_HOME/bin/java ]] && [[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi

(cd "$root" && mvn -B -q install -DskipTests "$@")
cd "$here" && mvn -B verify "$@"
