#!/bin/sh
# A fake python that crashes like an interpreter too old for the script.
echo '  File "measure.py", line 120' >&2
echo 'SyntaxError: invalid syntax' >&2
exit 1
