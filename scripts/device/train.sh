#!/usr/bin/env bash
# One device call (a lent GPU, 15 minutes of device time in all, so one call and no second try): synthetic lines
# rendered there, then two recognizer and two text-line classifier runs side by side, each under a time limit; the
# best and last checkpoints (no optimizer) and the logs come back in $OUT.
# Carry: .gpu_pack (.gpu as one tar: crop sets and fonts from python scripts/pack_for_device.py --out .gpu <folders>,
# then tar czf .gpu_pack/gpu.tgz .gpu) and .whl (pyclipper,
# pypdfium2: the device lacks them). The tree travels too (64 MiB with the carried paths), so the weights these runs do
# not start from (detector, int8, synthetic-only, page and scene classifiers: 30 MB) are moved out of it meanwhile.
# Dry run here: OUT=/tmp/out DEV=cpu SKIP_PIP=1 SYN=300 SYNE=200 STEPS=4 BUDGET=200 bash scripts/device/train.sh
set -u
T0=$(date +%s)
# Tens of thousands of small files travel as more than their size: .gpu may come as one tar (carry .gpu_pack).
[ -d .gpu ] || tar xzf .gpu_pack/gpu.tgz || exit 2
[ -n "${SKIP_PIP:-}" ] || python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 3
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1
[ -n "${SKIP_PIP:-}" ] || { mkdir -p ~/.fonts && cp .gpu/fonts/* ~/.fonts/; }
DEV=${DEV:-cuda}
python3 -c "import torch, ocdr.training.train_rec; assert '$DEV' == 'cpu' or torch.cuda.is_available(); print('torch', torch.__version__)" || exit 4
W=/tmp/w; rm -rf $W; mkdir -p $W
python3 -m ocdr.cli synth lines --out $W/synth_a --count ${SYN:-40000} --seed 31 --workers 14 > $W/synth.log 2>&1 &
python3 -m ocdr.cli synth lines --out $W/synth_b --count ${SYN:-40000} --seed 32 --workers 14 --line-prob 0.5 >> $W/synth.log 2>&1 &
python3 -m ocdr.cli synth lines --out $W/synth_end --count ${SYNE:-30000} --seed 33 --workers 14 --end-prob 0.5 >> $W/synth.log 2>&1 &
wait; tail -n 3 $W/synth.log; echo "synthetic lines at $(( $(date +%s) - T0 )) s"
nvidia-smi --query-gpu=name,memory.used --format=csv,noheader || true
G=.gpu
LIMIT=$(python3 -c "print(round((${BUDGET:-540} - ($(date +%s) - $T0) - 45) / 60, 2))")
echo "time limit per job: $LIMIT min"
# The first five folders in the order of runs/rec_real (and runs/cls_line2), so that --seed 0 holds out the same crops.
REC="$G/iiit5k_train $G/icdar2015_words_train $G/svt_train $G/funsd_train_words $G/sroie_train_lines"
REC="$REC $G/ic15_rect_rec_train $G/funsd_rect_train $G/sroie_rect_train"
CLS="$G/iiit5k_train $G/svt_train $G/icdar2015_words_train $G/funsd_train_words $G/sroie_train_lines $G/ic15_rect_train"
SYNTH="$W/synth_a $W/synth_b $W/synth_end"
COMMON="--device $DEV --threads 3 --time-limit $LIMIT --seed 0 --eval-every ${EVAL:-1000}"
python3 -m ocdr.cli train rec --data $REC --synth-data $SYNTH --real-share 0.5 --init ocdr/runtime/weights/rec_crnn_lite.onnx \
  --freeze-bn --lr 1e-4 --steps ${STEPS:-9000} --out $W/r1 $COMMON > $W/r1.log 2>&1 &
python3 -m ocdr.cli train rec --data $REC --synth-data $SYNTH --real-share 0.5 --init ocdr/runtime/weights/rec_crnn_lite.onnx \
  --lr 2e-4 --steps ${STEPS:-9000} --out $W/r2 $COMMON > $W/r2.log 2>&1 &
python3 -m ocdr.cli train cls --task line --data $CLS --synth 0 --synth-data $W/synth_b --augment 1 --real-share 0.5 \
  --init ocdr/runtime/weights/cls_line_orientation_lite.onnx --lr 5e-4 --steps ${STEPS:-10000} --out $W/c1 $COMMON > $W/c1.log 2>&1 &
python3 -m ocdr.cli train cls --task line --arch line_orientation_base --data $CLS --synth 0 --synth-data $W/synth_b \
  --augment 1 --real-share 0.5 --lr 2e-3 --steps ${STEPS:-10000} --out $W/c2 $COMMON > $W/c2.log 2>&1 &
JOBS="r1 r2 c1 c2"
while [ $(jobs -r | wc -l) -gt 0 ]; do
  sleep ${POLL:-30}; echo "t=$(( $(date +%s) - T0 ))s"; for j in $JOBS; do tail -n 1 $W/$j.log; done
  nvidia-smi --query-gpu=utilization.gpu --format=csv,noheader || true
done
for j in $JOBS; do  # at most 8 files come back: the classifiers' best only
  for k in best $([ ${j:0:1} = r ] && echo last); do
    python3 -c "
import torch
s = torch.load('$W/$j/$k.pt', map_location='cpu', weights_only=False)
for key in ('optimizer', 'scheduler', 'scaler'): s.pop(key, None)
torch.save(s, '$OUT/${j}_$k.pt'); print('$j $k step', s['step'], 'best', s['best'])
" || echo "no $k for $j"
  done
done
(cd $W && tar czf $OUT/logs.tgz synth.log $(for j in $JOBS; do echo $j.log $j/metrics.jsonl; done))
for j in $JOBS; do grep "val" $W/$j.log | tail -n 2; done
echo "done at $(( $(date +%s) - T0 )) s"
