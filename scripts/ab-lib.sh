# Sourced by the A/B scripts (scripts/cpu-prefill-ab.sh, scripts/gpu-decode-ab.sh): splitting a set into flags and
# class-path folders, keeping a run's result lines, and the median per set at the end.

# ab_split_set SET: the words of SET as JVM flags in AB_FLAGS and, for words cp:DIR, DIR in AB_CP (':'-separated)
ab_split_set() {
  AB_CP="" AB_FLAGS=""
  local w
  for w in $1; do
    if [[ $w == cp:* ]]; then AB_CP+="${AB_CP:+:}${w#cp:}"; else AB_FLAGS+=" $w"; fi
  done
}

# ab_keep I PATTERN LOG OUTPUT: OUTPUT's lines matching PATTERN (an ERE), labelled "set I: ", printed and added to
# LOG; without such lines, one line saying how the run ended.
ab_keep() {
  if grep -qE "$2" <<<"$4"; then
    grep -E "$2" <<<"$4" | sed "s/^/set $1: /" | tee -a "$3"
  else
    echo "set $1: no result; the run ended with: $(tail -n 2 <<<"$4")"
  fi
}

# ab_median LOG PREFIX FIELD: the median of field FIELD (0: the last) of LOG's lines that start with PREFIX (a
# grep pattern), or "-" when there are none.
ab_median() {
  grep "^$2" "$1" | awk -v f="$3" '{print (f == 0 ? $NF : $f)}' | sort -n \
    | awk '{v[NR] = $1} END {if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
