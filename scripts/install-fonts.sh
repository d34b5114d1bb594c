#!/usr/bin/env bash
# Installs the free fonts listed in ocdr/training/synth/fonts.txt (Debian/Ubuntu), and the word list's source.
set -euo pipefail
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
  fonts-dejavu-core fonts-dejavu-extra fonts-liberation2 fonts-freefont-ttf fonts-crosextra-caladea \
  fonts-crosextra-carlito fonts-croscore fonts-open-sans fonts-lato fonts-roboto-unhinted fonts-roboto-slab \
  fonts-urw-base35 fonts-cantarell fonts-inconsolata fonts-hack fonts-texgyre
