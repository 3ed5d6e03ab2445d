//! Reasons in the report's language: a plugin's `[messages]` (a template per id and language)
//! and the host that fills them from the plugin's answer.
//!
//! A reason is either text, shown as the plugin wrote it, or a message: an id the manifest
//! declares and its arguments (`#{ id: "nearest_facility", args: #{ facility: "F041",
//! distance: 1441.9 } }` in Rhai, [`MARK`] then the same as JSON on the WebAssembly wire). The
//! host fills the template of every language the manifest gives, so one run's report.json
//! reads in either language, and formats the numbers itself (`{distance:m}` metres with one
//! decimal, `{share:%}` a share as the page writes shares), so that a rule cannot print
//! `0 %` for a share that is not 0, nor differ from its twin in another runtime by a digit.
//! A plugin is an attacker: the templates, the arguments and their count are bounded, and an
//! undeclared id, a missing or extra argument, or an argument of the wrong type is the
//! candidate's error, naming the plugin, never a silently blank reason.

use std::collections::{BTreeMap, BTreeSet};

/// A plugin's messages: template by id, then by language tag (`zh-CN`, `en`).
pub type Messages = BTreeMap<String, BTreeMap<String, String>>;

/// The first character of a reason that is a message on the WebAssembly wire (ABI.md): no
/// reason written as text starts with a NUL.
pub const MARK: char = hecun_plugin_abi::wire::MESSAGE_MARK;

/// Messages one manifest may declare.
pub const MAX_MESSAGES: usize = 256;
/// Characters of one template.
pub const MAX_TEMPLATE_CHARS: usize = 1000;
/// Arguments of one message.
pub const MAX_ARGS: usize = 16;
/// Characters of one text argument.
pub const MAX_ARG_CHARS: usize = 200;

/// How a placeholder shows its argument.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Format {
    /// `{x}`: text as given, yes/no in the language, a number as it is (a whole float without
    /// decimals).
    Plain,
    /// `{x:m}`: metres, one decimal, with the unit (`1441.9 m`, `1441.9 米`).
    Metres,
    /// `{x:%}`: a share (0–1) as a percentage, never 0 for a share that is not (`0.04 %`).
    Share,
    /// `{x:.N}`: a number with N decimals (0–6).
    Fixed(usize),
}

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    Arg(String, Format),
}

/// A template's pieces: `{name}` or `{name:format}` placeholders (name of letters, digits,
/// `_`), `{{` and `}}` for the braces themselves.
fn parse(template: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '}' => return Err("has a `}` without its `{` (write `}}` for the brace)".into()),
            '{' => {
                let mut inner = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) => inner.push(c),
                        None => {
                            return Err(
                                "has a `{` without its `}` (write `{{` for the brace)".into()
                            );
                        }
                    }
                }
                let (name, spec) = match inner.split_once(':') {
                    Some((n, s)) => (n, Some(s)),
                    None => (inner.as_str(), None),
                };
                if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return Err(format!(
                        "has the placeholder {{{inner}}}: a name is letters, digits and _"
                    ));
                }
                let format = match spec {
                    None => Format::Plain,
                    Some("m") => Format::Metres,
                    Some("%") => Format::Share,
                    Some(s) => match s.strip_prefix('.').and_then(|n| n.parse::<usize>().ok()) {
                        Some(n) if n <= 6 && s.len() == 2 => Format::Fixed(n),
                        _ => {
                            return Err(format!(
                                "has the placeholder {{{inner}}}: the format is m (metres), % (a share) or .0 to .6 (decimals)"
                            ));
                        }
                    },
                };
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Arg(name.to_owned(), format));
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

fn placeholders(pieces: &[Piece]) -> BTreeSet<&str> {
    pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Arg(name, _) => Some(name.as_str()),
            Piece::Text(_) => None,
        })
        .collect()
}

/// Checks a manifest's `[messages]` when it loads: ids of letters, digits, `_` and `-`; each
/// with a template in at least one language, none empty nor longer than
/// [`MAX_TEMPLATE_CHARS`], each well formed, and the same placeholders in every language (a
/// placeholder only one language has is a typo that would fail only in that language's
/// report).
pub(crate) fn check_messages(messages: &Messages) -> Result<(), String> {
    if messages.len() > MAX_MESSAGES {
        return Err(format!(
            "declares {} [messages], more than {MAX_MESSAGES}",
            messages.len()
        ));
    }
    for (id, templates) in messages {
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(format!(
                "[messages] {id:?}: an id is letters, digits, _ and -"
            ));
        }
        if templates.is_empty() {
            return Err(format!(
                "[messages.{id}] needs a template in at least one language (zh-CN = \"…\", en = \"…\")"
            ));
        }
        let mut first: Option<(&str, BTreeSet<String>)> = None;
        for (lang, template) in templates {
            if template.trim().is_empty() {
                return Err(format!("[messages.{id}] {lang} is empty"));
            }
            let chars = template.chars().count();
            if chars > MAX_TEMPLATE_CHARS {
                return Err(format!(
                    "[messages.{id}] {lang} is {chars} characters long, more than {MAX_TEMPLATE_CHARS}"
                ));
            }
            let pieces = parse(template).map_err(|e| format!("[messages.{id}] {lang} {e}"))?;
            let names: BTreeSet<String> = placeholders(&pieces)
                .into_iter()
                .map(str::to_owned)
                .collect();
            match &first {
                None => first = Some((lang, names)),
                Some((other, theirs)) if *theirs != names => {
                    return Err(format!(
                        "[messages.{id}]: {lang} has the placeholders {{{}}} and {other} {{{}}}: every language names the same arguments",
                        names.into_iter().collect::<Vec<_>>().join("}, {"),
                        theirs.iter().cloned().collect::<Vec<_>>().join("}, {"),
                    ));
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}

/// A reason as the host keeps it: the text in the default language (zh-CN, the plan's own,
/// else the message's first language; a reason written as text as written) and, for a
/// message, the text in every language its manifest gives.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reason {
    /// The text in the default language.
    pub text: String,
    /// Language tag → text; empty for a reason written as text.
    pub texts: BTreeMap<String, String>,
}

/// A reason as it crossed the WebAssembly wire: text, or [`MARK`] and the message as JSON
/// (`{"id": …, "args": {…}}`).
pub(crate) fn resolve_wire(messages: &Messages, reason: String) -> Result<Reason, String> {
    match reason.strip_prefix(MARK) {
        None => Ok(Reason {
            text: reason,
            texts: BTreeMap::new(),
        }),
        Some(json) => {
            let value: serde_json::Value = serde_json::from_str(json)
                .map_err(|e| format!("answered a reason message that is not JSON: {e}"))?;
            resolve(messages, &value)
        }
    }
}

/// A reason as a plugin answered it: text (shown as written), or a message `{ id, args }`
/// filled in every language of its `[messages]` entry.
pub(crate) fn resolve(messages: &Messages, reason: &serde_json::Value) -> Result<Reason, String> {
    let map = match reason {
        serde_json::Value::String(s) => {
            return Ok(Reason {
                text: s.clone(),
                texts: BTreeMap::new(),
            });
        }
        serde_json::Value::Object(map) => map,
        other => {
            return Err(format!(
                "answered a reason that is neither text nor a message #{{ id, args }}: {}",
                short(&other.to_string())
            ));
        }
    };
    if let Some(key) = map.keys().find(|k| *k != "id" && *k != "args") {
        return Err(format!(
            "answered a reason message with the key {:?}: a message has only id and args",
            short(key)
        ));
    }
    let Some(serde_json::Value::String(id)) = map.get("id") else {
        return Err("answered a reason message without a text id".into());
    };
    let Some(templates) = messages.get(id) else {
        let declared: Vec<&str> = messages.keys().take(10).map(String::as_str).collect();
        return Err(format!(
            "answered the reason message {:?}, which plugin.toml does not declare in [messages] ({})",
            short(id),
            if declared.is_empty() {
                "it declares none".to_owned()
            } else {
                format!(
                    "it declares: {}{}",
                    declared.join(", "),
                    if messages.len() > 10 { ", …" } else { "" }
                )
            }
        ));
    };
    let empty = serde_json::Map::new();
    let args = match map.get("args") {
        None | Some(serde_json::Value::Null) => &empty,
        Some(serde_json::Value::Object(a)) => a,
        Some(other) => {
            return Err(format!(
                "message {id}: args must be a map of name → value, not {}",
                short(&other.to_string())
            ));
        }
    };
    if args.len() > MAX_ARGS {
        return Err(format!(
            "message {id}: {} arguments, more than {MAX_ARGS}",
            args.len()
        ));
    }
    let mut texts = BTreeMap::new();
    for (lang, template) in templates {
        // Checked when the manifest loaded.
        let pieces = parse(template).map_err(|e| format!("[messages.{id}] {lang} {e}"))?;
        let names = placeholders(&pieces);
        if let Some(extra) = args.keys().find(|k| !names.contains(k.as_str())) {
            return Err(format!(
                "message {id}: the argument {:?} is not in its template ({})",
                short(extra),
                if names.is_empty() {
                    "which has no placeholders".to_owned()
                } else {
                    format!(
                        "which has {{{}}}",
                        names.into_iter().collect::<Vec<_>>().join("}, {")
                    )
                }
            ));
        }
        let mut out = String::new();
        for piece in &pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Arg(name, format) => {
                    let value = args.get(name).ok_or_else(|| {
                        format!("message {id}: no argument for the placeholder {{{name}}}")
                    })?;
                    out.push_str(&fill(id, name, value, *format, lang)?);
                }
            }
        }
        texts.insert(lang.clone(), out);
    }
    let text = texts
        .get("zh-CN")
        .or_else(|| texts.values().next())
        .cloned()
        .unwrap_or_default();
    Ok(Reason { text, texts })
}

/// One argument as its placeholder shows it in `lang`.
fn fill(
    id: &str,
    name: &str,
    value: &serde_json::Value,
    format: Format,
    lang: &str,
) -> Result<String, String> {
    let chinese = lang.starts_with("zh");
    let number = match value {
        serde_json::Value::Number(n) => n.as_f64(),
        _ => None,
    };
    match (format, value) {
        (Format::Plain, serde_json::Value::String(s)) => {
            if s.chars().count() > MAX_ARG_CHARS {
                return Err(format!(
                    "message {id}: the argument {name} is longer than {MAX_ARG_CHARS} characters"
                ));
            }
            Ok(s.clone())
        }
        (Format::Plain, serde_json::Value::Bool(b)) => Ok(match (b, chinese) {
            (true, true) => "是",
            (false, true) => "否",
            (true, false) => "yes",
            (false, false) => "no",
        }
        .to_owned()),
        (Format::Plain, serde_json::Value::Number(n)) => Ok(match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.to_string(),
            (_, Some(u)) => u.to_string(),
            _ => plain_float(n.as_f64().unwrap_or(f64::NAN)),
        }),
        (_, serde_json::Value::Number(_)) => {
            let x = number.unwrap_or(f64::NAN);
            Ok(match format {
                Format::Metres => {
                    format!("{x:.1}{}", if chinese { " 米" } else { " m" })
                }
                Format::Share => format!("{} %", crate::report::numbers::percent_text(x)),
                Format::Fixed(n) => format!("{x:.n$}"),
                Format::Plain => unreachable!("matched above"),
            })
        }
        (_, other) => Err(format!(
            "message {id}: the placeholder {{{name}{}}} needs {}, not {}",
            match format {
                Format::Plain => String::new(),
                Format::Metres => ":m".into(),
                Format::Share => ":%".into(),
                Format::Fixed(n) => format!(":.{n}"),
            },
            if format == Format::Plain {
                "text, a number or yes/no"
            } else {
                "a number"
            },
            short(&other.to_string())
        )),
    }
}

/// A float as a planner reads it: a whole number without decimals, else its shortest form.
fn plain_float(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A value in a message, cut short.
fn short(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn messages(toml_text: &str) -> Messages {
        toml::from_str(toml_text).unwrap()
    }

    fn demo() -> Messages {
        messages(
            r#"
            [nearest_facility]
            zh-CN = "最近的{kind} {facility} 距离 {distance:m}，超过 {limit} 米"
            en = "nearest {kind} {facility} is {distance:m} away, beyond {limit} m"
            [in_zone]
            zh-CN = "位于拆迁范围内（占 {share:%}）"
            en = "inside the demolition zones ({share:%} of it)"
            [flag]
            zh-CN = "字段值为{value}"
            en = "the field is {value}"
            [braces]
            en = "{{literal}} {n:.2}"
            "#,
        )
    }

    #[test]
    fn a_message_is_filled_in_every_language_with_the_hosts_numbers() {
        let m = demo();
        check_messages(&m).unwrap();
        let r = resolve(
            &m,
            &json!({"id": "nearest_facility", "args": {"kind": "幼儿园", "facility": "F041", "distance": 1441.94, "limit": 300}}),
        )
        .unwrap();
        assert_eq!(
            r.texts["zh-CN"],
            "最近的幼儿园 F041 距离 1441.9 米，超过 300 米"
        );
        assert_eq!(
            r.texts["en"],
            "nearest 幼儿园 F041 is 1441.9 m away, beyond 300 m"
        );
        assert_eq!(r.text, r.texts["zh-CN"]);
        // A share is never 0 when it is not.
        let r = resolve(&m, &json!({"id": "in_zone", "args": {"share": 0.0004}})).unwrap();
        assert_eq!(r.texts["zh-CN"], "位于拆迁范围内（占 0.04 %）");
        let r = resolve(&m, &json!({"id": "flag", "args": {"value": true}})).unwrap();
        assert_eq!(
            (r.texts["zh-CN"].as_str(), r.texts["en"].as_str()),
            ("字段值为是", "the field is yes")
        );
        // Only one language: it is the default text.
        let r = resolve(&m, &json!({"id": "braces", "args": {"n": 2}})).unwrap();
        assert_eq!(r.text, "{literal} 2.00");
        // A whole float reads as an integer, in either runtime's spelling.
        assert_eq!(
            fill("x", "n", &json!(3.0), Format::Plain, "en").unwrap(),
            "3"
        );
        assert_eq!(fill("x", "n", &json!(3), Format::Plain, "en").unwrap(), "3");
        assert_eq!(
            fill("x", "n", &json!(2.5), Format::Plain, "en").unwrap(),
            "2.5"
        );
    }

    #[test]
    fn text_is_kept_as_written_and_the_wire_form_is_the_same_message() {
        let m = demo();
        let r = resolve_wire(&m, "已写好的理由".into()).unwrap();
        assert_eq!((r.text.as_str(), r.texts.len()), ("已写好的理由", 0));
        let wire = format!("{MARK}{}", json!({"id": "in_zone", "args": {"share": 0.5}}));
        let r = resolve_wire(&m, wire).unwrap();
        assert_eq!(r.texts["en"], "inside the demolition zones (50.0 % of it)");
        let e = resolve_wire(&m, format!("{MARK}{{not json")).unwrap_err();
        assert!(e.contains("not JSON"), "{e}");
    }

    #[test]
    fn a_bad_answer_is_an_error_that_says_what() {
        let m = demo();
        let err = |v: serde_json::Value| resolve(&m, &v).unwrap_err();
        let e = err(json!({"id": "nope"}));
        assert!(
            e.contains("\"nope\"") && e.contains("does not declare") && e.contains("in_zone"),
            "{e}"
        );
        let e = err(json!({"id": "in_zone", "args": {}}));
        assert!(e.contains("no argument for the placeholder {share}"), "{e}");
        let e = err(json!({"id": "in_zone", "args": {"share": 0.1, "shaer": 1}}));
        assert!(e.contains("\"shaer\" is not in its template"), "{e}");
        let e = err(json!({"id": "in_zone", "args": {"share": "half"}}));
        assert!(e.contains("{share:%} needs a number"), "{e}");
        let e = err(json!({"id": "flag", "args": {"value": [1]}}));
        assert!(e.contains("needs text, a number or yes/no"), "{e}");
        let e = err(json!({"id": "flag", "args": {"value": "x".repeat(MAX_ARG_CHARS + 1)}}));
        assert!(e.contains("longer than"), "{e}");
        let many: serde_json::Map<String, serde_json::Value> = (0..=MAX_ARGS)
            .map(|i| (format!("a{i}"), json!(1)))
            .collect();
        let e = err(json!({"id": "flag", "args": many}));
        assert!(e.contains("more than 16"), "{e}");
        let e = err(json!({"id": "flag", "args": {"value": 1}, "text": "sneaked"}));
        assert!(e.contains("only id and args"), "{e}");
        let e = err(json!(3));
        assert!(e.contains("neither text nor a message"), "{e}");
        let e = err(json!({"args": {}}));
        assert!(e.contains("without a text id"), "{e}");
    }

    #[test]
    fn bad_templates_are_refused_when_the_manifest_loads() {
        let bad = |t: &str| check_messages(&messages(t)).unwrap_err();
        let e = bad("[a]\nen = \"x {y\"");
        assert!(
            e.contains("[messages.a] en has a `{` without its `}`"),
            "{e}"
        );
        let e = bad("[a]\nen = \"x }\"");
        assert!(e.contains("without its `{`"), "{e}");
        let e = bad("[a]\nen = \"{bad name}\"");
        assert!(e.contains("letters, digits and _"), "{e}");
        let e = bad("[a]\nen = \"{d:km}\"");
        assert!(e.contains("the format is m"), "{e}");
        let e = bad("[a]\nen = \"{d}\"\nzh-CN = \"{e}\"");
        assert!(e.contains("every language names the same arguments"), "{e}");
        let e = bad("[a]\nen = \" \"");
        assert!(e.contains("[messages.a] en is empty"), "{e}");
        let e = bad(&format!(
            "[a]\nen = \"{}\"",
            "x".repeat(MAX_TEMPLATE_CHARS + 1)
        ));
        assert!(e.contains("more than 1000"), "{e}");
        let e = bad("[\"a b\"]\nen = \"x\"");
        assert!(e.contains("an id is letters"), "{e}");
        let e = bad("[a]\n");
        assert!(e.contains("needs a template"), "{e}");
    }
}
