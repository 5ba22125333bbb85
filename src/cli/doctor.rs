//! `lrfr doctor`: prints every check with what to do, and fails when something must be fixed.

use lrfr::doctor::{checks, Health};
use lrfr::Config;

pub fn run(config: &Config) -> anyhow::Result<()> {
    let all = checks(config);
    for check in &all {
        let mark = match check.health {
            Health::Good => "ok  ",
            Health::Note => "note",
            Health::Fix => "FIX ",
        };
        println!("{mark} {:<8} {}", check.area, check.text);
    }
    let to_fix = all.iter().filter(|c| c.health == Health::Fix).count();
    anyhow::ensure!(to_fix == 0, "{to_fix} thing(s) to fix, marked FIX above");
    Ok(())
}
