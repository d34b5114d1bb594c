# Shared by the device scripts (sourced): set the machine up, watch the background trainings, then bring back their
# checkpoints and logs in $OUT (at most 8 files come back). Uses W (the work folder), JOBS (run names), T0 (start),
# OUT, DEV (cuda, or cpu for a dry run) and SKIP_PIP (a dry run here: nothing to install).

# setup DIR TRAINER: DIR unpacked from DIR_pack/*.tgz if it did not travel as a folder (tens of thousands of small
# files travel as more than their size), the wheels of .whl installed (pyclipper, pypdfium2, shapely: the device
# lacks them), DIR/fonts made the user's fonts, and a check that torch sees the GPU and the trainer module imports.
setup() {
  [ -d $1 ] || tar xzf $1_pack/*.tgz || exit 2
  [ -n "${SKIP_PIP:-}" ] || python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl || exit 3
  export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1
  [ -n "${SKIP_PIP:-}" ] || { mkdir -p ~/.fonts && cp $1/fonts/* ~/.fonts/; }
  python3 -c "import torch, shapely, $2; assert '$DEV' == 'cpu' or torch.cuda.is_available(); print('torch', torch.__version__)" || exit 4
  rm -rf $W; mkdir -p $W
}

# Print each run's last log line every POLL seconds until every background job has ended.
wait_jobs() {
  while [ $(jobs -r | wc -l) -gt 0 ]; do
    sleep ${POLL:-30}; echo "t=$(( $(date +%s) - T0 ))s"; for j in $JOBS; do tail -n 1 $W/$j.log; done
    nvidia-smi --query-gpu=utilization.gpu --format=csv,noheader || true
  done
}

# bring_back RUN KIND...: the run's KIND.pt checkpoints (best, last) without the optimizer, as $OUT/RUN_KIND.pt.
bring_back() {
  local j=$1 k; shift
  for k in "$@"; do
    python3 -c "
import torch
s = torch.load('$W/$j/$k.pt', map_location='cpu', weights_only=False)
for key in ('optimizer', 'scheduler', 'scaler'): s.pop(key, None)
torch.save(s, '$OUT/${j}_$k.pt'); print('$j $k step', s['step'], 'best', s['best'])
" || echo "no $k for $j"
  done
}

# The logs and metrics as one tar, and each run's last validation lines.
finish() {
  (cd $W && tar czf $OUT/logs.tgz synth.log $(for j in $JOBS; do echo $j.log $j/metrics.jsonl; done))
  for j in $JOBS; do grep "val" $W/$j.log | tail -n 3; done
  echo "done at $(( $(date +%s) - T0 )) s"
}
