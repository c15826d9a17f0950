/// Figures collected by the sections, printed together at the end.
#[derive(Default)]
pub struct Report {
    lines: Vec<(String, String)>,
}

impl Report {
    pub fn add(&mut self, name: &str, value: String) {
        println!("  {name}: {value}");
        self.lines.push((name.to_owned(), value));
    }

    pub fn print(&self) {
        println!("\n== summary ==");
        let width = self.lines.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
        for (name, value) in &self.lines {
            println!("{name:<width$}  {value}");
        }
    }
}

pub fn rate(count: usize, seconds: f64) -> f64 {
    count as f64 / seconds.max(1e-9)
}

/// Latency percentile in milliseconds from sorted microsecond samples.
pub fn percentile_ms(sorted_micros: &[u64], p: f64) -> f64 {
    if sorted_micros.is_empty() {
        return f64::NAN;
    }
    let index =
        ((sorted_micros.len() as f64 * p).ceil() as usize).clamp(1, sorted_micros.len()) - 1;
    sorted_micros[index] as f64 / 1000.0
}
