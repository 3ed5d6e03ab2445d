//! A small service over hecun, std only: it loads a plan once, keeps the roads, corridors and
//! townships parsed in memory, and answers each HTTP `POST` of a villages GeoJSON with the
//! affected villages' summary as JSON.
//!
//! ```text
//! cargo run -p hecun-core --example service                      # one request, in-process
//! cargo run -p hecun-core --example service -- --serve 127.0.0.1:8080
//! curl --data-binary @gis-data/demo/villages.geojson http://127.0.0.1:8080/affected
//! ```
//!
//! Without `--serve` it answers the demo villages through [`handle`] (what an HTTP handler
//! calls) and prints the answer: a run of the example is a test of the service.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hecun::{LayerData, Plan, RunControl};

/// The largest upload the service reads.
const MAX_BODY: usize = 256 << 20;

/// The service's state: the plan, with every layer but the villages parsed once.
struct Service {
    plan: Plan,
}

impl Service {
    fn new(plan_file: &Path) -> hecun::Result<Service> {
        let mut plan = Plan::load(plan_file)?;
        let job = plan.affected.clone();
        let layers = [
            ("roads", Some(&job.roads)),
            ("corridors", job.corridors.as_ref()),
        ];
        let layers = layers
            .into_iter()
            .chain([("townships", job.townships.as_ref())]);
        for (name, source) in layers {
            if let Some(source) = source {
                let layer = source.read(job.input_crs, job.keep_going)?.layer;
                plan.use_layer_data(name, LayerData::Parsed(Arc::new(layer)))?;
            }
        }
        Ok(Service { plan })
    }

    /// What a `POST /affected` handler calls: the uploaded villages in place of the plan's,
    /// at most `budget` of work, and the summary and warnings as JSON.
    fn handle(&self, villages: Vec<u8>, budget: Duration) -> hecun::Result<String> {
        let mut job = self.plan.affected.clone();
        job.villages.path = "villages (upload)".into();
        job.villages.data = LayerData::Bytes(villages.into());
        let control = RunControl::default().deadline(Instant::now() + budget);
        let run = job.run_controlled(&control)?;
        let answer = serde_json::json!({
            "metric_crs": run.metric_crs.to_string(),
            "summary": run.summary,
            "warnings": run.warnings,
        });
        Ok(serde_json::to_string_pretty(&answer).expect("JSON of plain values"))
    }
}

/// Answers one HTTP request on `stream`: a POST body of villages GeoJSON.
fn answer(service: &Service, stream: std::net::TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let post = line.starts_with("POST ");
    let mut length = 0usize;
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let (status, body) = if !post {
        (
            "405 Method Not Allowed",
            "POST a villages GeoJSON\n".to_owned(),
        )
    } else if length > MAX_BODY {
        (
            "413 Payload Too Large",
            format!("at most {MAX_BODY} bytes\n"),
        )
    } else {
        let mut upload = vec![0; length];
        reader.read_exact(&mut upload)?;
        match service.handle(upload, Duration::from_secs(60)) {
            Ok(json) => ("200 OK", json),
            Err(e @ hecun::Error::Cancelled { .. }) => ("503 Service Unavailable", e.to_string()),
            Err(e) => ("422 Unprocessable Content", e.to_string()),
        }
    };
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../gis-data/demo");
    let service = Service::new(&demo.join("plan.toml"))?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag, addr] if flag == "--serve" => {
            let listener = TcpListener::bind(addr)?;
            eprintln!("answering POSTs of villages GeoJSON on {addr}");
            for stream in listener.incoming() {
                if let Err(e) = answer(&service, stream?) {
                    eprintln!("{e}");
                }
            }
        }
        [] => {
            let villages = std::fs::read(demo.join("villages.geojson"))?;
            println!("{}", service.handle(villages, Duration::from_secs(60))?);
            let broken = service
                .handle(
                    b"{\"type\":\"FeatureCollection\"".to_vec(),
                    Duration::from_secs(60),
                )
                .unwrap_err();
            println!("a broken upload: {broken}");
        }
        _ => return Err("usage: service [--serve 127.0.0.1:PORT]".into()),
    }
    Ok(())
}
