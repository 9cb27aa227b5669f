# Sourced by the GPU scripts: the Java runtime carried as .jre.tar.xz, the trimmed libraries of gpu-lib.sh, and
# cuBLAS on the library path when the toolkit folder has none (PyTorch's wheels bring their own under
# site-packages/nvidia/*/lib). Sets JAVA_HOME and the array java=(java ... -cp CLI): XLSTM_JAVA_OPTS adds JVM flags,
# XLSTM_CP_PREFIX (folders, ':'-separated) goes before the CLI on the class path (an older build's classes).
if [[ ! -x .jre/bin/java && -f .jre.tar.xz ]]; then
  tar xJf .jre.tar.xz || { echo "gpu-env: cannot unpack .jre.tar.xz" >&2; return 2; }
fi
if [[ -x .jre/bin/java ]]; then
  export JAVA_HOME=$PWD/.jre
elif [[ -z ${JAVA_HOME:-} || ! -x ${JAVA_HOME:-}/bin/java ]]; then
  echo "gpu-env: no Java: carry .jre.tar.xz (../shared/tools/gpu-jre.sh --xz) or set JAVA_HOME" >&2
  return 2
fi
# cli/target/lib from the carried work-area/gpulib, again on every call (a warm GPU machine keeps the copy of an
# earlier call, whose libraries would otherwise run); a real build's cli/target/lib (no marker) stays
if [[ -d work-area/gpulib && ( ! -d cli/target/lib || -f cli/target/lib/.from-gpulib ) ]]; then
  rm -rf cli/target/lib && mkdir -p cli/target && cp -r work-area/gpulib cli/target/lib && touch cli/target/lib/.from-gpulib
fi
if ! ls /usr/local/cuda/lib64/libcublas.so* >/dev/null 2>&1 && command -v python3 >/dev/null; then
  nv=$(python3 -c 'import glob, site; print(":".join(d for p in site.getsitepackages() for d in sorted(glob.glob(p + "/nvidia/*/lib"))))' 2>/dev/null)
  [[ -n $nv ]] && export LD_LIBRARY_PATH=$nv${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
java=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
      -XX:MaxDirectMemorySize=1024g -Dai.djl.offline=true -DDJL_CACHE_DIR=work-area/djl-cache
      ${XLSTM_JAVA_OPTS:-} -cp "${XLSTM_CP_PREFIX:+$XLSTM_CP_PREFIX:}cli/target/lib/*:cli/target/xlstm-cli.jar")
