//! Progress of a run: a bar with an estimate on a terminal, a line with the rate every few
//! seconds otherwise (cron mails, logs).

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

pub struct Progress {
    bar: Option<ProgressBar>,
    total: u64,
    done: u64,
    started: Instant,
    last_line: Instant,
}

const LINE_EVERY: Duration = Duration::from_secs(5);

impl Progress {
    pub fn new(total: u64, month: &str) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total);
            if let Ok(style) = ProgressStyle::with_template(
                "{msg} [{bar:30}] {pos}/{len} customers, {per_sec}, about {eta} left",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message(format!("SLA reports {month}"));
            bar
        });
        let now = Instant::now();
        Self {
            bar,
            total,
            done: 0,
            started: now,
            last_line: now,
        }
    }

    pub fn println(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    pub fn step(&mut self, customer: &str) {
        self.done += 1;
        if let Some(bar) = &self.bar {
            bar.inc(1);
            return;
        }
        if self.last_line.elapsed() >= LINE_EVERY || self.done == self.total {
            self.last_line = Instant::now();
            let rate = self.done as f64 / self.started.elapsed().as_secs_f64().max(1e-3);
            eprintln!(
                "{}/{} customers (last: {customer}), {rate:.1} reports/s",
                self.done, self.total
            );
        }
    }

    pub fn finish(self, written: usize, dir: &std::path::Path) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        eprintln!(
            "wrote {written} customer report(s) into {} in {:.1} s",
            dir.display(),
            self.started.elapsed().as_secs_f64()
        );
    }
}
