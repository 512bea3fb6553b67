//! Small HTML building blocks for the self-contained reports: escaping, number
//! formats in the scenario's currency (`format.rs`), tables with right-aligned
//! numbers, inline SVG figures and the page frame (system font stack,
//! print-friendly, no external resource of any kind).

mod format;
#[cfg(test)]
mod tests;

pub use format::{Unit, esc, fmt, fmt_diff, range, telling_decimals, thousands};

/// A table cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Td {
    /// Text, left-aligned.
    Text(String),
    /// Formatted number, right-aligned.
    Num(String),
    /// Formatted number with its interval in smaller type beneath, right-aligned.
    NumCi(String, String),
}

/// A table: headers (numeric columns right-aligned like their cells) and rows;
/// `total` rows are set in bold.
pub fn table(headers: &[String], rows: &[Vec<Td>], total_last: bool) -> String {
    let numeric: Vec<bool> = (0..headers.len())
        .map(|c| {
            rows.iter()
                .any(|r| matches!(r.get(c), Some(Td::Num(_)) | Some(Td::NumCi(..))))
        })
        .collect();
    let mut h = String::from("<table>\n<thead><tr>");
    for (c, name) in headers.iter().enumerate() {
        let class = if numeric[c] { " class=\"num\"" } else { "" };
        h.push_str(&format!("<th{class}>{}</th>", esc(name)));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for (i, r) in rows.iter().enumerate() {
        let total = total_last && i + 1 == rows.len();
        h.push_str(if total {
            "<tr class=\"total\">"
        } else {
            "<tr>"
        });
        for cell in r {
            match cell {
                Td::Text(t) => h.push_str(&format!("<td>{}</td>", esc(t))),
                Td::Num(t) => h.push_str(&format!("<td class=\"num\">{}</td>", esc(t))),
                Td::NumCi(t, ci) => h.push_str(&format!(
                    "<td class=\"num\">{}<span class=\"ci\">{}</span></td>",
                    esc(t),
                    esc(ci)
                )),
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
    if rows.len() > FOLD_ROWS {
        format!(
            "<details>\n<summary>Show the table ({} rows)</summary>\n{h}</details>\n",
            rows.len()
        )
    } else {
        h
    }
}

/// Tables longer than this are folded (a click shows them).
const FOLD_ROWS: usize = 16;

/// An SVG document made fit to inline in HTML: no XML namespace URL, scales with the page.
pub fn inline_svg(svg: &str) -> String {
    let svg = svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
    // drop the fixed width/height of the root element; the viewBox keeps the aspect
    match (svg.find("<svg "), svg.find("viewBox")) {
        (Some(0), Some(v)) => format!("<svg role=\"img\" {}", &svg[v..]),
        _ => svg,
    }
}

/// A figure: the inline chart, a caption, and the names of its SVG/PNG files.
pub fn figure(svg: &str, caption: &str, files: &str) -> String {
    format!(
        "<figure>\n{}\n<figcaption>{} <span class=\"files\">{}</span></figcaption>\n</figure>\n",
        inline_svg(svg),
        esc(caption),
        esc(files)
    )
}

const STYLE: &str = r#"
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f5f7; color: #1c2330;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif;
  font-size: 15px; line-height: 1.5; }
main { max-width: 1120px; margin: 0 auto; padding: 32px 40px 64px; background: #fff; min-height: 100vh; }
header { border-bottom: 3px solid #1f3a93; padding-bottom: 14px; margin-bottom: 8px; }
header h1 { font-size: 26px; margin: 0 0 4px; letter-spacing: -0.01em; }
header p { margin: 0; color: #5a6272; }
nav { margin: 14px 0 4px; font-size: 14px; }
nav a { color: #1f3a93; text-decoration: none; margin-right: 18px; }
nav a:hover { text-decoration: underline; }
h2 { font-size: 20px; margin: 36px 0 10px; padding-top: 8px; border-top: 1px solid #e3e6eb; }
h3 { font-size: 16px; margin: 22px 0 6px; }
p.lead { font-size: 16px; }
.cards { display: flex; flex-wrap: wrap; gap: 14px; margin: 16px 0 6px; }
.card { flex: 1 1 200px; border: 1px solid #dde1e8; border-radius: 6px; padding: 12px 14px; background: #fafbfc; }
.card .label { font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; color: #5a6272; }
.card .value { font-size: 24px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .sub { font-size: 13px; color: #5a6272; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 14px; font-size: 14px; }
th, td { padding: 6px 10px; border-bottom: 1px solid #e3e6eb; vertical-align: top; }
th { text-align: left; background: #eef1f6; font-weight: 600; border-bottom: 2px solid #c9cfd9; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) { background: #fafbfc; }
tr.total td { font-weight: 600; border-top: 2px solid #c9cfd9; background: #eef1f6; }
.ci { display: block; font-size: 12px; color: #5a6272; white-space: nowrap; }
section { display: block; }
figure { margin: 14px 0 22px; }
figure svg { width: 100%; height: auto; border: 1px solid #e3e6eb; border-radius: 4px; }
figcaption { font-size: 13px; color: #5a6272; margin-top: 4px; }
figcaption .files { color: #8a91a0; }
details { margin: 8px 0 14px; }
details summary { cursor: pointer; color: #1f3a93; font-size: 14px; }
@media print { details > *:not(summary) { display: block; } }
.note { font-size: 13px; color: #5a6272; }
footer { margin-top: 40px; font-size: 12px; color: #8a91a0; border-top: 1px solid #e3e6eb; padding-top: 10px; }
@media print { body { background: #fff; } main { padding: 0; } nav { display: none; } h2 { break-after: avoid; } figure, table { break-inside: avoid; } }
"#;

/// The whole page: title, subtitle, the section navigation and the body.
pub fn page(
    title: &str,
    subtitle: &str,
    sections: &[(&str, &str)],
    body: &str,
    footer: &str,
) -> String {
    let nav: String = sections
        .iter()
        .map(|(id, name)| format!("<a href=\"#{id}\">{}</a>", esc(name)))
        .collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{t}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n<header>\n<h1>{t}</h1>\n<p>{s}</p>\n<nav>{nav}</nav>\n</header>\n{body}<footer>{f}</footer>\n</main>\n</body>\n</html>\n",
        t = esc(title),
        s = esc(subtitle),
        f = esc(footer),
        body = close_sections(body),
    )
}

/// The start of a section with its heading; [`page`] closes every section.
pub fn section(id: &str, name: &str) -> String {
    format!("<section id=\"{id}\">\n<h2>{}</h2>\n", esc(name))
}

/// Close each section opened by [`section`] where the next one starts, and the last at the end.
fn close_sections(body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 64);
    let mut open = false;
    for (i, part) in body.split("<section id=").enumerate() {
        if i == 0 {
            out.push_str(part);
            continue;
        }
        if open {
            out.push_str("</section>\n");
        }
        out.push_str("<section id=");
        out.push_str(part);
        open = true;
    }
    if open {
        out.push_str("</section>\n");
    }
    out
}

/// A headline figure card.
pub fn card(label: &str, value: &str, sub: &str) -> String {
    format!(
        "<div class=\"card\"><div class=\"label\">{}</div><div class=\"value\">{}</div><div class=\"sub\">{}</div></div>",
        esc(label),
        esc(value),
        esc(sub)
    )
}
