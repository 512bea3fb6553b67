//! Tests of the HTML blocks: number formats, sections, inline SVG, tables.

use super::*;

#[test]
fn numbers_in_finance_style() {
    assert_eq!(thousands(0.0, 0), "0");
    assert_eq!(thousands(999.0, 0), "999");
    assert_eq!(thousands(1000.0, 0), "1,000");
    assert_eq!(thousands(-0.01, 1), "0.0");
    assert_eq!(fmt(104_512_300.4, Unit::Money, "EUR"), "104,512,300 EUR");
    assert_eq!(fmt(0.5861, Unit::Percent, ""), "58.6 %");
    assert_eq!(fmt_diff(0.105, Unit::Percent, ""), "+10.5 pts");
    assert_eq!(fmt_diff(-2500.0, Unit::Money, "KES"), "-2,500 KES");
    assert_eq!(fmt(305_522_143.0, Unit::MoneyShort, "EUR"), "305.5 m EUR");
    assert_eq!(fmt(1_063_446_689.0, Unit::MoneyShort, "EUR"), "1.06 bn EUR");
    assert_eq!(
        fmt_diff(47_206_564.0, Unit::MoneyShort, "EUR"),
        "+47.2 m EUR"
    );
}

#[test]
fn sections_are_closed_and_ranges_short() {
    let b = format!("{}x{}y", section("a", "A"), section("b", "B"));
    let c = close_sections(&b);
    assert_eq!(c.matches("<section").count(), 2);
    assert_eq!(c.matches("</section>").count(), 2);
    assert!(c.ends_with("y</section>\n"));
    assert_eq!(
        range(0.104, 0.107, Unit::Percent, "", true),
        "[+10.4, +10.7] pts"
    );
    assert_eq!(
        range(46.8e6, 47.6e6, Unit::MoneyShort, "EUR", true),
        "[+46.8, +47.6] m EUR"
    );
    assert_eq!(range(-5.0, 2.0, Unit::Count, "", true), "[-5, +2]");
}

#[test]
fn inline_svg_has_no_namespace_url_and_scales() {
    let s = inline_svg(
        "<svg width=\"10\" height=\"5\" viewBox=\"0 0 10 5\" xmlns=\"http://www.w3.org/2000/svg\">\n</svg>",
    );
    assert!(!s.contains("http"));
    assert!(
        s.starts_with("<svg role=\"img\" viewBox=\"0 0 10 5\""),
        "{s}"
    );
}

#[test]
fn tables_escape_and_align() {
    let t = table(
        &["a<b".into(), "n".into()],
        &[vec![Td::Text("x & y".into()), Td::Num("1,000".into())]],
        false,
    );
    assert!(t.contains("a&lt;b") && t.contains("x &amp; y"));
    assert!(t.contains("<th class=\"num\">n</th>") && t.contains("<td class=\"num\">1,000</td>"));
}

#[test]
fn an_interval_keeps_the_sign_of_a_small_bound() {
    // -39 k to +1.8 m in millions: the lower bound is negative, not "0.0"
    assert_eq!(
        range(-39_000.0, 1_800_000.0, Unit::MoneyShort, "EUR", true),
        "[-0.04, +1.80] m EUR"
    );
    assert_eq!(
        range(-0.0004, 0.02, Unit::Percent, "", true),
        "[-0.04, +2.00] pts"
    );
}

#[test]
fn whole_fte_without_a_decimal() {
    assert_eq!(fmt(153.0, Unit::Fte, ""), "153");
    assert_eq!(fmt(2.5, Unit::Fte, ""), "2.5");
}
