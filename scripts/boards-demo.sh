#!/bin/sh
# The ways to reach a board, end to end, with the real servers on loopback: an rpi4
# played by the aarch64 agent under qemu-aarch64 -cpu cortex-a72, reached through
# Debian's sshd (after `edgebench deploy`) and through ser2net (raw TCP and RFC 2217),
# the fault cases, three emulated boards at once against one after another, and a LAVA
# job checked with lava-common's validator. Prints each step's time; the numbers in the
# README come from it. Everything lives in one temporary folder (keys, configurations,
# the board's home); the servers listen on 127.0.0.1 only and are stopped on exit.
# Needs build/ and build-aarch64/ (scripts/build.sh, scripts/cross-test.sh aarch64).
#   scripts/boards-demo.sh
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
eb=$root/build/bench/edgebench
agent=$root/build-aarch64/targets/agent/edgebench-agent
py=/usr/bin/python3
for f in "$eb" "$agent"; do
    [ -x "$f" ] || { echo "boards-demo: $f missing (scripts/build.sh; build-aarch64)" >&2; exit 2; }
done
tmp=$(mktemp -d /tmp/eb_boards_demo_XXXXXX)
pids=""
cleanup() { # each server runs in a session of its own: its whole group goes
    for p in $pids; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
free_port() { $py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
step() { printf '\n== %s\n' "$*"; }
M="--model fc_autoencoder_int8,ds_cnn_int8 --warmup 2 --warmup-time 0 --min-time 0.5 --repetitions 2"

# ---- sshd with a board account ---------------------------------------------------
step "sshd on 127.0.0.1 (keys in $tmp)"
home=$tmp/home
mkdir -p "$home/bin"
cd "$tmp"
for k in host id other; do ssh-keygen -q -t ed25519 -N '' -C "eb-demo-$k" -f "${k}_ed25519"; done
cp id_ed25519.pub authorized_keys
{ printf 'board '; cat host_ed25519.pub; } > known_hosts
: > empty_known_hosts
[ -d /run/sshd ] || mkdir -p /run/sshd
port=$(free_port)
cat > sshd_config <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $tmp/host_ed25519
PidFile $tmp/sshd.pid
AuthorizedKeysFile $tmp/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
SetEnv HOME=$home PATH=$home/bin:/usr/local/bin:/usr/bin:/bin
EOF
setsid /usr/sbin/sshd -D -e -f "$tmp/sshd_config" 2> sshd.log &
pids="$pids $!"
# the board's CPU: binfmt_misc would do this on a real x86 machine posing as an rpi4
cat > "$home/bin/qemu-board" <<'EOF'
#!/bin/sh
p=$(command -v "$1") || { echo "qemu-board: $1: not found" >&2; exit 127; }
shift
exec qemu-aarch64 -cpu cortex-a72 "$p" "$@"
EOF
chmod +x "$home/bin/qemu-board"
ssh_config() { # name port key known
    cat > "$1" <<EOF
Host board
  HostName 127.0.0.1
  Port $2
  User $(id -un)
  IdentityFile $tmp/$3
  IdentitiesOnly yes
  HostKeyAlias board
  UserKnownHostsFile $tmp/$4
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
EOF
}
ssh_config ssh_config "$port" id_ed25519 known_hosts
ssh_config ssh_config_other "$port" other_ed25519 known_hosts
ssh_config ssh_config_unknown "$port" id_ed25519 empty_known_hosts
ssh_config ssh_config_closed "$(free_port)" id_ed25519 known_hosts
# rpi4 as an SSH board: targets/rpi4.json with transport ssh
target() { # file config
    $py - "$root/targets/rpi4.json" "$1" "$2" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1]))
t.update(transport="ssh", host="board", ssh_options=["-F", sys.argv[3]], agent_prefix="qemu-board")
json.dump(t, open(sys.argv[2], "w"), indent=1)
EOF
}
target rpi4ssh.json ssh_config
target rpi4ssh_other.json ssh_config_other
target rpi4ssh_unknown.json ssh_config_unknown
target rpi4ssh_closed.json ssh_config_closed
sleep 0.3

step "before deploy: no agent on the board"
"$eb" run --target rpi4ssh.json $M --quiet --out r.json || true
step "edgebench deploy --target rpi4ssh.json"
t0=$(now)
"$eb" deploy --target rpi4ssh.json --agent "$agent"
echo "-- deploy: $(took "$t0")"
step "edgebench run over SSH"
t0=$(now)
"$eb" run --target rpi4ssh.json $M --out ssh.json
echo "-- run over sshd: $(took "$t0"), report $(wc -l < ssh.json) lines, complete: $(grep -c '"complete":	true' ssh.json) of 3"
step "SSH fault cases (each one sentence, exit 2)"
for t in rpi4ssh_other rpi4ssh_unknown rpi4ssh_closed; do
    t0=$(now)
    rc=0
    "$eb" run --target $t.json $M --quiet --out f.json || rc=$?
    echo "-- $t: exit $rc, $(took "$t0")"
done

# ---- ser2net in front of a pty with the agent ----------------------------------------
step "ser2net on 127.0.0.1 in front of a pty with the aarch64 agent"
setsid $py - "$agent" > pty.name <<'EOF' &
import os, subprocess, sys, tty
m, s = os.openpty()
tty.setraw(s)
print(os.ttyname(s), flush=True)
subprocess.run(["qemu-aarch64", "-cpu", "cortex-a72", sys.argv[1], "--stdio"], stdin=m, stdout=m)
EOF
pids="$pids $!"
sleep 0.5
pty=$(cat pty.name)
raw=$(free_port)
rfc=$(free_port)
cat > ser2net.yaml <<EOF
connection: &raw
  accepter: tcp,127.0.0.1,$raw
  connector: serialdev,$pty,115200n81,local
connection: &rfc
  accepter: telnet(rfc2217),tcp,127.0.0.1,$rfc
  connector: serialdev,$pty,115200n81,local
EOF
setsid ser2net -n -u -c "$tmp/ser2net.yaml" -P "$tmp/ser2net.pid" > ser2net.log 2>&1 &
s2n=$!
pids="$pids $s2n"
sleep 0.5
for url in "tcp://127.0.0.1:$raw" "rfc2217://127.0.0.1:$rfc"; do
    t0=$(now)
    "$eb" run --target rpi4 --port "$url" $M --baud 57600 --out s2n.json
    echo "-- run through ser2net $url: $(took "$t0"), transport $(grep -o '"transport":	"[a-z0-9]*"' s2n.json)"
done
step "ser2net killed mid-run"
( sleep 8; kill "$s2n" ) &
t0=$(now)
rc=0
"$eb" run --target rpi4 --port "rfc2217://127.0.0.1:$rfc" --model ds_cnn_int8 --min-time 20 \
    --repetitions 1 --timeout 5 --quiet --out killed.json || rc=$?
echo "-- exit $rc after $(took "$t0"); kept $(grep -c '^' killed.json) report lines, complete: $(grep -o '"complete":	[a-z]*' killed.json | head -1)"
step "nothing listening any more"
rc=0
"$eb" run --target rpi4 --port "rfc2217://127.0.0.1:$rfc" $M --quiet --out f.json || rc=$?
echo "-- exit $rc"

# ---- three boards at once ---------------------------------------------------------------
step "three emulated boards, one after another"
t0=$(now)
for t in rpi4 rpi5 jetson_nano; do
    "$eb" run --target $t --emulate $M --quiet --out seq_$t.json
done
echo "-- one after another: $(took "$t0")"
step "three emulated boards at once: run --target rpi4,rpi5,jetson_nano --emulate"
t0=$(now)
"$eb" run --target rpi4,rpi5,jetson_nano --emulate $M --out many
echo "-- at once: $(took "$t0")"

# ---- LAVA --------------------------------------------------------------------------------
step "a LAVA job, checked with lava-common's validator"
"$eb" lava job --target rpi4 --model mobilenet_v1_int8,ds_cnn_int8 \
    --agent-url https://lab.example.com/edgebench/aarch64/edgebench-agent --agent "$agent" \
    --kernel https://lab.example.com/rpi4/Image --dtb https://lab.example.com/rpi4/bcm2711-rpi-4-b.dtb \
    --rootfs https://lab.example.com/rpi4/rootfs.tar.xz --rootfs-compression xz --out job.yaml
$py "$root/tests/lava/validate.py" job.yaml
echo
echo "boards-demo: done"
