//! Open-set identification metrics (ISO/IEC 19795-1 terms): for every probe the gallery's best
//! candidate and its score; a mated probe is a hit when that candidate is the right person
//! and the score reaches the threshold, a non-mated probe is a false positive when the score
//! reaches it. Probes with no face count as misses (mated) and as correct rejections
//! (non-mated): a face the app does not find names nobody.

/// The best candidate for one probe, `None` when the probe had no usable face.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Best {
    pub score: f32,
    /// For a mated probe: whether the best candidate is the probe's own person.
    pub correct: bool,
}

#[derive(Debug, Clone, Default)]
pub struct OpenSetScores {
    pub mated: Vec<Option<Best>>,
    pub nonmated: Vec<Option<Best>>,
    /// Where each gallery's probes end in `mated` and `nonmated`, gallery by gallery, and
    /// whose photo each probe is: the units [`super::bootstrap`] resamples.
    pub gallery_ends: Vec<(usize, usize)>,
    pub mated_who: Vec<usize>,
    pub nonmated_who: Vec<usize>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct OpenSetMetrics {
    pub mated: usize,
    pub nonmated: usize,
    /// Mated probes whose best candidate is right, whatever the score.
    pub rank1: f64,
    /// The threshold FPIR and FNIR below are measured at.
    pub threshold: f64,
    pub fpir: f64,
    pub fnir: f64,
    pub fnir_at_fpir_1e2: f64,
    pub fnir_at_fpir_5e2: f64,
    pub threshold_fpir_1e2: f64,
    pub threshold_fpir_5e2: f64,
    /// Probes (mated and non-mated) in which no face was found.
    pub no_face: usize,
}

/// One point of the DET curve chosen by its FPIR: the threshold that reaches it and the FNIR
/// there.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct OperatingPoint {
    pub fpir: f64,
    pub threshold: f64,
    pub fnir: f64,
}

impl OpenSetScores {
    /// One probe: a photo of identity `who`, mated when that person is in the gallery.
    pub fn push(&mut self, best: Option<Best>, who: usize, mated: bool) {
        if mated {
            self.mated.push(best);
            self.mated_who.push(who);
        } else {
            self.nonmated.push(best);
            self.nonmated_who.push(who);
        }
    }

    /// The probes pushed since the last call were one gallery's.
    pub fn end_gallery(&mut self) {
        self.gallery_ends
            .push((self.mated.len(), self.nonmated.len()));
    }

    /// Non-mated probes whose best score reaches `threshold`, as a fraction of all.
    pub fn fpir(&self, threshold: f32) -> f64 {
        let hits = self
            .nonmated
            .iter()
            .flatten()
            .filter(|b| b.score >= threshold)
            .count();
        hits as f64 / self.nonmated.len().max(1) as f64
    }

    /// Mated probes not named correctly at `threshold`, as a fraction of all.
    pub fn fnir(&self, threshold: f32) -> f64 {
        let hits = self
            .mated
            .iter()
            .flatten()
            .filter(|b| b.correct && b.score >= threshold)
            .count();
        1.0 - hits as f64 / self.mated.len().max(1) as f64
    }

    /// The lowest threshold whose FPIR is at most `target`: halfway between the non-mated
    /// score that must be refused and the next one above it.
    pub fn threshold_for_fpir(&self, target: f64) -> f32 {
        let mut scores: Vec<f32> = self.nonmated.iter().flatten().map(|b| b.score).collect();
        scores.sort_by(|a, b| b.total_cmp(a));
        let allowed = (target * self.nonmated.len() as f64).floor() as usize;
        match (
            // Fewer found scores than `allowed` when most probes had no face.
            allowed.checked_sub(1).and_then(|i| scores.get(i).copied()),
            scores.get(allowed),
        ) {
            // Fewer found faces than allowed false positives: anything passes.
            (_, None) => -1.0,
            (None, Some(&refused)) => next_above(refused),
            (Some(kept), Some(&refused)) if kept > refused => (kept + refused) / 2.0,
            // A tie across the boundary: both must be refused.
            (Some(_), Some(&refused)) => next_above(refused),
        }
    }

    pub fn operating_point(&self, fpir: f64) -> OperatingPoint {
        let threshold = self.threshold_for_fpir(fpir);
        OperatingPoint {
            fpir,
            threshold: f64::from(threshold),
            fnir: self.fnir(threshold),
        }
    }

    pub fn metrics(&self, threshold: f32) -> OpenSetMetrics {
        let found = self.mated.iter().flatten();
        let right = found.filter(|b| b.correct).count();
        let t1 = self.threshold_for_fpir(1e-2);
        let t5 = self.threshold_for_fpir(5e-2);
        OpenSetMetrics {
            mated: self.mated.len(),
            nonmated: self.nonmated.len(),
            rank1: right as f64 / self.mated.len().max(1) as f64,
            threshold: f64::from(threshold),
            fpir: self.fpir(threshold),
            fnir: self.fnir(threshold),
            fnir_at_fpir_1e2: self.fnir(t1),
            fnir_at_fpir_5e2: self.fnir(t5),
            threshold_fpir_1e2: f64::from(t1),
            threshold_fpir_5e2: f64::from(t5),
            no_face: self
                .mated
                .iter()
                .chain(&self.nonmated)
                .filter(|b| b.is_none())
                .count(),
        }
    }

    /// (FPIR, FNIR) at every distinct non-mated score, from the strictest threshold down: the
    /// DET curve.
    pub fn det(&self) -> Vec<(f64, f64)> {
        let mut thresholds: Vec<f32> = self.nonmated.iter().flatten().map(|b| b.score).collect();
        thresholds.sort_by(|a, b| b.total_cmp(a));
        thresholds.dedup();
        thresholds
            .iter()
            .map(|&t| (self.fpir(t), self.fnir(t)))
            .collect()
    }
}

/// The smallest f32 above `x`, so that a threshold there refuses `x` itself.
fn next_above(x: f32) -> f32 {
    let step = f32::EPSILON * x.abs().max(f32::MIN_POSITIVE);
    x + step.max(f32::MIN_POSITIVE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn best(score: f32, correct: bool) -> Option<Best> {
        Some(Best { score, correct })
    }

    /// 100 non-mated probes scoring 0.00, 0.01, ... 0.99 and ten mated ones.
    fn fixed() -> OpenSetScores {
        let nonmated = (0..100).map(|i| best(i as f32 / 100.0, false)).collect();
        let mut mated: Vec<_> = (0..8).map(|i| best(0.9 + i as f32 / 100.0, true)).collect();
        mated.push(best(0.99, false));
        mated.push(None);
        OpenSetScores {
            mated,
            nonmated,
            ..OpenSetScores::default()
        }
    }

    #[test]
    fn fpir_and_fnir_at_a_threshold() {
        let scores = fixed();
        // Scores 0.50..0.99 reach 0.5: 50 of 100.
        assert!((scores.fpir(0.5) - 0.5).abs() < 1e-12);
        // At 0.95: mated 0.95, 0.96, 0.97 hit; 7 of 10 miss (the wrong one and no face too).
        assert!((scores.fnir(0.95) - 0.7).abs() < 1e-12);
        let m = scores.metrics(0.95);
        assert_eq!((m.mated, m.nonmated, m.no_face), (10, 100, 1));
        assert!((m.rank1 - 0.8).abs() < 1e-12);
        assert!((m.fpir - 0.05).abs() < 1e-12);
    }

    #[test]
    fn thresholds_for_a_target_fpir_refuse_just_enough() {
        let scores = fixed();
        // 1% of 100: only 0.99 may pass, so the threshold lies between 0.98 and 0.99.
        let t1 = scores.threshold_for_fpir(0.01);
        assert!((t1 - 0.985).abs() < 1e-6, "{t1}");
        assert!((scores.fpir(t1) - 0.01).abs() < 1e-12);
        let t5 = scores.threshold_for_fpir(0.05);
        assert!((scores.fpir(t5) - 0.05).abs() < 1e-12);
        // FPIR 0: above every non-mated score.
        let t0 = scores.threshold_for_fpir(0.0);
        assert!(t0 > 0.99 && scores.fpir(t0) == 0.0);
        let m = scores.metrics(0.5);
        assert!((m.fnir_at_fpir_1e2 - scores.fnir(t1)).abs() < 1e-12);
        let p = scores.operating_point(0.01);
        assert_eq!((p.threshold, p.fnir), (f64::from(t1), m.fnir_at_fpir_1e2));
        // Every right candidate scores 0.97 or less, under 0.985: all ten mated probes miss.
        assert!((m.fnir_at_fpir_1e2 - 1.0).abs() < 1e-12);
    }

    #[test]
    fn ties_at_the_boundary_are_refused_together() {
        let scores = OpenSetScores {
            mated: vec![],
            nonmated: vec![best(0.5, false), best(0.5, false), best(0.1, false)],
            ..OpenSetScores::default()
        };
        // One of three may pass, but the top two tie: neither passes.
        let t = scores.threshold_for_fpir(0.34);
        assert!(t > 0.5 && scores.fpir(t) == 0.0, "{t}");
    }

    #[test]
    fn fewer_faces_found_than_false_positives_allowed_let_anything_pass() {
        // 100 non-mated probes, 3 with a face: at FPIR 5% all three may pass. (This indexed
        // past the found scores and panicked when most probes had no face.)
        let mut nonmated = vec![None; 97];
        nonmated.extend([best(0.2, false), best(0.4, false), best(0.6, false)]);
        let scores = OpenSetScores {
            mated: vec![best(0.5, true), None],
            nonmated,
            ..OpenSetScores::default()
        };
        assert_eq!(scores.threshold_for_fpir(0.05), -1.0);
        assert!((scores.fnir(scores.threshold_for_fpir(0.05)) - 0.5).abs() < 1e-12);
        // At 2%, two may pass: 0.6 and 0.4 do, 0.2 is refused.
        let t = scores.threshold_for_fpir(0.02);
        assert!((t - 0.3).abs() < 1e-6, "{t}");
    }

    #[test]
    fn the_det_curve_runs_from_strict_to_loose() {
        let det = fixed().det();
        assert_eq!(det.len(), 100);
        assert!(det.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 >= w[1].1));
    }
}
