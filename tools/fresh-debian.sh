#!/usr/bin/env bash
# Try the README's two commands on a stock Debian 12, as a new user would: debootstrap a minimal
# bookworm into FOLDER, install python3 and nothing else, clone this repository into it and run
# ./setup.sh (twice: the second only checks stamps), the build and the test suite, with times.
# Needs root and debootstrap (apt-get install debootstrap). Only the machine's network settings are
# copied in: its CA certificates (for a proxy that re-signs HTTPS), /etc/npmrc and a pip.conf naming
# the CA file. Usage: sudo tools/fresh-debian.sh /var/tmp/stock   (then umount -R FOLDER/{proc,dev,sys})
set -euo pipefail
S=${1:?usage: tools/fresh-debian.sh FOLDER}
repo=$(cd "$(dirname "$0")/.." && pwd)
debootstrap --variant=minbase bookworm "$S" http://deb.debian.org/debian > "$S.debootstrap.log" 2>&1
mount -t proc proc "$S/proc"; mount --rbind /dev "$S/dev"; mount --rbind /sys "$S/sys"
cp /etc/resolv.conf "$S/etc/"
mkdir -p "$S/usr/local/share/ca-certificates" "$S/etc/ssl/certs"
cp /usr/local/share/ca-certificates/*.crt "$S/usr/local/share/ca-certificates/" 2>/dev/null || true
cp /etc/ssl/certs/ca-certificates.crt "$S/etc/ssl/certs/"
printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' > "$S/etc/pip.conf"
[ ! -f /etc/npmrc ] || cp /etc/npmrc "$S/etc/npmrc"
chroot "$S" apt-get update -q > /dev/null
chroot "$S" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3 > /dev/null
git clone -q "$repo" "$S/root/briefpress"
cat > "$S/root/run.sh" <<'EOR'
#!/bin/bash
cd /root/briefpress
step=0
timed() {  # run a command, its output in /root/step-N.log; print its exit code and time
  step=$((step + 1)); local s e rc
  s=$(date +%s.%N); "$@" > "/root/step-$step.log" 2>&1 && rc=0 || rc=$?; e=$(date +%s.%N)
  echo "$* -> exit $rc in $(python3 -c "print(round($e - $s, 2))") s (log: /root/step-$step.log)"
}
timed ./setup.sh
timed ./setup.sh
ls -a /tmp > /root/tmp-before.txt
timed .venv/bin/python build.py
timed .venv/bin/python -m pytest -q -p no:cacheprovider
tail -1 "/root/step-$step.log"
ls -a /tmp | diff /root/tmp-before.txt - && echo "/tmp as it was found"
EOR
chmod +x "$S/root/run.sh"
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root chroot "$S" /root/run.sh
du -sh --one-file-system "$S/root/briefpress/.venv" "$S/root/briefpress/tools/node_modules" "$S"
