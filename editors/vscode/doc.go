// Package vscode is the VS Code extension for gilsim scenario files: a
// TextMate grammar (syntaxes/gilsim.tmLanguage.json) that colours them,
// and a client (extension.js) that starts `gilsim lsp`. It holds no Go
// code but the test of the grammar, which runs its regular expressions
// with Go's regexp over sample files.
package vscode
