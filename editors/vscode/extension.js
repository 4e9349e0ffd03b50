// Starts `gilsim lsp` for .sim files. The grammar in syntaxes/ colours
// them; everything else (diagnostics, hover, completion, definition,
// formatting, the outline) comes from the server.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("gilsim").get("path", "gilsim");
  const server = { command, args: ["lsp"] };
  client = new LanguageClient("gilsim", "gilsim", server, {
    documentSelector: [
      { scheme: "file", language: "gilsim" },
      { scheme: "untitled", language: "gilsim" },
    ],
  });
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
