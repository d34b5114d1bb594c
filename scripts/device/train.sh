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
. scripts/device/jobs.sh
DEV=${DEV:-cuda} W=/tmp/w
setup .gpu ocdr.training.train_rec
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
wait_jobs
for j in $JOBS; do bring_back $j best $([ ${j:0:1} = r ] && echo last); done  # 8 files: the classifiers' best only
finish
