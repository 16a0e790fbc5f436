#!/bin/sh
# Stops the demo pool started by scripts/demo.sh.
for f in build/demo/mc-*.pid; do
	[ -f "$f" ] || continue
	kill "$(cat "$f")" 2>/dev/null
	rm -f "$f"
done
echo "demo pool stopped"
