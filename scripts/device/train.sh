#!/usr/bin/env bash
# Device call 2 of 2: the detector (crops made by --workers processes), the recognizer (with sentence-end crops) and
# the text-line classifier side by side, each under a time limit, best checkpoints (no optimizer) into $OUT.
# Carry: .gpu (crop sets, fonts, classifier start) .det2 (FUNSD and SROIE pages) .whl; .det from call 1 stays.
# Data: python scripts/pack_for_device.py --out .gpu <crop sets>; ... --out .det --no-fonts <icdar2015_train>;
# ... --out .det2 --no-fonts <funsd_train> <sroie_train>. Dry run here: OUT=/tmp/out DEV=cpu SKIP_PIP=1 DSTEPS=6 ...
# Reuses call 1's wheels, fonts and renders when the machine stayed warm (30 s between calls); redoes them if not.
# Size: a call's tree is at most 64 MiB and the tracked files are 38 MB, so both calls fit only with the weights these
# runs do not read (the synthetic-only and int8 files, the page classifier: 21 MB) moved out of the tree meanwhile.
set -u
T0=$(date +%s)
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1
W=/tmp/w
if [ ! -e $W/prep.done ]; then echo "cold machine: preparing again"; SYN=30000 SYNE=20000 bash scripts/device/prep.sh || exit 6; fi
nvidia-smi --query-gpu=name,memory.used --format=csv,noheader || true
G=.gpu
LEFT=$(( ${BUDGET:-540} - ($(date +%s) - T0) - 60 ))
LIMIT=$(python3 -c "print(round($LEFT/60, 2))")
echo "time limit per job: $LIMIT min"
JOBS="r c"
if [ -d .det/icdar2015_train ]; then
  JOBS="d r c"
  python3 -m ocdr.cli train det --init ocdr/runtime/weights/det_dbnet_resnet18_lite.onnx \
    --data .det2/funsd_train .det/icdar2015_train --line-data .det2/sroie_train --synth-data $W/synth_pages \
    --real-share 0.7 --out $W/d --steps ${DSTEPS:-5000} --eval-every 1000 --val-pages 30 --batch-size ${DBS:-16} \
    --crop-size 640 --lr 1e-3 --workers ${DW:-9} --device ${DEV:-cuda} --threads 2 --time-limit $LIMIT --seed 0 > $W/d.log 2>&1 &
else
  echo "no ICDAR 2015 pages here: detector not trained"
fi
REAL="$G/iiit5k_train $G/icdar2015_words_train $G/svt_train $G/funsd_train_words $G/sroie_train_lines"
CLSREAL="$G/iiit5k_train $G/svt_train $G/icdar2015_words_train $G/funsd_train_words $G/sroie_train_lines"
python3 -m ocdr.cli train rec --data $REAL --synth-data $W/synth_a $W/synth_b $W/synth_end --real-share 0.5 \
  --init ocdr/runtime/weights/rec_crnn_lite.onnx --out $W/r --steps ${RSTEPS:-10000} --eval-every 1000 --lr 3e-4 \
  --device ${DEV:-cuda} --threads 2 --time-limit $LIMIT --seed 0 > $W/r.log 2>&1 &
python3 -m ocdr.cli train cls --task line --data $CLSREAL --synth 0 --synth-data $W/synth_b --augment 1 \
  --init $W/c1_init.pt --out $W/c --steps ${CSTEPS:-9000} --eval-every 1000 --lr 1e-3 --device ${DEV:-cuda} \
  --threads 2 --time-limit $LIMIT --seed 0 > $W/c.log 2>&1 &
while [ $(jobs -r | wc -l) -gt 0 ]; do
  sleep 30; echo "t=$(( $(date +%s) - T0 ))s"; for j in $JOBS; do tail -n 1 $W/$j.log; done
  nvidia-smi --query-gpu=utilization.gpu --format=csv,noheader || true
done
for j in $JOBS; do
  python3 -c "
import torch
s = torch.load('$W/$j/best.pt', map_location='cpu', weights_only=False)
for k in ('optimizer', 'scheduler'): s.pop(k, None)
torch.save(s, '$OUT/$j.pt'); print('$j best step', s['step'], 'score', s['best'])
" || echo "no best for $j"
done
(cd $W && tar czf $OUT/logs.tgz $(for j in $JOBS; do echo $j.log $j/metrics.jsonl; done))
for j in $JOBS; do grep "val" $W/$j.log | tail -n 2; done
echo "done at $(( $(date +%s) - T0 )) s"
