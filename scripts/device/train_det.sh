#!/usr/bin/env bash
# One device call for the detector (a lent GPU, 15 minutes of device time in all): synthetic pages rendered there,
# then two fine-tuning runs of the shipped detector side by side (learning rates LR1 and LR2, real-page shares SHARE1
# and SHARE2), each under a time limit; their best checkpoints (no optimizer) and the logs come back in $OUT.
# Carry: .det_pack (one tar of .det: the training pages outside the held-out split, gray WebP, and the fonts) and
# .whl (pyclipper, pypdfium2, shapely: the device lacks them; `pip download --no-deps --only-binary=:all:
# --python-version 3.12 --platform manylinux_2_17_x86_64 -d .whl NAME`). The pack, made here (41 MB):
#   D=../shared/data/detection
#   python scripts/pack_for_device.py --out .det --exclude runs/det_real/val/* --max-pages 450 --seed 51 \
#     $D/funsd_train $D/icdar2015_train $D/sroie_train
#   mkdir -p .det_pack && tar czf .det_pack/det.tgz .det
# Measured on an H200 (stop 51): 9-11 steps/s a job at batch 16 with 6 crop workers each (the CPUs are the limit):
# about 2,800 steps in 7.2 minutes, so STEPS suits BUDGET at about 9.5 steps/s.
# Since stop 68 the crops travel compact (24 MB a batch, not 112) and are made 1.45x as fast: a run should
# make more steps; its log's it/s says how many, for the next STEPS.
# ANGLE1 / ANGLE2 (stop 69): degrees either way that 30% of a job's crops are turned by (3 as before); the detector
# learnt text a few degrees off and reads a page turned 30 degrees as fragments without --use-deskew: try 15-20.
# The tree travels too (64 MiB with the carried paths): weights other than the detector are moved out meanwhile.
# Dry run here: OUT=/tmp/out DEV=cpu SKIP_PIP=1 PAGES=8 STEPS=4 EVAL=2 VAL=2 WORKERS=1 BUDGET=200 bash scripts/device/train_det.sh
set -u
T0=$(date +%s)
. scripts/device/jobs.sh
DEV=${DEV:-cuda} W=/tmp/w
setup .det ocdr.training.train_det
# The synthetic-only recipe's pages (the detector's card).
python3 -m ocdr.cli synth pages --out $W/synth_pages --count ${PAGES:-300} --seed ${PSEED:-1} --dpi 200 --min-pt 7 --max-pt 16 \
  --max-skew 2 --workers 14 > $W/synth.log 2>&1 || { tail -n 5 $W/synth.log; exit 5; }
echo "synthetic pages at $(( $(date +%s) - T0 )) s"
nvidia-smi --query-gpu=name,memory.used --format=csv,noheader || true
LIMIT=$(python3 -c "print(round((${BUDGET:-540} - ($(date +%s) - $T0) - 40) / 60, 2))")
echo "time limit per job: $LIMIT min"
G=.det
COMMON="--init ocdr/runtime/weights/det_dbnet_resnet18_lite.onnx --data $G/funsd_train $G/icdar2015_train
  --line-data $G/sroie_train --synth-data $W/synth_pages --batch-size ${BATCH:-16} --crop-size 512
  --steps ${STEPS:-3500} --eval-every ${EVAL:-700} --val-pages ${VAL:-15} --workers ${WORKERS:-6} --device $DEV
  --threads 2 --seed 0 --time-limit $LIMIT"
python3 -m ocdr.cli train det $COMMON --lr ${LR1:-5e-4} --real-share ${SHARE1:-0.85} --max-angle ${ANGLE1:-3} \
  --out $W/d1 > $W/d1.log 2>&1 &
python3 -m ocdr.cli train det $COMMON --lr ${LR2:-1e-3} --real-share ${SHARE2:-0.85} --max-angle ${ANGLE2:-3} \
  --out $W/d2 > $W/d2.log 2>&1 &
JOBS="d1 d2"
wait_jobs
for j in $JOBS; do bring_back $j best last; done
finish
