#!/usr/bin/env bash
# Device call 1 of 2 (see train.sh): wheels, fonts, synthetic pages and lines rendered into /tmp/w, which stays
# while the machine is warm. Carry: .whl .gpu/fonts .gpu/c1_init.pt .det (ICDAR 2015 pages: too big for one call).
set -u
T0=$(date +%s)
[ -n "${SKIP_PIP:-}" ] || python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 3
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1
[ -n "${SKIP_PIP:-}" ] || { mkdir -p ~/.fonts && cp .gpu/fonts/* ~/.fonts/; }
W=/tmp/w; mkdir -p $W; cp .gpu/c1_init.pt $W/
python3 -c "import torch, ocdr.training.train_det; assert '${DEV:-cuda}' == 'cpu' or torch.cuda.is_available(); print('torch', torch.__version__)" || exit 4
python3 -m ocdr.cli synth pages --out $W/synth_pages --count 300 --seed 1 --dpi 200 --min-pt 7 --max-pt 16 --max-skew 2 --workers 14 || exit 5
python3 -m ocdr.cli synth lines --out $W/synth_a --count ${SYN:-40000} --seed 31 --workers 14 || exit 5
python3 -m ocdr.cli synth lines --out $W/synth_b --count ${SYN:-40000} --seed 32 --workers 14 --line-prob 0.5 || exit 5
python3 -m ocdr.cli synth lines --out $W/synth_end --count ${SYNE:-30000} --seed 33 --workers 14 --end-prob 0.5 || exit 5
touch $W/prep.done
ls $W; du -sh $W .det; echo "prep done at $(( $(date +%s) - T0 )) s"
