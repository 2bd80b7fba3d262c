//! Tool calls and their results: the `tool_use` blocks of assistant lines and the user lines
//! that answer them, which carry most of a transcript's bytes.

use serde_json::{Value, json};

use super::dice::{Corpus, Dice};

/// Tools Claude Code calls, by how often.
const TOOLS: &[(&str, u32)] = &[
    ("Bash", 30),
    ("Read", 25),
    ("Edit", 15),
    ("Grep", 10),
    ("Glob", 5),
    ("TodoWrite", 5),
    ("Write", 4),
    ("Task", 3),
    ("WebFetch", 3),
];

/// One tool call of a response.
pub(crate) struct ToolCall<'c> {
    /// `toolu_01…`.
    pub(crate) id: String,
    /// The tool's name.
    pub(crate) name: &'static str,
    /// Its `input` object.
    pub(crate) input: Value,
    /// For `Task`: the prompt handed to the sub-agent.
    pub(crate) prompt: Option<&'c str>,
}

/// A tool call with realistic input.
pub(crate) fn call<'c>(dice: &mut Dice, corpus: &'c Corpus) -> ToolCall<'c> {
    let name = dice.weighted(TOOLS);
    let file = format!("/home/dev/src/{}.rs", dice.base58(8));
    let mut prompt = None;
    let input = match name {
        "Bash" => json!({
            "command": corpus.cut(dice, 120.0, 0.9, 1_500),
            "description": corpus.cut(dice, 30.0, 0.4, 120),
        }),
        "Read" => json!({ "file_path": file }),
        "Edit" => json!({
            "file_path": file,
            "old_string": corpus.cut(dice, 600.0, 1.0, 8_000),
            "new_string": corpus.cut(dice, 700.0, 1.0, 10_000),
        }),
        "Write" => json!({ "file_path": file, "content": corpus.cut(dice, 2_500.0, 0.9, 30_000) }),
        "Grep" => json!({
            "pattern": corpus.cut(dice, 12.0, 0.5, 60),
            "path": "src",
            "output_mode": "content",
        }),
        "Glob" => json!({ "pattern": "**/*.rs" }),
        "TodoWrite" => {
            let todos: Vec<Value> = (0..dice.between(2, 8))
                .map(|_| {
                    json!({
                        "content": corpus.cut(dice, 40.0, 0.5, 200),
                        "status": dice.pick(&["pending", "in_progress", "completed"]),
                        "activeForm": corpus.cut(dice, 30.0, 0.5, 150),
                    })
                })
                .collect();
            json!({ "todos": todos })
        }
        "Task" => {
            let text = corpus.cut(dice, 800.0, 0.8, 6_000);
            prompt = Some(text);
            json!({
                "description": corpus.cut(dice, 30.0, 0.4, 100),
                "prompt": text,
                "subagent_type": dice.pick(&["general-purpose", "Explore", "Plan"]),
            })
        }
        _ => json!({
            "url": format!("https://example.com/{}", dice.base58(10)),
            "prompt": corpus.cut(dice, 80.0, 0.5, 400),
        }),
    };
    ToolCall {
        id: format!("toolu_01{}", dice.base58(22)),
        name,
        input,
        prompt,
    }
}

/// A tool's result text, and the `toolUseResult` Claude Code stores beside it (which repeats
/// much of it, as the real one does).
pub(crate) fn result<'c>(
    dice: &mut Dice,
    corpus: &'c Corpus,
    call: &ToolCall<'_>,
) -> (&'c str, Value) {
    let body = match call.name {
        "Read" => corpus.cut(dice, 2_000.0, 1.1, 40_000),
        "Bash" | "Grep" => corpus.cut(dice, 700.0, 1.2, 30_000),
        _ => corpus.cut(dice, 300.0, 1.0, 8_000),
    };
    let extra = match call.name {
        "Read" => {
            let lines = body.bytes().filter(|b| *b == b'\n').count() + 1;
            json!({
                "type": "text",
                "file": {
                    "filePath": call.input.get("file_path").cloned().unwrap_or(Value::Null),
                    "content": body,
                    "numLines": lines,
                    "startLine": 1,
                    "totalLines": lines,
                },
            })
        }
        "Bash" => json!({ "stdout": body, "stderr": "", "interrupted": false, "isImage": false }),
        _ => {
            let mut end = body.len().min(200);
            while !body.is_char_boundary(end) {
                end -= 1;
            }
            json!({ "type": "update", "content": &body[..end] })
        }
    };
    (body, extra)
}
