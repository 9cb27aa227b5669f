#!/usr/bin/env bash
# Where a CPU decode step's time goes (issue 7): the step of xLSTM Large broken down by operation (bench --profile:
# us, weight MB and GB/s per category, pool posts, caller share, tail wait, wake latency) next to the machine's copy
# and read-only bandwidth, for random ~125M (E 768, 12 blocks) and ~350M (E 1024, 24 blocks) f32 checkpoints, batch 1,
# at each thread count. No Python, no Maven: Java from .jre.tar.xz (or JAVA_HOME), the CLI jar and its libraries.
#   scripts/cpu-decode-profile.sh            (from the repository root)
# Build here first, then carry .jre.tar.xz, cli/target/lib (or work-area/gpulib) and cli/target/xlstm-cli.jar:
#   ../shared/tools/gpu-jre.sh --xz && mvn -B -q -o -DskipTests -pl cli -am package
# Environment: THREADS (default 16,8), CONFIGS (default 125m,350m), DECODE (timed steps, and as many profiled;
# default 64), WARMUP (seconds of untimed steps, default 1), BW_MIB (bandwidth array size, default 1024; 0: none;
# VARIANT_BW_MIB for the variant runs, default 256),
# CKPT_DIR (default work-area/cpu-decode-profile/ckpt; checkpoints reused when present), JAVA_OPTS (extra JVM flags
# of every run, e.g. -Dxlstm.spin.us=1000), VARIANTS (';'-separated JVM flag sets, each one more run of the first
# config at the first thread count; default: one and four weight streams per thread (the default is two), weights
# on huge pages, one contiguous GEMV range per thread, claims by atomic add in the pool; '' for none).
# Output on stdout and in $OUT (default work-area/cpu-decode-profile)/profile.log; a summary line per run at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out=${OUT:-work-area/cpu-decode-profile}
ckpt=${CKPT_DIR:-work-area/cpu-decode-profile/ckpt} # not under $OUT: the device tool would fetch them
threads_list=${THREADS:-16,8}
configs=${CONFIGS:-125m,350m}
decode=${DECODE:-64}
warmup=${WARMUP:-1}
bw=${BW_MIB:-1024}
variant_bw=${VARIANT_BW_MIB:-256}
variants=${VARIANTS--Dxlstm.gemv.streams=1;-Dxlstm.gemv.streams=4;-Dxlstm.weights.copy=huge;-Dxlstm.gemv.chunks=1;-Dxlstm.pool.xadd=true}
mkdir -p "$out" "$ckpt"
log=$out/profile.log

# the carried JRE (or JAVA_HOME) and, when only they were carried, the trimmed libraries of scripts/gpu-lib.sh
source scripts/gpu-env.sh || exit 2
java=$JAVA_HOME/bin/java
if [[ ! -f cli/target/xlstm-cli.jar || ! -d cli/target/lib ]]; then
  echo "cpu-decode-profile: cli/target/xlstm-cli.jar and cli/target/lib are missing: mvn -B -DskipTests -pl cli -am package" >&2
  exit 2
fi

# shellcheck disable=SC2206
jvm=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:MaxDirectMemorySize=1024g
     -Dai.djl.offline=true ${JAVA_OPTS:-} -cp "cli/target/lib/*:cli/target/xlstm-cli.jar" xlstm.cli.Main)
start=$SECONDS

{
  echo "cpu-decode-profile $(date -u +%Y-%m-%dT%H:%MZ) on $(hostname); $("$java" -version 2>&1 | head -n 1)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-) x $(nproc); $(grep MemTotal /proc/meminfo)"
  echo "transparent huge pages: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo '?'), defrag" \
    "$(cat /sys/kernel/mm/transparent_hugepage/defrag 2>/dev/null || echo '?'); $(lscpu 2>/dev/null | grep -m1 'NUMA node(s)' || true)"
  echo "THREADS=$threads_list CONFIGS=$configs DECODE=$decode WARMUP=$warmup BW_MIB=$bw JAVA_OPTS=${JAVA_OPTS:-}"
  echo "VARIANTS=$variants"
} 2>&1 | tee -a "$log"

# A random HF-layout checkpoint (the config of scripts/cpu_vs_torch.py), written by our CLI unless already there.
checkpoint() {
  local name=$1 e blocks dir
  case $name in
    125m) e=768; blocks=12 ;;
    350m) e=1024; blocks=24 ;;
    *) echo "cpu-decode-profile: unknown config '$name' (125m or 350m)" >&2; exit 2 ;;
  esac
  dir=$ckpt/$name
  if [[ ! -f $dir/config.json ]]; then
    cat > "$ckpt/$name.config.json" <<EOF
{"model_type": "xlstm", "architectures": ["xLSTMForCausalLM"], "vocab_size": 50304, "hidden_size": $e,
 "embedding_dim": $e, "num_hidden_layers": $blocks, "num_blocks": $blocks, "num_heads": 4, "qk_dim_factor": 0.5,
 "v_dim_factor": 1.0, "ffn_proj_factor": 2.667, "ffn_round_up_to_multiple_of": 64, "chunk_size": 64,
 "mode": "inference", "return_last_states": true, "use_bias": false, "tie_word_embeddings": false,
 "bos_token_id": 0, "eos_token_id": 2, "pad_token_id": 1, "torch_dtype": "float32"}
EOF
    "$java" "${jvm[@]}" random-checkpoint --config "$ckpt/$name.config.json" --seed 1 --force --no-progress "$dir" \
      2>&1 | { grep -v '^WARNING' || true; } | tee -a "$log" >&2 || { echo "cpu-decode-profile: no checkpoint $dir" >&2; exit 2; }
  fi
  echo "$dir"
}

summary=()
# One profiled bench run: config, thread count, extra JVM flags (may be empty).
run() {
  local c=$1 t=$2 opts=$3 mib=$4 dir run_out
  dir=$(checkpoint "$c")
  echo "" | tee -a "$log"
  echo "=== $c, $t threads, batch 1, $decode decode steps timed + $decode profiled${opts:+, $opts}" \
    "($((SECONDS - start)) s so far)" | tee -a "$log"
  local args=(bench --backend cpu --model "$dir" --prefill 0 --decode "$decode" --batch 1 --warmup "$warmup" --profile)
  [[ $mib -gt 0 ]] && args+=(--bandwidth "$mib")
  # shellcheck disable=SC2086
  local raw rc=0
  raw=$("$java" "-Dxlstm.threads=$t" $opts "${jvm[@]}" "${args[@]}" 2>&1) || rc=$?
  run_out=$(echo "$raw" | grep -v -e '^WARNING' -e '^\[[0-9]*/[0-9]*\]' || true)
  echo "$run_out" | tee -a "$log"
  # a run that ends without its tables says how (several did once, silently, on the GPU machine)
  if ((rc != 0)); then
    echo "!! java exit $rc$( ((rc > 128)) && echo " (signal $((rc - 128)))")" | tee -a "$log"
  fi
  local tok step
  tok=$(echo "$run_out" | awk '/^decode +1 x 1 per step/ {print $NF}')
  step=$(echo "$run_out" | awk '$1 == "step" {print $4 " us, " $8 " GB/s" ($9 ? ", " $9 "% of read bw" : "")}')
  summary+=("$(printf '%-5s %3s threads  %-48s %6s tok/s   profiled step %s' "$c" "$t" "${opts:-(default)}" "${tok:-?}" "${step:-?}")")
}

IFS=, read -r -a cfgs <<< "$configs"
IFS=, read -r -a threads <<< "$threads_list"
for c in "${cfgs[@]}"; do
  for t in "${threads[@]}"; do run "$c" "$t" "" "$bw"; done
done
if [[ -n $variants ]]; then
  IFS=';' read -r -a vs <<< "$variants"
  for v in "${vs[@]}"; do run "${cfgs[0]}" "${threads[0]}" "$v" "$variant_bw"; done
fi
echo "" | tee -a "$log"
echo "summary (timed median step; profiled step of as many steps again)" | tee -a "$log"
printf '%s\n' "${summary[@]}" | tee -a "$log"
echo "" | tee -a "$log"
echo "cpu-decode-profile: done in $((SECONDS - start)) s; log $log" | tee -a "$log"
