//! `omnimix serve`: the planner as users start it (the endpoints themselves are
//! tested in `serve/tests/http.rs`).

use crate::serve_process::Server;
use crate::util::{Dir, SMALL, assert_bad_input, run, stderr};

#[test]
fn serve_answers_what_ifs_on_the_printed_url() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let s = Server::start(&[f.to_str().unwrap(), "--search-scale", "2"]);
    assert!(
        s.url("/").starts_with("http://127.0.0.1:"),
        "{}",
        s.url("/")
    );
    let (code, page) = s.http("GET", "/", "");
    assert_eq!(code, 200);
    assert!(page.contains("omnimix planner"), "{page}");
    let (code, body) = s.http("GET", "/api/scenario", "");
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("\"name\":\"small\""), "{body}");
    let (code, body) = s.http(
        "POST",
        "/api/whatif",
        r#"{"set": ["strategy.annual_spend.DE.search=600000"]}"#,
    );
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("\"cost_media\""), "{body}");
}

#[test]
fn serve_field_errors_are_the_messages_of_validate() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let s = Server::start(&[f.to_str().unwrap()]);
    for set in [
        "finance.annual_budget=-5",
        "strategy.service_staff.DE.call_centre=1e12",
    ] {
        let v = run(&["validate", f.to_str().unwrap(), "--set", set]);
        let cli = stderr(&v);
        let cli = cli.trim_end().strip_prefix("error: ").unwrap_or(&cli);
        let (code, body) = s.http("POST", "/api/whatif", &format!(r#"{{"set": ["{set}"]}}"#));
        assert_eq!(code, 400, "{body}");
        let json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(json["error"], cli, "{set}");
    }
    // and it keeps serving
    assert_eq!(s.http("GET", "/api/scenario", "").0, 200);
}

#[test]
fn serve_with_bad_input_exits_2_before_listening() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let o = run(&[
        "serve",
        f.to_str().unwrap(),
        "--set",
        "finance.annual_budget=-5",
    ]);
    assert_bad_input(
        &o,
        &["finance.annual_budget = -5", "must be a positive number"],
    );
    let o = run(&["serve", f.to_str().unwrap(), "--host", "no such host name!"]);
    assert_bad_input(&o, &["--host"]);
    let o = run(&["serve", f.to_str().unwrap(), "--replications", "1"]);
    assert_bad_input(&o, &["--replications 1"]);
}

#[cfg(unix)]
#[test]
fn serve_stops_cleanly_on_ctrl_c() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let s = Server::start(&[f.to_str().unwrap()]);
    assert_eq!(s.http("GET", "/api/optimize", "").0, 200);
    let (code, err) = s.interrupt();
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("planner stopped"), "{err}");
}

/// Ctrl-C the moment the URL is printed still stops cleanly: the handlers are in
/// place before the line (they once were installed on the server's first poll, and a
/// Ctrl-C in between ended the process by the signal instead, 5 times in 20).
#[cfg(unix)]
#[test]
fn serve_stops_cleanly_on_ctrl_c_right_after_printing_its_url() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    for _ in 0..3 {
        let s = Server::start(&[f.to_str().unwrap()]);
        let (code, err) = s.interrupt();
        assert_eq!(code, Some(0), "{err}");
        assert!(err.contains("planner stopped"), "{err}");
    }
}

#[test]
fn serve_warns_when_it_listens_beyond_this_machine() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let mut s = Server::start(&[f.to_str().unwrap(), "--host", "0.0.0.0"]);
    let _ = s.child.kill();
    let _ = s.child.wait();
    let mut err = String::new();
    if let Some(mut e) = s.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut err);
    }
    assert!(err.contains("warning: --host 0.0.0.0"), "{err}");
}
