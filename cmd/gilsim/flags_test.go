package main

import "flag"

var updateScripts = flag.Bool("update", false, "rewrite the expected output of testdata/script/*.txtar")
