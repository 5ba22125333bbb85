//! 95% confidence intervals for FPIR and FNIR by bootstrap, two ways. Over galleries: the
//! galleries drawn are independent, while a gallery's mated probes share its members and
//! templates, so resampling probes one by one would make the interval too narrow. Over
//! people: every gallery is probed by the same strangers' photos, so the gallery interval
//! says nothing of which people the strangers happen to be; resampling the identities whose
//! photos are the probes does. Each replicate draws as many units as there were, with
//! replacement, and pools their probes; the interval is the 2.5th to 97.5th percentile.

use std::collections::BTreeMap;

use super::openset::{Best, OpenSetScores};
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
    /// How many units (galleries or people) were resampled.
    pub units: usize,
}

/// Counts at the threshold: false positives, non-mated probes, misses, mated probes.
#[derive(Debug, Clone, Copy, Default)]
struct Counts([usize; 4]);

impl Counts {
    fn add(&mut self, other: Counts) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a += b;
        }
    }

    fn nonmated(&mut self, best: &Option<Best>, threshold: f32) {
        self.0[0] += usize::from(best.is_some_and(|b| b.score >= threshold));
        self.0[1] += 1;
    }

    fn mated(&mut self, best: &Option<Best>, threshold: f32) {
        self.0[2] += usize::from(!best.is_some_and(|b| b.correct && b.score >= threshold));
        self.0[3] += 1;
    }
}

/// The intervals at `threshold`, resampling the galleries of `scores` (`None` when it records
/// no galleries).
pub fn by_gallery(scores: &OpenSetScores, threshold: f32, seed: u64) -> Option<OpenSetIntervals> {
    let mut start = (0, 0);
    let units = scores
        .gallery_ends
        .iter()
        .map(|&end| {
            let mut counts = Counts::default();
            for best in scores.nonmated.get(start.1..end.1).unwrap_or_default() {
                counts.nonmated(best, threshold);
            }
            for best in scores.mated.get(start.0..end.0).unwrap_or_default() {
                counts.mated(best, threshold);
            }
            start = end;
            counts
        })
        .collect();
    resample(units, seed)
}

/// The intervals at `threshold`, resampling the people whose photos are the probes (`None`
/// when `scores` records nobody).
pub fn by_person(scores: &OpenSetScores, threshold: f32, seed: u64) -> Option<OpenSetIntervals> {
    let mut people: BTreeMap<usize, Counts> = BTreeMap::new();
    for (best, &who) in scores.nonmated.iter().zip(&scores.nonmated_who) {
        people.entry(who).or_default().nonmated(best, threshold);
    }
    for (best, &who) in scores.mated.iter().zip(&scores.mated_who) {
        people.entry(who).or_default().mated(best, threshold);
    }
    resample(people.into_values().collect(), seed)
}

fn resample(units: Vec<Counts>, seed: u64) -> Option<OpenSetIntervals> {
    if units.is_empty() {
        return None;
    }
    let mut rng = SplitMix(seed);
    let (mut fpirs, mut fnirs) = (
        Vec::with_capacity(REPLICATES),
        Vec::with_capacity(REPLICATES),
    );
    for _ in 0..REPLICATES {
        let mut sum = Counts::default();
        for _ in 0..units.len() {
            sum.add(units[(rng.next() % units.len() as u64) as usize]);
        }
        let [false_positives, nonmated, misses, mated] = sum.0;
        fpirs.push(false_positives as f64 / nonmated.max(1) as f64);
        fnirs.push(misses as f64 / mated.max(1) as f64);
    }
    Some(OpenSetIntervals {
        fpir: percentiles(&mut fpirs),
        fnir: percentiles(&mut fnirs),
        units: units.len(),
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

    /// `galleries` galleries of 10 non-mated and 10 mated probes; in gallery `g` the first
    /// `wrong(g)` non-mated probes pass the threshold of 0.5.
    fn scores(galleries: usize, wrong: impl Fn(usize) -> usize) -> OpenSetScores {
        let mut scores = OpenSetScores::default();
        for g in 0..galleries {
            for i in 0..10 {
                let score = if i < wrong(g) { 0.9 } else { 0.1 };
                // Stranger i of every gallery is person 1000 + i; gallery g's member is g.
                let stranger = Some(Best {
                    score,
                    correct: false,
                });
                scores.push(stranger, 1000 + i, false);
                let member = Some(Best {
                    score: 0.9,
                    correct: true,
                });
                scores.push(member, g, true);
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
    fn by_person_the_same_strangers_in_every_gallery_are_ten_people() {
        // The first stranger passes in every gallery: FPIR 10%, all of it one person's.
        let scores = scores(400, |_| 1);
        let galleries = by_gallery(&scores, 0.5, 7).unwrap();
        let people = by_person(&scores, 0.5, 7).unwrap();
        assert_eq!((galleries.fpir.low, galleries.fpir.high), (0.1, 0.1));
        assert_eq!(people.units, 410);
        // Which ten people the strangers are decides it: from none to several passing.
        assert!(
            people.fpir.low < 0.1 && people.fpir.high > 0.1,
            "{people:?}"
        );
    }

    #[test]
    fn galleries_alike_give_no_spread() {
        let same = by_gallery(&scores(50, |_| 1), 0.5, 7).unwrap();
        assert_eq!((same.fpir.low, same.fpir.high), (0.1, 0.1));
        assert!(by_gallery(&OpenSetScores::default(), 0.5, 7).is_none());
        assert!(by_person(&OpenSetScores::default(), 0.5, 7).is_none());
    }
}
