//! `report.md`: one section per experiment, in plain Markdown.

use std::fmt::Write as _;

/// A Markdown table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Column headers.
    pub headers: Vec<String>,
    /// Rows (each as long as `headers`).
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these headers.
    pub fn new<S: Into<String>>(headers: impl IntoIterator<Item = S>) -> Self {
        Self {
            headers: headers.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row.
    pub fn row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.rows.push(cells.into_iter().map(Into::into).collect());
    }

    /// The table as Markdown.
    pub fn to_markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "| {} |", self.headers.join(" | "));
        let _ = writeln!(s, "|{}|", vec!["---"; self.headers.len()].join("|"));
        for r in &self.rows {
            let _ = writeln!(s, "| {} |", r.join(" | "));
        }
        s
    }

    /// The table as aligned plain text (for the terminal summary).
    pub fn to_text(&self) -> String {
        let cols = self.headers.len();
        let mut width = vec![0usize; cols];
        for row in std::iter::once(&self.headers).chain(&self.rows) {
            for (w, c) in width.iter_mut().zip(row) {
                *w = (*w).max(c.chars().count());
            }
        }
        let mut s = String::new();
        for row in std::iter::once(&self.headers).chain(&self.rows) {
            let line: Vec<String> = row
                .iter()
                .zip(&width)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            let _ = writeln!(s, "  {}", line.join("  ").trim_end());
        }
        s
    }
}

/// The report section of one experiment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Section {
    /// Experiment ID (also the anchor and the SVG file stem).
    pub id: String,
    /// Heading.
    pub title: String,
    /// Which paper and claim it tests.
    pub source: String,
    /// Two or three sentences a reader who has not read the papers can follow.
    pub explanation: String,
    /// File name of the figure, relative to the report.
    pub figure: Option<String>,
    /// Tables of key numbers.
    pub tables: Vec<Table>,
    /// What the numbers showed, one finding per entry.
    pub findings: Vec<String>,
    /// Where measurement and theory disagree, stated plainly (empty means they agree).
    pub disagreements: Vec<String>,
    /// Metric names this experiment writes to `results.json`, with their meaning.
    pub metrics: Vec<(String, String)>,
    /// Wall-clock seconds the experiment took.
    pub seconds: f64,
}

/// Facts about the run, printed at the top of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    /// `quick`, `default` or `full`.
    pub mode: String,
    /// The run seed.
    pub seed: u64,
    /// Worker threads used.
    pub threads: usize,
    /// The command that reproduces the run.
    pub command: String,
}

/// The whole report.
pub fn render(info: &RunInfo, sections: &[Section]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# lowbit report: measured error next to the information-theoretic limit\n"
    );
    let _ = writeln!(
        s,
        "Every number below was produced by `{}` (mode `{}`, seed {}, {} threads). \
         Every stochastic gradient crossed a real bit channel: the decoders saw only bits and \
         public coins. Results other than wall-clock throughput do not depend on the thread \
         count; `results.json` holds every point as `{{experiment, params, metrics}}`.\n",
        info.command, info.mode, info.seed, info.threads
    );
    let _ = writeln!(s, "## Contents\n");
    for sec in sections {
        let _ = writeln!(
            s,
            "- [{}](#{}) (`{}`)",
            sec.title,
            anchor(&sec.title),
            sec.id
        );
    }
    let _ = writeln!(s);
    for sec in sections {
        let _ = writeln!(s, "## {}\n", sec.title);
        let _ = writeln!(s, "*Experiment `{}`. Source: {}.*\n", sec.id, sec.source);
        let _ = writeln!(s, "{}\n", sec.explanation.trim());
        if let Some(fig) = &sec.figure {
            let _ = writeln!(s, "![{}]({})\n", sec.title, fig);
        }
        for t in &sec.tables {
            let _ = writeln!(s, "{}", t.to_markdown());
        }
        if !sec.findings.is_empty() {
            let _ = writeln!(s, "**What the numbers show.**\n");
            for f in &sec.findings {
                let _ = writeln!(s, "- {f}");
            }
            let _ = writeln!(s);
        }
        let _ = writeln!(s, "**Where measurement and theory disagree.**\n");
        if sec.disagreements.is_empty() {
            let _ = writeln!(
                s,
                "- Nowhere in this run: every measured point lies on the side of the bound that theory predicts.\n"
            );
        } else {
            for d in &sec.disagreements {
                let _ = writeln!(s, "- {d}");
            }
            let _ = writeln!(s);
        }
        if !sec.metrics.is_empty() {
            let _ = writeln!(s, "<details><summary>Metrics in results.json</summary>\n");
            for (name, meaning) in &sec.metrics {
                let _ = writeln!(s, "- `{name}`: {meaning}");
            }
            let _ = writeln!(s, "\n</details>\n");
        }
        let _ = writeln!(s, "<sub>Ran in {:.1} s.</sub>\n", sec.seconds);
    }
    s
}

/// GitHub-style heading anchor.
fn anchor(title: &str) -> String {
    title
        .to_lowercase()
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                Some(c)
            } else if c == ' ' {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_render_in_markdown_and_text() {
        let mut t = Table::new(["scheme", "ratio"]);
        t.row(["sign", "1.20"]);
        assert_eq!(
            t.to_markdown(),
            "| scheme | ratio |\n|---|---|\n| sign | 1.20 |\n"
        );
        assert!(t.to_text().contains("sign    1.20"));
    }

    #[test]
    fn report_has_every_section_and_states_disagreements() {
        let info = RunInfo {
            mode: "quick".into(),
            seed: 1,
            threads: 2,
            command: "cargo xtask bench --quick".into(),
        };
        let sec = Section {
            id: "dqgd".into(),
            title: "DQ-GD on least squares".into(),
            source: "paper 002".into(),
            explanation: "GD with quantized gradients.".into(),
            figure: Some("dqgd.svg".into()),
            disagreements: vec!["naive QGD beat its bound".into()],
            ..Section::default()
        };
        let md = render(&info, &[sec]);
        assert!(md.contains("## DQ-GD on least squares"));
        assert!(md.contains("(#dq-gd-on-least-squares)"));
        assert!(md.contains("![DQ-GD on least squares](dqgd.svg)"));
        assert!(md.contains("naive QGD beat its bound"));
    }
}
