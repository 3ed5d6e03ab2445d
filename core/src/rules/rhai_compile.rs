//! A fast path for site scores: the common subset of a Rhai script compiled to Rust closures.
//!
//! Scoring a million grid cells one interpreter call at a time costs ~2 µs a cell, most of it
//! the call itself (scopes, caches, the parameters map cloned). Scoring scripts are mostly
//! arithmetic, comparisons, `if`, `let` and calls of the script's own functions over the
//! candidate's features and the plugin's parameters: that subset is compiled here, once, into
//! closures, with the parameters folded in as constants.
//!
//! The closures follow Rhai's own semantics operation by operation (checked integer
//! arithmetic, integers widened to floats in mixed arithmetic and comparisons, `==` between
//! different types false, `min`/`max` as Rhai defines them), and they never guess: anything
//! outside the subset — or any case where Rhai would raise an error — makes the compiled
//! call give up, and the interpreter scores that candidate instead, from scratch. So a score
//! is the interpreter's score, bit for bit, or the interpreter's own error
//! (`core/tests/it/rhai_compiled.rs` checks it on random inputs).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rhai::{AST, Dynamic, Expr, ImmutableString, Map, Stmt};

use super::candidate::{Features, Value as Feature};
use super::score::{Outcome, Term};

/// The compiled call gave up: the interpreter must answer this candidate.
#[derive(Debug)]
pub(crate) struct GiveUp;

type R<T> = Result<T, GiveUp>;

/// A value in a compiled script.
#[derive(Debug, Clone)]
enum V {
    Unit,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(ImmutableString),
    /// The candidate being scored (the function's first argument).
    Candidate,
    /// The plugin's parameters (folded into constants where they are read).
    Params,
    Map(Box<Map>),
    /// `exclude(reason, evidence)`: the reason as text or a message map (`[messages]`).
    Excluded(Box<(Dynamic, Map)>),
}

impl V {
    fn from_dynamic(d: &Dynamic) -> R<V> {
        if d.is_unit() {
            Ok(V::Unit)
        } else if let Ok(b) = d.as_bool() {
            Ok(V::Bool(b))
        } else if let Ok(i) = d.as_int() {
            Ok(V::Int(i))
        } else if let Ok(f) = d.as_float() {
            Ok(V::Float(f))
        } else if d.is_string() {
            Ok(V::Str(
                d.clone().into_immutable_string().map_err(|_| GiveUp)?,
            ))
        } else if d.is_map() {
            // A constant map literal (`exclude(#{ id: "in_corridor" })`, folded by Rhai's
            // optimizer): a map is only ever handed on, never computed with.
            Ok(V::Map(Box::new(d.clone().try_cast::<Map>().ok_or(GiveUp)?)))
        } else {
            Err(GiveUp)
        }
    }

    fn from_feature(f: Feature) -> R<V> {
        Ok(match f {
            Feature::Missing => V::Unit,
            Feature::Bool(b) => V::Bool(b),
            Feature::Int(i) => V::Int(i),
            Feature::Float(x) => V::Float(x),
            Feature::Text(s) => V::Str(s.into()),
            Feature::Json(_) => return Err(GiveUp),
        })
    }

    fn to_dynamic(&self) -> R<Dynamic> {
        Ok(match self {
            V::Unit => Dynamic::UNIT,
            V::Bool(b) => (*b).into(),
            V::Int(i) => (*i).into(),
            V::Float(f) => (*f).into(),
            V::Str(s) => s.clone().into(),
            V::Map(m) => (**m).clone().into(),
            _ => return Err(GiveUp),
        })
    }

    fn number(&self) -> R<f64> {
        match self {
            V::Int(i) => Ok(*i as f64),
            V::Float(f) => Ok(*f),
            _ => Err(GiveUp),
        }
    }
}

/// What running a statement led to.
enum Flow {
    Normal(V),
    Return(V),
}

/// The state of one compiled call: the candidate, the local variables of each function frame,
/// and the terms recorded when an explanation is asked for.
struct Run<'a> {
    candidate: &'a dyn Features,
    terms: Option<Vec<Term>>,
    /// Script-function calls so far: the compiled path has no clock, so a call tree that
    /// fans out (each function calling the next twice) is left to the sandboxed interpreter.
    calls: u32,
}

/// Script-function calls a compiled score may make before it gives up (a scoring script
/// makes a handful).
const MAX_CALLS: u32 = 10_000;

/// Functions nested deeper than this, counted when compiling, are left to the interpreter,
/// which enforces the manifest's call depth (and compiling them cannot recurse without end).
const MAX_NESTING: usize = 16;

type ExprFn = Box<dyn Fn(&mut Run, &mut [V]) -> R<V> + Send + Sync>;
type StmtFn = Box<dyn Fn(&mut Run, &mut [V]) -> R<Flow> + Send + Sync>;

/// A compiled script function: its body and how many local slots its frame needs.
struct Function {
    arity: usize,
    slots: usize,
    body: StmtFn,
}

/// The compiled `score(candidate, params)` of a site-score script.
pub(crate) struct CompiledScore {
    entry: Arc<Function>,
}

impl std::fmt::Debug for CompiledScore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CompiledScore({} slots)", self.entry.slots)
    }
}

impl CompiledScore {
    /// Compiles `score` of `ast` with `params` folded in; `None` when the script has no
    /// `score(candidate, params)`.
    pub(crate) fn compile(ast: &AST, params: &Dynamic) -> Option<CompiledScore> {
        let defs = function_bodies(ast);
        let params = params
            .read_lock::<Map>()
            .map(|m| m.clone())
            .unwrap_or_default();
        let compiler = Compiler {
            defs,
            params,
            done: RefCell::default(),
            open: RefCell::default(),
        };
        compiler
            .function("score", 2)
            .map(|entry| CompiledScore { entry })
    }

    /// Scores a candidate; `Err(GiveUp)`: ask the interpreter.
    pub(crate) fn score(
        &self,
        candidate: &dyn Features,
        explain: bool,
        messages: &super::message::Messages,
    ) -> R<(Outcome, Vec<Term>)> {
        let mut run = Run {
            candidate,
            terms: explain.then(Vec::new),
            calls: 0,
        };
        let value = with_frame(self.entry.slots, |frame| {
            frame[0] = V::Candidate;
            frame[1] = V::Params;
            (self.entry.body)(&mut run, frame)
        })?;
        let value = match value {
            Flow::Normal(v) | Flow::Return(v) => v,
        };
        let outcome = match value {
            V::Excluded(x) => {
                let (reason, evidence) = *x;
                // A bad message: the interpreter words the error.
                let reason = rhai::serde::from_dynamic(&reason).map_err(|_| GiveUp)?;
                let reason = super::message::resolve(messages, &reason).map_err(|_| GiveUp)?;
                Outcome::Excluded {
                    reason: reason.text,
                    reasons: reason.texts,
                    evidence: evidence
                        .into_iter()
                        .map(|(k, v)| {
                            (
                                k.to_string(),
                                rhai::serde::from_dynamic(&v).unwrap_or(serde_json::Value::Null),
                            )
                        })
                        .collect(),
                }
            }
            V::Float(f) if f.is_finite() => Outcome::Scored(f),
            V::Int(i) => Outcome::Scored(i as f64),
            // Not finite, or not a number: the interpreter words the error.
            _ => return Err(GiveUp),
        };
        Ok((outcome, run.terms.unwrap_or_default()))
    }
}

/// Each script function's name, parameters and body statements.
///
/// Rhai does not export the type of a function's body, but its walk over the AST visits every
/// function's statements, and each function's body spans known positions: the statements are
/// given back to the function whose body holds them.
fn function_bodies(ast: &AST) -> Vec<Def> {
    type At = (usize, usize);
    let at = |p: rhai::Position| -> Option<At> { Some((p.line()?, p.position().unwrap_or(0))) };
    let mut defs: Vec<(Def, Option<(At, At)>)> = ast
        .shared_lib()
        .iter_script_fn_info()
        .map(|(_, _, name, arity, def)| {
            let span = at(def.body.start_position()).zip(at(def.body.end_position()));
            (
                Def {
                    name: name.to_owned(),
                    arity,
                    params: def.params.iter().cloned().collect(),
                    body: Vec::new(),
                },
                span,
            )
        })
        .collect();
    ast.walk(&mut |path: &[rhai::ASTNode]| {
        if let [rhai::ASTNode::Stmt(stmt)] = path
            && let Some(here) = at(stmt.position())
            && let Some((def, _)) = defs
                .iter_mut()
                .find(|(_, span)| span.is_some_and(|(from, to)| from <= here && here <= to))
        {
            def.body.push((*stmt).clone());
        }
        true
    });
    defs.into_iter()
        .map(|(def, span)| {
            if span.is_none() {
                // Without positions the body cannot be found: the interpreter answers.
                Def {
                    body: vec![Stmt::Return(
                        Some(Box::new(Expr::Unit(rhai::Position::NONE))),
                        rhai::ASTFlags::BREAK,
                        rhai::Position::NONE,
                    )],
                    ..def
                }
            } else {
                def
            }
        })
        .collect()
}

#[derive(Clone)]
struct Def {
    name: String,
    arity: usize,
    params: Vec<ImmutableString>,
    body: Vec<Stmt>,
}

struct Compiler {
    defs: Vec<Def>,
    params: Map,
    /// Each script function compiled once (call sites share it).
    done: RefCell<BTreeMap<(String, usize), Arc<Function>>>,
    /// Functions being compiled: a call back into one of them (recursion) is left to the
    /// interpreter.
    open: RefCell<BTreeSet<(String, usize)>>,
}

/// Names of the local variables in scope, innermost last, and the frame size so far.
struct Scope {
    names: Vec<(ImmutableString, usize)>,
    slots: usize,
}

impl Scope {
    fn find(&self, name: &str) -> Option<usize> {
        self.names
            .iter()
            .rev()
            .find(|(n, _)| n.as_str() == name)
            .map(|(_, s)| *s)
    }
}

fn give_up_expr() -> ExprFn {
    Box::new(|_, _| Err(GiveUp))
}

fn constant(v: V) -> ExprFn {
    Box::new(move |_, _| Ok(v.clone()))
}

impl Compiler {
    /// Compiles script function `name` of `arity`, or `None` if the script has none.
    fn function(&self, name: &str, arity: usize) -> Option<Arc<Function>> {
        let def = self
            .defs
            .iter()
            .find(|d| d.name == name && d.arity == arity)?;
        let key = (name.to_owned(), arity);
        if let Some(f) = self.done.borrow().get(&key) {
            return Some(f.clone());
        }
        let give_up = || {
            Some(Arc::new(Function {
                arity,
                slots: arity,
                body: Box::new(|_, _| Err(GiveUp)),
            }))
        };
        if self.open.borrow().len() >= MAX_NESTING || !self.open.borrow_mut().insert(key.clone()) {
            return give_up();
        }
        let mut scope = Scope {
            names: def
                .params
                .iter()
                .enumerate()
                .map(|(i, p)| (p.clone(), i))
                .collect(),
            slots: arity,
        };
        let body = self.block(&def.body, &mut scope);
        self.open.borrow_mut().remove(&key);
        let f = Arc::new(Function {
            arity,
            slots: scope.slots,
            body,
        });
        self.done.borrow_mut().insert(key, f.clone());
        Some(f)
    }

    /// A block: its statements in order, its value the last one's; its `let`s end with it.
    fn block(&self, block: &[Stmt], scope: &mut Scope) -> StmtFn {
        let outer = scope.names.len();
        let mut stmts: Vec<StmtFn> = block.iter().map(|s| self.stmt(s, scope)).collect();
        scope.names.truncate(outer);
        if stmts.len() == 1 {
            return stmts.pop().expect("one statement");
        }
        Box::new(move |run, frame| {
            let mut last = V::Unit;
            for s in &stmts {
                match s(run, frame)? {
                    Flow::Normal(v) => last = v,
                    ret @ Flow::Return(_) => return Ok(ret),
                }
            }
            Ok(Flow::Normal(last))
        })
    }

    fn stmt(&self, stmt: &Stmt, scope: &mut Scope) -> StmtFn {
        match stmt {
            Stmt::Noop(_) => Box::new(|_, _| Ok(Flow::Normal(V::Unit))),
            Stmt::Expr(e) => {
                let e = self.expr(e, scope);
                Box::new(move |run, frame| Ok(Flow::Normal(e(run, frame)?)))
            }
            Stmt::FnCall(call, _) => {
                let e = self.call(call, scope);
                Box::new(move |run, frame| Ok(Flow::Normal(e(run, frame)?)))
            }
            Stmt::Block(block) => self.block(block.statements(), scope),
            Stmt::Var(var, _, _) => {
                let (ident, value, _) = &**var;
                let value = self.expr(value, scope);
                let slot = scope.slots;
                scope.slots += 1;
                scope.names.push((ident.name.clone(), slot));
                Box::new(move |run, frame| {
                    frame[slot] = value(run, frame)?;
                    Ok(Flow::Normal(V::Unit))
                })
            }
            Stmt::Assignment(assignment) => {
                let (op, target) = &**assignment;
                let Expr::Variable(var, _, _) = &target.lhs else {
                    return Box::new(|_, _| Err(GiveUp));
                };
                let Some(slot) = scope.find(var.1.as_str()) else {
                    return Box::new(|_, _| Err(GiveUp));
                };
                let value = self.expr(&target.rhs, scope);
                match op.get_op_assignment_info() {
                    None => Box::new(move |run, frame| {
                        frame[slot] = value(run, frame)?;
                        Ok(Flow::Normal(V::Unit))
                    }),
                    Some((_, _, _, _, _, op_syntax)) => {
                        let Some(apply) = binary(op_syntax) else {
                            return Box::new(|_, _| Err(GiveUp));
                        };
                        Box::new(move |run, frame| {
                            let rhs = value(run, frame)?;
                            let lhs = std::mem::replace(&mut frame[slot], V::Unit);
                            frame[slot] = apply(lhs, rhs)?;
                            Ok(Flow::Normal(V::Unit))
                        })
                    }
                }
            }
            Stmt::If(flow, _) => {
                let condition = self.expr(&flow.expr, scope);
                let then = self.block(flow.body.statements(), scope);
                let otherwise = self.block(flow.branch.statements(), scope);
                Box::new(move |run, frame| match condition(run, frame)? {
                    V::Bool(true) => then(run, frame),
                    V::Bool(false) => otherwise(run, frame),
                    _ => Err(GiveUp),
                })
            }
            Stmt::Return(value, flags, _) if !flags.contains(rhai::ASTFlags::BREAK) => {
                let value = value.as_ref().map(|e| self.expr(e, scope));
                Box::new(move |run, frame| {
                    let v = match &value {
                        Some(e) => e(run, frame)?,
                        None => V::Unit,
                    };
                    Ok(Flow::Return(v))
                })
            }
            // Loops, switch, try, throw, import…: the interpreter's.
            _ => Box::new(|_, _| Err(GiveUp)),
        }
    }

    fn expr(&self, expr: &Expr, scope: &mut Scope) -> ExprFn {
        match expr {
            Expr::Unit(_) => constant(V::Unit),
            Expr::BoolConstant(b, _) => constant(V::Bool(*b)),
            Expr::IntegerConstant(i, _) => constant(V::Int(*i)),
            Expr::FloatConstant(f, _) => constant(V::Float(**f)),
            Expr::StringConstant(s, _) => constant(V::Str(s.clone())),
            Expr::DynamicConstant(d, _) => match V::from_dynamic(d) {
                Ok(v) => constant(v),
                Err(_) => give_up_expr(),
            },
            Expr::Variable(var, _, _) => match scope.find(var.1.as_str()) {
                Some(slot) => Box::new(move |_, frame| Ok(frame[slot].clone())),
                None => give_up_expr(),
            },
            Expr::Stmt(block) => {
                let block = self.block(block.statements(), scope);
                Box::new(move |run, frame| match block(run, frame)? {
                    Flow::Normal(v) => Ok(v),
                    // `return` inside an expression block: rare, left to the interpreter.
                    Flow::Return(_) => Err(GiveUp),
                })
            }
            Expr::Dot(access, _, _) => match &access.rhs {
                Expr::Property(p, _) => self.member(&access.lhs, p.2.clone(), true, scope),
                _ => give_up_expr(),
            },
            Expr::Index(access, _, _) => match &access.rhs {
                Expr::StringConstant(name, _) => {
                    self.member(&access.lhs, name.clone(), false, scope)
                }
                _ => give_up_expr(),
            },
            Expr::FnCall(call, _) => self.call(call, scope),
            Expr::And(list, _) | Expr::Or(list, _) => {
                let is_and = matches!(expr, Expr::And(..));
                let parts: Vec<ExprFn> = list.iter().map(|e| self.expr(e, scope)).collect();
                Box::new(move |run, frame| {
                    for p in &parts {
                        match p(run, frame)? {
                            V::Bool(b) if b != is_and => return Ok(V::Bool(b)),
                            V::Bool(_) => {}
                            _ => return Err(GiveUp),
                        }
                    }
                    Ok(V::Bool(is_and))
                })
            }
            Expr::Map(map, _) => {
                let (entries, template) = &**map;
                let template: Map = template
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                let entries: Vec<(ImmutableString, ExprFn)> = entries
                    .iter()
                    .map(|(k, e)| (k.name.clone(), self.expr(e, scope)))
                    .collect();
                Box::new(move |run, frame| {
                    let mut m = template.clone();
                    for (k, e) in &entries {
                        m.insert(k.as_str().into(), e(run, frame)?.to_dynamic()?);
                    }
                    Ok(V::Map(Box::new(m)))
                })
            }
            _ => give_up_expr(),
        }
    }

    /// `x.name` or `x["name"]`: a candidate's feature or attribute, or a parameter. A
    /// candidate's `.id` is its registered getter (the candidate's id), as in the interpreter.
    fn member(&self, target: &Expr, name: ImmutableString, dot: bool, scope: &mut Scope) -> ExprFn {
        let param = self.params.get(name.as_str()).map(V::from_dynamic);
        let target = self.expr(target, scope);
        let getter_id = dot && name.as_str() == "id";
        Box::new(move |run, frame| match target(run, frame)? {
            V::Candidate if getter_id => Ok(V::Str(run.candidate.id().into())),
            V::Candidate => V::from_feature(run.candidate.get(name.as_str())),
            V::Params => match &param {
                Some(Ok(v)) => Ok(v.clone()),
                // A parameter that is not a scalar (a list, a table): the interpreter's.
                Some(Err(_)) => Err(GiveUp),
                None => Ok(V::Unit),
            },
            _ => Err(GiveUp),
        })
    }

    fn call(&self, call: &rhai::FnCallExpr, scope: &mut Scope) -> ExprFn {
        if !call.namespace.is_empty() || call.capture_parent_scope {
            return give_up_expr();
        }
        let name = call.name.as_str();
        let args: Vec<ExprFn> = call.args.iter().map(|a| self.expr(a, scope)).collect();
        // The script's own functions first, as Rhai resolves them.
        if let Some(f) = self.function(name, args.len()) {
            return Box::new(move |run, frame| {
                debug_assert_eq!(args.len(), f.arity);
                run.calls += 1;
                if run.calls > MAX_CALLS {
                    return Err(GiveUp);
                }
                let flow = with_frame(f.slots, |inner| {
                    for (slot, a) in args.iter().enumerate() {
                        inner[slot] = a(run, frame)?;
                    }
                    (f.body)(run, inner)
                })?;
                match flow {
                    Flow::Normal(v) | Flow::Return(v) => Ok(v),
                }
            });
        }
        match (name, args.len()) {
            ("-", 1) => unary(args, |v| match v {
                V::Int(i) => i.checked_neg().map(V::Int).ok_or(GiveUp),
                V::Float(f) => Ok(V::Float(-f)),
                _ => Err(GiveUp),
            }),
            ("+", 1) => unary(args, |v| match v {
                V::Int(_) | V::Float(_) => Ok(v),
                _ => Err(GiveUp),
            }),
            ("!", 1) => unary(args, |v| match v {
                V::Bool(b) => Ok(V::Bool(!b)),
                _ => Err(GiveUp),
            }),
            ("abs", 1) => unary(args, |v| match v {
                V::Int(i) => i.checked_abs().map(V::Int).ok_or(GiveUp),
                V::Float(f) => Ok(V::Float(f.abs())),
                _ => Err(GiveUp),
            }),
            ("floor", 1) => float_fn(args, f64::floor),
            ("ceiling", 1) => float_fn(args, f64::ceil),
            ("sqrt", 1) => float_fn(args, f64::sqrt),
            ("to_float", 1) => unary(args, |v| Ok(V::Float(v.number()?))),
            ("min", 2) | ("max", 2) => {
                let is_max = name == "max";
                two(args, move |a, b| match (a, b) {
                    (V::Int(x), V::Int(y)) => Ok(V::Int(if is_max { x.max(y) } else { x.min(y) })),
                    (a, b) => {
                        let (x, y) = (a.number()?, b.number()?);
                        // Rhai's own definitions (they differ from f64::max on NaN).
                        Ok(V::Float(if is_max {
                            if x >= y { x } else { y }
                        } else if x <= y {
                            x
                        } else {
                            y
                        }))
                    }
                })
            }
            ("term", 3) if matches!(call.args[0], Expr::StringConstant(..)) => {
                let Expr::StringConstant(name, _) = &call.args[0] else {
                    unreachable!("matched above")
                };
                let name = name.to_string();
                let mut args = args.into_iter().skip(1);
                let (w, v) = (args.next().unwrap(), args.next().unwrap());
                Box::new(move |run, frame| {
                    let weight = w(run, frame)?.number()?;
                    let value = v(run, frame)?.number()?;
                    if let Some(terms) = run.terms.as_mut() {
                        terms.push(Term {
                            name: name.clone(),
                            weight,
                            value,
                        });
                    }
                    Ok(V::Float(weight * value))
                })
            }
            ("term", 3) => {
                let mut args = args.into_iter();
                let (n, w, v) = (
                    args.next().unwrap(),
                    args.next().unwrap(),
                    args.next().unwrap(),
                );
                Box::new(move |run, frame| {
                    let V::Str(name) = n(run, frame)? else {
                        return Err(GiveUp);
                    };
                    let weight = w(run, frame)?.number()?;
                    let value = v(run, frame)?.number()?;
                    if let Some(terms) = run.terms.as_mut() {
                        terms.push(Term {
                            name: name.to_string(),
                            weight,
                            value,
                        });
                    }
                    Ok(V::Float(weight * value))
                })
            }
            ("exclude", 1) | ("exclude", 2) => {
                let mut args = args.into_iter();
                let reason = args.next().unwrap();
                let evidence = args.next();
                Box::new(move |run, frame| {
                    let reason: Dynamic = match reason(run, frame)? {
                        V::Str(text) => text.into(),
                        V::Map(message) => (*message).into(),
                        _ => return Err(GiveUp),
                    };
                    let evidence = match &evidence {
                        None => Map::new(),
                        Some(e) => match e(run, frame)? {
                            V::Map(m) => *m,
                            _ => return Err(GiveUp),
                        },
                    };
                    Ok(V::Excluded(Box::new((reason, evidence))))
                })
            }
            (op, 2) => match binary(op) {
                Some(apply) => two(args, apply),
                None => give_up_expr(),
            },
            _ => give_up_expr(),
        }
    }
}

/// Runs `f` with a frame of `slots` local variables, on the stack when it is small.
fn with_frame<T>(slots: usize, f: impl FnOnce(&mut [V]) -> R<T>) -> R<T> {
    fn on_stack<const N: usize, T>(slots: usize, f: impl FnOnce(&mut [V]) -> R<T>) -> R<T> {
        let mut frame: [V; N] = std::array::from_fn(|_| V::Unit);
        f(&mut frame[..slots])
    }
    match slots {
        0..=4 => on_stack::<4, T>(slots, f),
        5..=8 => on_stack::<8, T>(slots, f),
        9..=16 => on_stack::<16, T>(slots, f),
        _ => f(&mut vec![V::Unit; slots]),
    }
}

fn unary(args: Vec<ExprFn>, f: impl Fn(V) -> R<V> + Send + Sync + 'static) -> ExprFn {
    let a = args.into_iter().next().expect("one argument");
    Box::new(move |run, frame| f(a(run, frame)?))
}

fn float_fn(args: Vec<ExprFn>, f: fn(f64) -> f64) -> ExprFn {
    unary(args, move |v| match v {
        V::Float(x) => Ok(V::Float(f(x))),
        _ => Err(GiveUp),
    })
}

fn two(args: Vec<ExprFn>, f: impl Fn(V, V) -> R<V> + Send + Sync + 'static) -> ExprFn {
    let mut args = args.into_iter();
    let (a, b) = (args.next().expect("two"), args.next().expect("two"));
    Box::new(move |run, frame| {
        let x = a(run, frame)?;
        let y = b(run, frame)?;
        f(x, y)
    })
}

type Binary = fn(V, V) -> R<V>;

/// A binary operator as Rhai defines it on integers, floats, booleans, strings and `()`.
fn binary(op: &str) -> Option<Binary> {
    fn arith(a: V, b: V, int: fn(i64, i64) -> Option<i64>, float: fn(f64, f64) -> f64) -> R<V> {
        match (a, b) {
            (V::Int(x), V::Int(y)) => int(x, y).map(V::Int).ok_or(GiveUp),
            (a @ (V::Int(_) | V::Float(_)), b @ (V::Int(_) | V::Float(_))) => {
                Ok(V::Float(float(a.number()?, b.number()?)))
            }
            _ => Err(GiveUp),
        }
    }
    fn compare(
        a: V,
        b: V,
        f: fn(std::cmp::Ordering) -> bool,
        fallback: fn(f64, f64) -> bool,
    ) -> R<V> {
        match (a, b) {
            (V::Int(x), V::Int(y)) => Ok(V::Bool(f(x.cmp(&y)))),
            (a @ (V::Int(_) | V::Float(_)), b @ (V::Int(_) | V::Float(_))) => {
                Ok(V::Bool(fallback(a.number()?, b.number()?)))
            }
            _ => Err(GiveUp),
        }
    }
    fn equal(a: V, b: V) -> R<bool> {
        Ok(match (a, b) {
            (V::Int(x), V::Int(y)) => x == y,
            (a @ (V::Int(_) | V::Float(_)), b @ (V::Int(_) | V::Float(_))) => {
                a.number()? == b.number()?
            }
            (V::Bool(x), V::Bool(y)) => x == y,
            (V::Str(x), V::Str(y)) => x == y,
            (V::Unit, V::Unit) => true,
            (V::Candidate | V::Params | V::Map(_) | V::Excluded(_), _)
            | (_, V::Candidate | V::Params | V::Map(_) | V::Excluded(_)) => {
                return Err(GiveUp);
            }
            // Different types are never equal in Rhai.
            _ => false,
        })
    }
    Some(match op {
        "+" => |a, b| arith(a, b, i64::checked_add, |x, y| x + y),
        "-" => |a, b| arith(a, b, i64::checked_sub, |x, y| x - y),
        "*" => |a, b| arith(a, b, i64::checked_mul, |x, y| x * y),
        "/" => |a, b| arith(a, b, i64::checked_div, |x, y| x / y),
        "%" => |a, b| arith(a, b, i64::checked_rem, |x, y| x % y),
        "<" => |a, b| compare(a, b, |o| o.is_lt(), |x, y| x < y),
        "<=" => |a, b| compare(a, b, |o| o.is_le(), |x, y| x <= y),
        ">" => |a, b| compare(a, b, |o| o.is_gt(), |x, y| x > y),
        ">=" => |a, b| compare(a, b, |o| o.is_ge(), |x, y| x >= y),
        "==" => |a, b| equal(a, b).map(V::Bool),
        "!=" => |a, b| equal(a, b).map(|e| V::Bool(!e)),
        _ => return None,
    })
}
