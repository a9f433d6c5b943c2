//! `cargo xtask docs`: the API documentation with its mathematics rendered offline.
//!
//! Doc comments write display math in fenced `math` blocks and inline math as `` $`...`$ ``
//! (the same syntax GitHub renders). rustdoc leaves both as code; this command builds the docs
//! with `cargo doc`, then replaces them in the generated HTML with MathML rendered by
//! `pulldown-latex`, and copies its stylesheet and Latin Modern fonts (from the crate's
//! package, fetched by cargo like any dependency) next to the docs. Browsers render MathML
//! natively, so viewing needs no script and no network.
//!
//! It also copies the latest experiment report (`report.md`, its figures and `results.json`)
//! to `docs/report/`, the committed reference report.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Result, bail};
use clap::Args;
use pulldown_latex::config::DisplayMode;
use pulldown_latex::{Parser, RenderConfig, Storage, push_mathml};

/// The workspace's library crates, whose pages are post-processed.
const CRATES: [&str; 5] = ["bitcodec", "bounds", "oracles", "quantizers", "optimizers"];

/// Where the math stylesheet and fonts go, under the doc root.
const MATH_ASSETS: &str = "static.files/lowbit-math";

/// Options of `cargo xtask docs`.
#[derive(Debug, Clone, Args)]
pub struct DocsArgs {
    /// The experiment report to copy into `docs/report/`.
    #[arg(long, value_name = "DIR", default_value = "target/lowbit-report")]
    pub report: PathBuf,
    /// Skip copying the report.
    #[arg(long)]
    pub no_report: bool,
}

/// Runs `cargo xtask docs`.
pub fn run(args: &DocsArgs) -> Result<()> {
    let root = workspace_root()?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut cmd = Command::new(&cargo);
    cmd.current_dir(&root).args(["doc", "--no-deps"]);
    for c in CRATES {
        cmd.args(["-p", c]);
    }
    let status = cmd.status().context("running cargo doc")?;
    if !status.success() {
        bail!("cargo doc failed");
    }
    let doc_root = root.join("target/doc");
    copy_math_assets(&root, &doc_root.join(MATH_ASSETS))?;

    let (mut pages, mut formulas) = (0usize, 0usize);
    for krate in CRATES {
        for page in html_files(&doc_root.join(krate))? {
            let html = std::fs::read_to_string(&page)
                .with_context(|| format!("reading {}", page.display()))?;
            let depth = page
                .strip_prefix(&doc_root)
                .map(|p| p.components().count().saturating_sub(1))
                .unwrap_or(0);
            let stylesheet = format!("{}{MATH_ASSETS}/styles.css", "../".repeat(depth));
            let (out, n) = render_page(&html, &stylesheet);
            if n > 0 {
                std::fs::write(&page, out)
                    .with_context(|| format!("writing {}", page.display()))?;
                pages += 1;
                formulas += n;
            }
        }
    }
    println!("rendered {formulas} formulas on {pages} pages");
    println!("docs: {}", doc_root.join("quantizers/index.html").display());

    if !args.no_report {
        let src = if args.report.is_absolute() {
            args.report.clone()
        } else {
            root.join(&args.report)
        };
        let n = copy_report(&src, &root.join("docs/report"))?;
        println!(
            "copied {n} report files from {} to docs/report/",
            src.display()
        );
    }
    Ok(())
}

/// The workspace root: the parent of this crate's manifest directory.
fn workspace_root() -> Result<PathBuf> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map(Path::to_path_buf)
        .context("xtask has no parent directory")
}

/// Every `.html` file under `dir`.
fn html_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).with_context(|| format!("listing {}", d.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "html") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Finds the `pulldown-latex` package that cargo fetched and copies its stylesheet and fonts.
fn copy_math_assets(root: &Path, dest: &Path) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .current_dir(root)
        .args(["metadata", "--format-version", "1"])
        .output()
        .context("running cargo metadata")?;
    if !output.status.success() {
        bail!("cargo metadata failed");
    }
    let meta: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let manifest = meta["packages"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == "pulldown-latex"))
        .and_then(|p| p["manifest_path"].as_str())
        .context("pulldown-latex is not among the packages")?;
    let pkg = Path::new(manifest)
        .parent()
        .context("manifest has no directory")?;
    std::fs::create_dir_all(dest.join("font"))?;
    std::fs::copy(pkg.join("styles.css"), dest.join("styles.css")).context("copying styles.css")?;
    for entry in std::fs::read_dir(pkg.join("font")).context("listing the math fonts")? {
        let path = entry?.path();
        if let Some(name) = path.file_name() {
            std::fs::copy(&path, dest.join("font").join(name))?;
        }
    }
    Ok(())
}

/// Copies `report.md`, `results.json` and the SVG figures of a report directory.
fn copy_report(src: &Path, dest: &Path) -> Result<usize> {
    if !src.join("report.md").is_file() {
        bail!(
            "no report at {} (run `cargo xtask bench` first, or pass --no-report)",
            src.display()
        );
    }
    std::fs::create_dir_all(dest)?;
    let mut n = 0;
    for entry in std::fs::read_dir(src)? {
        let path = entry?.path();
        let keep = path
            .extension()
            .is_some_and(|e| e == "svg" || e == "md" || e == "json");
        if let (true, Some(name)) = (keep, path.file_name()) {
            std::fs::copy(&path, dest.join(name))?;
            n += 1;
        }
    }
    Ok(n)
}

/// Undoes rustdoc's HTML escaping of code text.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// MathML for a formula; on a parse error, the source in a visible error span.
fn mathml(latex: &str, block: bool) -> String {
    let storage = Storage::new();
    let parser = Parser::new(latex, &storage);
    let config = RenderConfig {
        display_mode: if block {
            DisplayMode::Block
        } else {
            DisplayMode::Inline
        },
        ..RenderConfig::default()
    };
    let mut out = String::new();
    match push_mathml(&mut out, parser, config) {
        Ok(()) => out,
        Err(e) => format!(
            "<code class=\"math-error\" title=\"{}\">{}</code>",
            e.to_string().replace('"', "'"),
            latex.replace('<', "&lt;")
        ),
    }
}

/// Replaces the math of one page; returns the page and the number of formulas rendered.
pub fn render_page(html: &str, stylesheet: &str) -> (String, usize) {
    const BLOCK_OPEN: &str = "<pre class=\"language-math\"><code>";
    const BLOCK_CLOSE: &str = "</code></pre>";
    const INLINE_OPEN: &str = "$<code>";
    const INLINE_CLOSE: &str = "</code>$";
    let mut out = String::with_capacity(html.len());
    let mut n = 0;
    let mut rest = html;
    loop {
        let block = rest.find(BLOCK_OPEN);
        let inline = rest.find(INLINE_OPEN);
        let (start, open, close, is_block) = match (block, inline) {
            (Some(b), Some(i)) if b < i => (b, BLOCK_OPEN, BLOCK_CLOSE, true),
            (Some(b), None) => (b, BLOCK_OPEN, BLOCK_CLOSE, true),
            (_, Some(i)) => (i, INLINE_OPEN, INLINE_CLOSE, false),
            (None, None) => break,
        };
        let body_start = start + open.len();
        let Some(len) = rest[body_start..].find(close) else {
            break;
        };
        let body = &rest[body_start..body_start + len];
        out.push_str(&rest[..start]);
        if !is_block && body.contains('<') {
            // A code span with markup inside is not a formula: keep it.
            out.push_str(&rest[start..body_start + len + close.len()]);
        } else {
            out.push_str(&mathml(&unescape(body), is_block));
            n += 1;
        }
        rest = &rest[body_start + len + close.len()..];
    }
    out.push_str(rest);
    if n > 0 {
        let link = format!("<link rel=\"stylesheet\" href=\"{stylesheet}\">");
        if let Some(i) = out.find("</head>") {
            out.insert_str(i, &link);
        }
    }
    (out, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_and_inline_formulas_become_mathml() {
        let page = "<html><head></head><body><p>a subset of $<code>[n]</code>$ in</p>\
                    <div class=\"example-wrap\"><pre class=\"language-math\"><code>\\binom{n}{k} &lt; 2^n</code></pre></div></body></html>";
        let (out, n) = render_page(page, "../static.files/lowbit-math/styles.css");
        assert_eq!(n, 2);
        assert_eq!(out.matches("<math").count(), 2);
        assert!(out.contains("display=\"block\""));
        assert!(!out.contains("language-math"));
        assert!(!out.contains("$<code>"));
        assert!(out.contains(
            "<link rel=\"stylesheet\" href=\"../static.files/lowbit-math/styles.css\"></head>"
        ));
    }

    #[test]
    fn pages_without_math_are_unchanged() {
        let page = "<html><head></head><body><code>x$</code> costs $5</body></html>";
        assert_eq!(render_page(page, "s.css"), (page.to_owned(), 0));
    }

    #[test]
    fn code_spans_with_markup_are_not_formulas() {
        let page = "<head></head>$<code><a href=\"x\">Quantizer</a></code>$";
        let (out, n) = render_page(page, "s.css");
        assert_eq!(n, 0);
        assert_eq!(out, page);
    }

    #[test]
    fn escaped_characters_reach_the_renderer_unescaped() {
        assert_eq!(unescape("a &lt; b &amp;&amp; c &gt; d"), "a < b && c > d");
    }
}
