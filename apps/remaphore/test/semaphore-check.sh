#!/bin/sh
# Run while holding a slot: counts the holders in the lock dir ($1) and records a violation when
# more than $2 hold at once. mkdir and rmdir are atomic: every holder is a folder while it holds.
lock=$1
slots=$2
mkdir "$lock/slot.$$" || exit 1
set -- "$lock"/slot.*
if [ "$#" -gt "$slots" ]; then echo "$#" >> "$lock.violations"; fi
echo "$#" >> "$lock.counts"
sleep 0.05
rmdir "$lock/slot.$$"
