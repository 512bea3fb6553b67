//! The planner in a browser: headless Chromium (Debian's `chromium`, or the one named
//! by `CHROMIUM`) driven over the DevTools protocol loads the page, changes a spend,
//! sees the KPIs change, saves a variant, downloads its TOML and takes a screenshot
//! that is not blank.
//!
//! Run with `cargo test --release --features browser --test browser` (.ci/run
//! installs chromium). `OMNIMIX_SCREENSHOT=FILE.png` keeps the screenshot;
//! `OMNIMIX_BROWSER_SCENARIO=FILE.toml` serves that scenario instead of the small one.

// the helpers the integration tests use too; this test needs only some of them
#[allow(dead_code)]
mod serve_process;
#[allow(dead_code)]
mod util;

use headless_chrome::protocol::cdp::Browser as Cdp;
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, LaunchOptions, Tab};
use serve_process::Server;
use std::path::PathBuf;
use std::time::Duration;

const SMALL: &str = include_str!("small.toml");

/// The chromium to drive: `CHROMIUM`, else the first of the usual names on PATH.
fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return PathBuf::from(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return p;
            }
        }
    }
    panic!("no chromium on PATH: install it (apt-get install chromium) or set CHROMIUM");
}

/// The text of the first element matching `selector` ("" when there is none).
fn text(tab: &Tab, selector: &str) -> String {
    let js = format!(
        "(() => {{ const e = document.querySelector({selector:?}); return e ? e.textContent : ''; }})()"
    );
    tab.evaluate(&js, false)
        .ok()
        .and_then(|r| r.value)
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Wait (bounded by the tab's timeout, never asserted on) for `selector`.
fn wait(tab: &Tab, selector: &str) {
    if let Err(e) = tab.wait_for_element(selector) {
        panic!(
            "{selector} never appeared ({e}); page state {:?}, status {:?}, error {:?}",
            attr(tab, "body", "data-state"),
            text(tab, "#status"),
            text(tab, "#form-error")
        );
    }
}

fn attr(tab: &Tab, selector: &str, name: &str) -> String {
    let js = format!(
        "(() => {{ const e = document.querySelector({selector:?}); return e ? (e.getAttribute({name:?}) || '') : ''; }})()"
    );
    tab.evaluate(&js, false)
        .ok()
        .and_then(|r| r.value)
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Replace an input's value by typing, then leave it (Tab), as a user does.
fn type_into(tab: &Tab, selector: &str, value: &str) {
    tab.evaluate(
        &format!(
            "(() => {{ const e = document.querySelector({selector:?}); e.focus(); e.select(); }})()"
        ),
        false,
    )
    .expect("focus the field");
    tab.type_str(value).expect("type");
    tab.press_key("Tab").expect("leave the field");
}

/// A PNG is not blank: enough pixels away from the background, in several colours.
fn assert_not_blank(png_bytes: &[u8]) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let channels = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(channels).collect();
    let first = pixels[0];
    let differing = pixels.iter().filter(|p| p[..3] != first[..3]).count();
    let mut colours: Vec<[u8; 3]> = pixels.iter().map(|p| [p[0], p[1], p[2]]).collect();
    colours.sort_unstable();
    colours.dedup();
    assert!(
        differing * 20 > pixels.len() && colours.len() > 16,
        "the screenshot looks blank: {differing} of {} pixels differ from the first, {} colours",
        pixels.len(),
        colours.len()
    );
}

#[test]
fn planner_page_changes_kpis_saves_a_variant_downloads_its_toml_and_shows_charts() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let scenario = match std::env::var_os("OMNIMIX_BROWSER_SCENARIO") {
        Some(p) => PathBuf::from(p),
        None => {
            let p = dir.path().join("small.toml");
            std::fs::write(&p, SMALL).expect("write the scenario");
            p
        }
    };
    let server = Server::start(&[scenario.to_str().expect("utf-8 path")]);
    let downloads = dir.path().join("downloads");
    std::fs::create_dir_all(&downloads).expect("downloads folder");

    let options = LaunchOptions::default_builder()
        .path(Some(chromium()))
        .headless(true)
        .sandbox(false)
        .window_size(Some((1280, 1000)))
        .idle_browser_timeout(Duration::from_secs(300))
        .build()
        .expect("launch options");
    let browser = Browser::new(options).expect("chromium starts");
    let tab = browser.new_tab().expect("a tab");
    tab.set_default_timeout(Duration::from_secs(120));
    tab.call_method(Cdp::SetDownloadBehavior {
        behavior: Cdp::SetDownloadBehaviorBehaviorOption::Allow,
        browser_context_id: None,
        download_path: Some(downloads.to_string_lossy().into_owned()),
        events_enabled: None,
    })
    .expect("downloads allowed");

    tab.navigate_to(&server.url("/"))
        .expect("navigate")
        .wait_until_navigated()
        .expect("the page loads");
    wait(&tab, "body[data-state='ready'][data-shown='0']");
    let row = "#kpis tr[data-kpi='cost_media'] td.diff";
    let before = text(&tab, row);
    assert!(
        before.starts_with('0'),
        "the baseline against itself: {before}"
    );

    // change a spend: the KPIs change, with the paired difference shown
    let field = "input[data-key='strategy.annual_spend.DE.search']";
    let base = attr(&tab, field, "data-base");
    let more = format!("{}", base.parse::<f64>().expect("a number") * 2.0);
    type_into(&tab, field, &more);
    wait(&tab, "body[data-state='ready'][data-shown='1']");
    let after = text(&tab, row);
    // what a user waits, as the page measured it (reported, not asserted: speed
    // lives in the benchmark)
    eprintln!(
        "change -> KPIs shown: {} ms in the browser",
        attr(&tab, "body", "data-latency-ms")
    );
    assert_ne!(after, before);
    assert!(
        after.starts_with('+'),
        "more spend, more media cost: {after}"
    );

    // bad input is shown next to its field, and the page keeps working
    type_into(&tab, "input[data-key='finance.annual_budget']", "-5");
    wait(&tab, "body[data-state='invalid']");
    let err = text(&tab, "[data-err='finance.annual_budget']");
    assert!(err.contains("must be a positive number"), "{err}");
    tab.evaluate(
        "(() => { const e = document.querySelector(\"input[data-key='finance.annual_budget']\"); \
         e.value = e.dataset.base; e.dispatchEvent(new Event('change')); })()",
        false,
    )
    .expect("restore the budget");
    wait(&tab, "body[data-state='ready'][data-shown='3']");

    // save it as a variant: it appears beside the baseline
    type_into(&tab, "#variant-name", "double search");
    tab.find_element("#save-variant")
        .expect("the save button")
        .click()
        .expect("click");
    wait(&tab, "body[data-variants='1']");
    let header = text(&tab, "#variants tr");
    assert!(header.contains("double search"), "{header}");

    // download its TOML
    tab.find_element("a[data-file='scenario.toml'][data-variant='double search']")
        .expect("the TOML link")
        .click()
        .expect("click");
    let mut toml = None;
    for _ in 0..600 {
        let found = std::fs::read_dir(&downloads)
            .ok()
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "toml"));
        if let Some(p) = found {
            toml = std::fs::read_to_string(p).ok();
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let toml = toml.expect("the TOML was downloaded");
    assert!(
        toml.contains(&format!("strategy.annual_spend.DE.search={more}")),
        "{toml}"
    );
    // it is the scenario with the change, as `--set` makes it
    let load = |origin: &str, text: String, set: &[String]| {
        let o: Vec<omnimix_sim::Override> =
            set.iter().map(|s| s.parse().expect("key=value")).collect();
        omnimix_sim::scenario::load::load(&omnimix_sim::ScenarioSource::new(origin, text), &o)
            .expect("the scenario loads")
    };
    let reloaded = load("downloaded.toml", toml, &[]);
    let original = std::fs::read_to_string(&scenario).expect("the scenario");
    let with_set = load(
        "served.toml",
        original,
        &[format!("strategy.annual_spend.DE.search={more}")],
    );
    assert_eq!(reloaded.strategy, with_set.strategy);

    // a screenshot that is not blank (of the page's top: controls, KPIs, a chart)
    tab.evaluate("window.scrollTo(0, 0)", false)
        .expect("scroll");
    let png = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .expect("a screenshot");
    assert_not_blank(&png);
    if let Some(keep) = std::env::var_os("OMNIMIX_SCREENSHOT") {
        std::fs::write(keep, &png).expect("keep the screenshot");
    }
}
