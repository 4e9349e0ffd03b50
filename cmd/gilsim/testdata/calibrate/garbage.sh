#!/bin/sh
# A fake python that prints something other than a report.
echo "Python 2.7.18"
