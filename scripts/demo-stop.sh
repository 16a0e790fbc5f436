#!/bin/sh
# Stops the demo pool started by scripts/demo.sh, and waits until its ports are free.
for f in build/demo/mc-*.pid; do
	[ -f "$f" ] || continue
	pid=$(cat "$f")
	kill "$pid" 2>/dev/null
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	rm -f "$f"
done
echo "demo pool stopped"
