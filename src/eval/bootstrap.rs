//! 95% confidence intervals for FPIR and FNIR by bootstrap over galleries. The galleries of an
//! open-set evaluation are the independent draws: a gallery's mated probes share its members
//! and their templates, so resampling probes one by one would make the interval too narrow.
//! Each replicate draws as many galleries as there were, with replacement, and pools their
//! probes; the interval is the 2.5th to 97.5th percentile of the replicates.

use super::openset::OpenSetScores;
use super::protocol::SplitMix;

/// Replicates drawn: enough for the percentiles to settle to the second digit of a percent.
pub const REPLICATES: usize = 2000;

#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct OpenSetIntervals {
    pub fpir: Interval,
    pub fnir: Interval,
    pub galleries: usize,
}

/// One gallery's counts at the threshold: (false positives, non-mated, misses, mated).
type Counts = (usize, usize, usize, usize);

/// FPIR's and FNIR's intervals at `threshold`, resampling the galleries of `scores`
/// (`None` when it records no galleries).
pub fn by_gallery(scores: &OpenSetScores, threshold: f32, seed: u64) -> Option<OpenSetIntervals> {
    if scores.gallery_ends.is_empty() {
        return None;
    }
    let mut start = (0, 0);
    let counts: Vec<Counts> = scores
        .gallery_ends
        .iter()
        .map(|&end| {
            let nonmated = scores.nonmated.get(start.1..end.1).unwrap_or_default();
            let mated = scores.mated.get(start.0..end.0).unwrap_or_default();
            start = end;
            let false_positives = nonmated
                .iter()
                .flatten()
                .filter(|b| b.score >= threshold)
                .count();
            let hits = mated
                .iter()
                .flatten()
                .filter(|b| b.correct && b.score >= threshold)
                .count();
            (
                false_positives,
                nonmated.len(),
                mated.len() - hits,
                mated.len(),
            )
        })
        .collect();
    let mut rng = SplitMix(seed);
    let (mut fpirs, mut fnirs) = (
        Vec::with_capacity(REPLICATES),
        Vec::with_capacity(REPLICATES),
    );
    for _ in 0..REPLICATES {
        let mut sum: Counts = (0, 0, 0, 0);
        for _ in 0..counts.len() {
            let c = counts[(rng.next() % counts.len() as u64) as usize];
            sum = (sum.0 + c.0, sum.1 + c.1, sum.2 + c.2, sum.3 + c.3);
        }
        fpirs.push(sum.0 as f64 / sum.1.max(1) as f64);
        fnirs.push(sum.2 as f64 / sum.3.max(1) as f64);
    }
    Some(OpenSetIntervals {
        fpir: percentiles(&mut fpirs),
        fnir: percentiles(&mut fnirs),
        galleries: counts.len(),
    })
}

fn percentiles(values: &mut [f64]) -> Interval {
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    Interval {
        low: at(0.025),
        high: at(0.975),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Best;

    /// `galleries` galleries of 10 non-mated and 10 mated probes; in gallery `g` the first
    /// `wrong(g)` non-mated probes pass the threshold of 0.5.
    fn scores(galleries: usize, wrong: impl Fn(usize) -> usize) -> OpenSetScores {
        let mut scores = OpenSetScores::default();
        for g in 0..galleries {
            for i in 0..10 {
                let score = if i < wrong(g) { 0.9 } else { 0.1 };
                scores.nonmated.push(Some(Best {
                    score,
                    correct: false,
                }));
                scores.mated.push(Some(Best {
                    score: 0.9,
                    correct: true,
                }));
            }
            scores.end_gallery();
        }
        scores
    }

    #[test]
    fn the_interval_holds_the_estimate_and_narrows_with_more_galleries() {
        // Every other gallery has 2 of its 10 strangers pass: FPIR 10%.
        let few = by_gallery(&scores(20, |g| 2 * (g % 2)), 0.5, 7).unwrap();
        let many = by_gallery(&scores(400, |g| 2 * (g % 2)), 0.5, 7).unwrap();
        for i in [few, many] {
            assert!(i.fpir.low < 0.1 && 0.1 < i.fpir.high, "{i:?}");
            assert_eq!((i.fnir.low, i.fnir.high), (0.0, 0.0));
        }
        assert!(many.fpir.high - many.fpir.low < (few.fpir.high - few.fpir.low) / 2.0);
    }

    #[test]
    fn galleries_alike_give_no_spread() {
        let same = by_gallery(&scores(50, |_| 1), 0.5, 7).unwrap();
        assert_eq!((same.fpir.low, same.fpir.high), (0.1, 0.1));
        assert!(by_gallery(&OpenSetScores::default(), 0.5, 7).is_none());
    }
}
