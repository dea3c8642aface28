#!/usr/bin/env bash
# The shipped-lab verdict tests under three CPU kernel families on this one machine: the machine's
# default (AVX-512 where the CPU has it), AVX2, and the plain/SSE4.1 paths. oneDNN, ATen and MKL pick
# vectorised kernels (and so summation orders) by instruction set; a claim near its decision threshold
# may then change status. tests/lab_runs/test_lab_shipped.py accepts that only within its safety band, so each
# of the three runs must pass. Takes about 3 x 10 minutes on 2 cores.
#   usage: benchmarks/cross_isa.sh [extra pytest args]
set -uo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-.venv/bin/python}
declare -A isa=(
  [default]=""
  [avx2]="ONEDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 MKL_CBWR=AVX2"
  [sse41]="ONEDNN_MAX_CPU_ISA=SSE41 ATEN_CPU_CAPABILITY=default MKL_CBWR=COMPATIBLE"
)
status=0
for name in default avx2 sse41; do
  start=$(date +%s)
  env ${isa[$name]} "$py" -m pytest -q -p no:cacheprovider tests/lab_runs/test_lab_shipped.py "$@" > "/tmp/cross_isa_$name.log" 2>&1
  rc=$?
  echo "$name: exit $rc in $(( $(date +%s) - start )) s  ($(tail -n 1 "/tmp/cross_isa_$name.log"))"
  [ $rc -eq 0 ] || { status=1; grep -E "^(FAILED|E  )" "/tmp/cross_isa_$name.log" | head -n 20; }
done
exit $status
