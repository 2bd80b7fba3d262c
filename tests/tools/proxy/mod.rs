//! costtop's proxy in front of the tests' mock Messages API, with real clients: the anthropic
//! Python SDK and the TypeScript SDK ([`sdk`]), and a real Claude Code in a terminal
//! ([`claude`]). Every expected figure is the mock's own record of what it served.

mod claude;
mod sdk;
