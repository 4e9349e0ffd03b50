#!/bin/sh
# A fake python for gilsim calibrate's tests: checks that it is called as
# "python measure.py --budget SECONDS" and prints a canned report.
case "$1" in */measure.py) ;; *) echo "fake python: want measure.py, got $1" >&2; exit 9 ;; esac
[ -f "$1" ] || { echo "fake python: $1 does not exist" >&2; exit 9; }
[ "$2" = "--budget" ] || { echo "fake python: want --budget, got $2" >&2; exit 9; }
echo "measuring (canned)" >&2
cat "$(dirname "$0")/busy.json"
