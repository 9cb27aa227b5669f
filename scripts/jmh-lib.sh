#!/usr/bin/env bash
# The JMH benchmarks jar and JMH's own libraries for the GPU machine (no Maven there): copies
# benchmarks/target/xlstm-benchmarks.jar and jmh-core, jopt-simple and commons-math3 from the local Maven repository
# into work-area/jmhlib (about 3 MB). The project's own jars come from cli/target/lib (scripts/gpu-lib.sh), so run
#   java -cp "work-area/jmhlib/*:cli/target/lib/*" org.openjdk.jmh.Main BENCH ...
# Build first: mvn -B -q -o -DskipTests install -pl cli,benchmarks -am
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jar=benchmarks/target/xlstm-benchmarks.jar
[[ -f $jar ]] || { echo "jmh-lib: $jar is missing: mvn -B -DskipTests install -pl cli,benchmarks -am" >&2; exit 2; }
repo=${MAVEN_REPO:-$HOME/.m2/repository}
rm -rf work-area/jmhlib && mkdir -p work-area/jmhlib
cp "$jar" work-area/jmhlib/
for dep in org/openjdk/jmh/jmh-core net/sf/jopt-simple/jopt-simple org/apache/commons/commons-math3; do
  found=$(find "$repo/$dep" -name '*.jar' ! -name '*-sources.jar' ! -name '*-javadoc.jar' 2>/dev/null | sort | tail -n 1)
  [[ -n $found ]] || { echo "jmh-lib: no $dep jar under $repo (build the benchmarks module once)" >&2; exit 2; }
  cp "$found" work-area/jmhlib/
done
echo "jmh-lib: work-area/jmhlib ($(du -sh work-area/jmhlib | cut -f1))" >&2
